import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboard } from '../dashboard/build.ts';
import type { Alert, ServiceTicket } from '../protocol/index.ts';
import { launchChromium, signInDashboard } from './support/browser.ts';
import { demoUser, eventually, TestSystem } from './support/system.ts';

const SCREENSHOTS = join(import.meta.dirname, '..', 'docs', 'screenshots');
type Sound = { ringing: boolean; count: number; tones: number };

describe('the helpers’ service-request queue in a real browser', () => {
  let sys: TestSystem;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    await ensureDashboard({ whenStale: true });
    browser = await launchChromium();
    sys = await TestSystem.start();
    await mkdir(SCREENSHOTS, { recursive: true });
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    // Every tone the page makes (the alarm's beeps and the chime alike) goes through an oscillator.
    await context.addInitScript(() => {
      const w = window as unknown as { __tones: number };
      w.__tones = 0;
      const make = AudioContext.prototype.createOscillator;
      AudioContext.prototype.createOscillator = function (this: AudioContext) {
        w.__tones += 1;
        return make.call(this);
      };
    });
  }, 600_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await sys?.stop();
  });

  const sound = (page: Page): Promise<Sound> =>
    page.evaluate(() => {
      const w = window as unknown as { __alarm: { ringing: boolean; count: number }; __tones: number };
      return { ringing: w.__alarm.ringing, count: w.__alarm.count, tones: w.__tones };
    });

  async function signIn(username: string): Promise<Page> {
    const page = await signInDashboard(
      await context.newPage(),
      sys.http,
      username,
      demoUser(username).password,
    );
    await page.locator('[data-live="live"]').waitFor();
    return page;
  }

  it('a green-key press shows up in the services queue, not the alert queue, with no sound; accept and done work', async () => {
    const page = await signIn('op-shizishan');
    await page.getByTestId('start-shift').click();
    await page.getByTestId('on-shift').waitFor();
    const token = await sys.login('op-shizishan');
    const home = await sys.home('gw-0001');

    const eventId = await home.event('service_request', { data: { service: 'meal' } });
    const ticket = await eventually(
      async () =>
        (await sys.api<ServiceTicket[]>(token, 'GET', '/api/service-requests')).body.find(
          (t) => t.eventId === eventId,
        ),
      3000,
      'the ticket of the green key',
    );
    // The nav shows one waiting request while the alert queue stays empty of it.
    await page.getByTestId('services-waiting').filter({ hasText: '1' }).waitFor({ timeout: 3000 });
    expect(await page.getByTestId('alert-row').count()).toBe(0);
    expect((await sys.api<Alert[]>(token, 'GET', '/api/alerts')).body).toEqual([]);
    expect(await page.getByTestId('alarm-banner').isHidden()).toBe(true);
    expect(await sound(page)).toEqual({ ringing: false, count: 0, tones: 0 });

    await page.getByTestId('nav-services').click();
    const row = page.locator(`[data-testid="service-row"][data-ticket-id="${ticket.id}"]`);
    await row.waitFor();
    const text = (await row.textContent()) ?? '';
    expect(await row.getByTestId('service-kind').textContent()).toBe('送餐');
    expect(text).toContain(ticket.elderName);
    expect(text).toContain(ticket.address);
    expect(await row.getAttribute('data-state')).toBe('requested');
    // Calm on purpose: no severity chips, no alert styling.
    expect(await row.locator('[data-severity]').count()).toBe(0);

    await row.getByTestId('service-accept').click();
    await page
      .locator(`[data-testid="service-row"][data-ticket-id="${ticket.id}"][data-state="accepted"]`)
      .waitFor();
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(SCREENSHOTS, 'services.png'), animations: 'disabled' });
    // A push that redraws the queue while the helper types keeps the cursor in the note.
    await row.getByTestId('service-note').click();
    await page.keyboard.type('午饭');
    await home.event('service_request', { data: { service: 'chat' } });
    await page.locator('[data-testid="service-row"][data-service="chat"]').waitFor();
    await page.keyboard.type('已送到');
    expect(await row.getByTestId('service-note').inputValue()).toBe('午饭已送到');
    await row.getByTestId('service-done').click();
    const done = page.locator(
      `[data-testid="service-row"][data-ticket-id="${ticket.id}"][data-state="done"]`,
    );
    await done.waitFor();
    expect(await done.getByTestId('service-time').textContent()).toMatch(/^用时/);
    const stored = (await sys.api<ServiceTicket>(token, 'GET', `/api/service-requests/${ticket.id}`)).body;
    expect(stored).toMatchObject({
      state: 'done',
      acceptedBy: 'op-shizishan',
      doneBy: 'op-shizishan',
      note: '午饭已送到',
    });
    expect(await sound(page)).toEqual({ ringing: false, count: 0, tones: 0 });
    // Both actions are in the audit log, like an alert's.
    const audit = (
      await sys.api<{ route: string; target: { id?: string } | null }[]>(
        await sys.login('sup-yanjiang'),
        'GET',
        '/api/audit',
      )
    ).body;
    expect(audit.filter((e) => e.target?.id === ticket.id).map((e) => e.route)).toEqual([
      '/api/service-requests/:id/done',
      '/api/service-requests/:id/accept',
    ]);

    // The same page does make a sound for a real alert: the silence above was not a deaf page.
    await home.event('water_leak');
    await eventually(async () => (await sound(page)).tones > 0, 3000, 'the chime of a high alert');
    await home.close();
    await page.close();
  });

  it('the figures page counts the requests by kind with the median time to done', async () => {
    const page = await signIn('sup-yanjiang');
    await page.getByTestId('nav-figures').click();
    const figures = page.getByTestId('service-figures');
    await figures.waitFor();
    await figures.getByTestId('kpi-services-total').filter({ hasText: '2' }).waitFor();
    expect(await figures.locator('[data-testid="services-by-kind"] [data-key="meal"]').count()).toBe(1);
    expect(await figures.getByTestId('services-by-group').locator('tbody tr').count()).toBeGreaterThan(1);
    await page.close();
  });
});
