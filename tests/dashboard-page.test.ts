import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboard } from '../dashboard/build.ts';
import type { Alert } from '../protocol/index.ts';
import { launchChromium, signInDashboard } from './support/browser.ts';
import { demoUser, eventually, TestSystem } from './support/system.ts';

const SCREENSHOTS = join(import.meta.dirname, '..', 'docs', 'screenshots');

describe('the first dispatch page in a real browser', () => {
  let sys: TestSystem;
  let browser: Browser;
  beforeAll(async () => {
    await ensureDashboard({ whenStale: true });
    browser = await launchChromium();
    sys = await TestSystem.start();
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await sys?.stop();
  });

  it('an operator logs in through the form, sees an SOS appear live with the elder and address, and acknowledges it with a click', async () => {
    const page = await signInDashboard(
      await browser.newPage({ viewport: { width: 1280, height: 720 } }),
      sys.http,
      'op-shizishan',
      demoUser('op-shizishan').password,
    );
    await page.getByTestId('current-user').filter({ hasText: 'op-shizishan' }).waitFor();

    const home = await sys.home('gw-0001');
    const sentAt = Date.now();
    const eventId = await home.event('sos');
    const token = await sys.login('op-shizishan');
    const alert = await eventually(
      async () =>
        (await sys.api<Alert[]>(token, 'GET', '/api/alerts')).body.find((a) => a.eventId === eventId),
      2000,
    );
    const row = page.locator(`[data-testid="alert-row"][data-alert-id="${alert.id}"]`);
    await row.waitFor({ timeout: 2000 });
    expect(Date.now() - sentAt).toBeLessThan(2000);
    const text = (await row.textContent()) ?? '';
    expect(text).toContain((alert as Alert & { elderName: string }).elderName);
    expect(text).toContain((alert as Alert & { address: string }).address);
    await mkdir(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'first-page-queue.png') });

    await row.getByTestId('ack-button').click();
    const acked = await eventually(
      async () => {
        const { body } = await sys.api<Alert>(token, 'GET', `/api/alerts/${alert.id}`);
        return body.state === 'acknowledged' ? body : undefined;
      },
      3000,
      'acknowledged through the page',
    );
    expect(acked.acknowledgedBy).toBe('op-shizishan');
    await page.close();
  });

  it('an elder name holding HTML is shown as text and never runs', async () => {
    const admin = await sys.login('admin');
    await sys.api(admin, 'POST', '/api/households', {
      id: 'hh-xss',
      region: 'ziyang.yanjiang.shizishan',
      address: '<b>bold</b> road 1',
    });
    await sys.api(admin, 'POST', '/api/elders', {
      id: 'el-xss',
      householdId: 'hh-xss',
      name: '<img src=x onerror="window.__pwned=1">',
    });
    const gw = await sys.api<{ secret: string }>(admin, 'POST', '/api/gateways', {
      id: 'gw-xss',
      householdId: 'hh-xss',
      devices: [{ id: 'gw-xss-sos', kind: 'rf433-bridge', elderId: 'el-xss' }],
    });
    const page = await signInDashboard(
      await browser.newPage(),
      sys.http,
      'op-shizishan',
      demoUser('op-shizishan').password,
    );
    const { SimulatedHome } = await import('../device-sims/mqtt-home.ts');
    const home = new SimulatedHome({
      id: 'gw-xss',
      secret: gw.body.secret,
      devices: [{ id: 'gw-xss-sos', kind: 'rf433-bridge' }],
    });
    await home.connect(sys.system.mqttUrl);
    await home.event('sos');
    await page
      .getByTestId('alert-queue')
      .getByText('<img src=x onerror="window.__pwned=1">')
      .waitFor({ timeout: 3000 });
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('b', { hasText: 'bold' }).count()).toBe(0);
    await home.close();
    await page.close();
  });
});
