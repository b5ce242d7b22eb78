import { join } from 'node:path';
import mqtt from 'mqtt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboard } from '../dashboard/build.ts';
import { launchChromium, signInDashboard } from './support/browser.ts';
import { demoUser, eventually, TestSystem } from './support/system.ts';

const SCREENSHOTS = join(import.meta.dirname, '..', 'docs', 'screenshots');

describe('the administration page in a real browser', () => {
  let sys: TestSystem;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    await ensureDashboard({ whenStale: true });
    browser = await launchChromium();
    sys = await TestSystem.start();
  }, 600_000);
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await sys?.stop();
  });

  async function open(locale = 'zh-CN'): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: sys.http });
    contexts.push(context);
    return context;
  }

  /** Signs in through the form; waits for the queue and the live socket. */
  async function signIn(context: BrowserContext, username: string, password: string): Promise<Page> {
    const page = await signInDashboard(await context.newPage(), sys.http, username, password);
    await page.locator('[data-live="live"]').waitFor();
    return page;
  }

  async function adminPage(locale = 'zh-CN'): Promise<Page> {
    const page = await signIn(await open(locale), 'admin', demoUser('admin').password);
    await page.getByTestId('nav-admin').click();
    await page.getByTestId('admin-page').waitFor();
    return page;
  }

  const byTestId = (page: Page, id: string) => page.getByTestId(id).first();

  it('an admin provisions a household, elder and gateway in the page, sees the secret once, and a real gateway connects with it', async () => {
    const page = await adminPage('en-US');
    // A taken id: the error sits next to the field, which gets the focus.
    await page.getByTestId('admin-household-id').fill('hh-0001');
    await page.getByTestId('admin-household-region').selectOption('ziyang.anyue.zhouli');
    await page.getByTestId('admin-household-address').fill('Zhouli Rd 8');
    await page.getByTestId('admin-household-form-submit').click();
    await page.getByTestId('admin-household-id-error').filter({ hasText: 'taken' }).waitFor();
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.testid)).toBe(
      'admin-household-id',
    );
    expect(await page.getByTestId('admin-household-id').getAttribute('aria-invalid')).toBe('true');
    await page.getByTestId('admin-household-id').fill('hh-page-1');
    await page.getByTestId('admin-household-id').press('Enter'); // keyboard submit
    await page.getByTestId('admin-household-form-status').filter({ hasText: 'hh-page-1' }).waitFor();

    await page.getByTestId('admin-tab-elders').click();
    await page.getByTestId('admin-elder-id').fill('el-page-1');
    await page.getByTestId('admin-elder-household').selectOption('hh-page-1');
    await page.getByTestId('admin-elder-name').fill('王秀兰');
    await page.getByTestId('admin-elder-form-submit').click();
    await page.locator('[data-testid="admin-elder-list"] tr[data-id="el-page-1"]').waitFor();

    await page.getByTestId('admin-tab-gateways').click();
    await page.getByTestId('admin-gateway-id').fill('gw-page-1');
    await page.getByTestId('admin-gateway-household').selectOption('hh-page-1');
    await page.getByTestId('admin-device-id-1').fill('sos-1');
    await page.getByTestId('admin-device-kind-1').selectOption('rf433-bridge');
    await page.getByTestId('admin-device-elder-1').selectOption('el-page-1');
    await page.getByTestId('admin-device-add').click();
    await page.getByTestId('admin-device-id-2').fill('radar-1');
    await page.getByTestId('admin-device-kind-2').selectOption('mr60fda1');
    await page.getByTestId('admin-gateway-form-submit').click();

    await page.getByTestId('admin-secret').waitFor();
    expect(await page.getByTestId('admin-secret-once').textContent()).toContain('will not be shown again');
    const secret = await page.getByTestId('admin-secret-value').inputValue();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    await page.getByTestId('admin-secret-copy').click();
    await page.getByTestId('admin-secret-copied').filter({ hasText: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(SCREENSHOTS, 'admin.png'), animations: 'disabled' });

    const gateway = await mqtt.connectAsync(sys.system.mqttUrl, {
      username: 'gw-page-1',
      password: secret,
      clientId: 'gw-page-1',
      reconnectPeriod: 0,
    });
    expect(gateway.connected).toBe(true);
    const admin = await sys.login('admin');
    const { body: household } = await sys.api<{
      gateways: { devices: { id: string; elderId?: string }[] }[];
    }>(admin, 'GET', '/api/households/hh-page-1');
    expect(household.gateways[0]?.devices).toEqual([
      expect.objectContaining({ id: 'radar-1' }),
      expect.objectContaining({ id: 'sos-1', elderId: 'el-page-1' }),
    ]);

    // Once: gone when the admin says it is saved, and nowhere after a reload.
    await page.getByTestId('admin-secret-done').click();
    await page.getByTestId('admin-secret').waitFor({ state: 'hidden' });
    expect(await page.content()).not.toContain(secret);
    await page.reload();
    await page.getByTestId('admin-page').waitFor();
    expect(await page.content()).not.toContain(secret);

    // Revoking asks first, then cuts the gateway off at once.
    await page.getByTestId('admin-tab-gateways').click();
    const row = page.locator('[data-testid="admin-gateway-row"][data-id="gw-page-1"]');
    const closed = new Promise<void>((resolve) => gateway.once('close', () => resolve()));
    await row.getByTestId('admin-gateway-revoke').click();
    await page.getByTestId('admin-confirm').filter({ hasText: 'gw-page-1' }).waitFor();
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.testid)).toBe(
      'admin-confirm-yes',
    );
    await page.keyboard.press('Enter');
    await closed;
    await page
      .locator('[data-testid="admin-gateway-row"][data-id="gw-page-1"][data-revoked="true"]')
      .waitFor();
    await gateway.endAsync(true);
  });

  it('a user created in the page can log in, and once disabled in the page is signed out and refused', async () => {
    const page = await adminPage();
    await page.getByTestId('admin-tab-users').click();
    await page.getByTestId('admin-user-username').fill('op-page-zhouli');
    await page.getByTestId('admin-user-password').fill('short');
    await page.getByTestId('admin-user-role').selectOption('operator');
    await page.getByTestId('admin-user-scope').selectOption('ziyang.anyue.zhouli');
    await page.getByTestId('admin-user-form-submit').click();
    await page.getByTestId('admin-user-password-error').filter({ hasText: '至少 10 个字符' }).waitFor();
    const password = '周礼社区夜班调度员一号';
    await page.getByTestId('admin-user-password').fill(password);
    await page.getByTestId('admin-user-form-submit').click();
    const userRow = page.locator('[data-testid="admin-user-row"][data-username="op-page-zhouli"]');
    await userRow.waitFor();

    const theirs = await signIn(await open(), 'op-page-zhouli', password);
    expect(await theirs.getByTestId('current-user').textContent()).toContain('周礼社区');

    await userRow.getByTestId('admin-user-disable').click();
    await page
      .locator('[data-testid="admin-user-row"][data-username="op-page-zhouli"][data-disabled="true"]')
      .waitFor();
    // Their open dashboard loses its socket and session at once and falls back to the sign-in form.
    await theirs.getByTestId('login-form').waitFor({ state: 'visible', timeout: 5000 });
    await theirs.getByTestId('login-username').fill('op-page-zhouli');
    await theirs.getByTestId('login-password').fill(password);
    await theirs.getByTestId('login-submit').click();
    await theirs.getByTestId('login-error').filter({ hasText: '已停用' }).waitFor();
  });

  it('a CSV file uploaded in the page is checked row by row, and a clean one imports', async () => {
    const page = await adminPage('en-US');
    await page.getByTestId('admin-tab-import').click();
    const header = 'householdId,region,address,elderId,elderName';
    const bad = `${header}\nhh-csv-p1,ziyang.anyue.zhouli,Zhouli 1,el-csv-p1,Li\nhh-csv-p2,ziyang.anyue,Zhouli 2,el-0001,Wang\n`;
    await page
      .getByTestId('admin-import-file')
      .setInputFiles({ name: 'homes.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.getByTestId('admin-import-form-submit').click();
    await page.getByTestId('admin-import-form-status').filter({ hasText: 'Nothing was imported' }).waitFor();
    const refused = page.locator('[data-testid="admin-import-rows"] tr[data-line="3"][data-ok="false"]');
    expect(await refused.textContent()).toContain('not a community');
    await page.locator('[data-testid="admin-import-rows"] tr[data-line="2"][data-ok="true"]').waitFor();

    const good = `${header}\nhh-csv-p1,ziyang.anyue.zhouli,Zhouli 1,el-csv-p1,Li\n`;
    await page
      .getByTestId('admin-import-file')
      .setInputFiles({ name: 'homes.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    await page.getByTestId('admin-import-form-submit').click();
    await page.getByTestId('admin-import-form-status').filter({ hasText: 'Imported 1 households' }).waitFor();
    await page.getByTestId('admin-tab-households').click();
    await byTestId(page, 'admin-household-list').locator('tr[data-id="hh-csv-p1"]').waitFor();
    const token = await sys.login('admin');
    await eventually(async () => (await sys.api(token, 'GET', '/api/elders/el-csv-p1')).status === 200, 2000);
  });

  it('operators see no administration entry, and its address sends them to the queue', async () => {
    const page = await signIn(await open(), 'op-shizishan', demoUser('op-shizishan').password);
    expect(await page.getByTestId('nav-admin').count()).toBe(0);
    await page.goto(`${sys.http}/#/admin`);
    await page.getByTestId('alert-queue').waitFor();
    expect(await page.getByTestId('admin-page').count()).toBe(0);
  });
});
