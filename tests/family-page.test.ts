import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushPayload } from '../cloud/notify/channels/web-push.ts';
import { ensureDashboard } from '../dashboard/build.ts';
import type { Alert } from '../protocol/index.ts';
import { launchChromium } from './support/browser.ts';
import { demoUser, eventually, TestSystem } from './support/system.ts';

const SCREENSHOTS = join(import.meta.dirname, '..', 'docs', 'screenshots');
const FAMILY = 'family-el-0001';
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
type TimelineEntry = { actor: string; action: string; note?: string; data?: Record<string, unknown> };
/** What the test touches of a service worker's global scope (the DOM lib has no worker types). */
type ShownNotification = { title: string; tag: string; actions: { action: string }[] };
type WorkerScope = {
  registration: { getNotifications(): Promise<ShownNotification[]> };
  dispatchEvent(event: Event): boolean;
  PushEvent: new (type: string, init: { data: string }) => Event;
  NotificationEvent: new (type: string, init: { notification: ShownNotification; action: string }) => Event;
};

describe('the family page on a phone', () => {
  let sys: TestSystem;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    await ensureDashboard({ whenStale: true });
    browser = await launchChromium();
    sys = await TestSystem.start();
    await mkdir(SCREENSHOTS, { recursive: true });
  }, 600_000);
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await sys?.stop();
  });

  async function phone(locale = 'zh-CN'): Promise<BrowserContext> {
    const context = await browser.newContext({ ...PHONE, locale });
    await context.grantPermissions(['notifications'], { origin: sys.http });
    contexts.push(context);
    return context;
  }

  async function signIn(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${sys.http}/family/`);
    await page.getByTestId('login-username').fill(FAMILY);
    await page.getByTestId('login-password').fill(demoUser(FAMILY).password);
    await page.getByTestId('login-submit').tap();
    await page.locator('[data-testid="elder-card"][data-elder-id="el-0001"]').waitFor();
    await page.locator('[data-live="live"]').waitFor();
    return page;
  }

  /** Resolves what is open on the gateway, then raises a new SOS there; the alert as the admin sees it. */
  async function sos(gatewayId: string): Promise<Alert> {
    const admin = await sys.login('admin');
    for (const a of (await sys.api<Alert[]>(admin, 'GET', '/api/alerts')).body)
      if (a.gatewayId === gatewayId && a.state !== 'resolved')
        await sys.api(admin, 'POST', `/api/alerts/${a.id}/resolve`, { outcome: 'false_alarm' });
    const home = await sys.home(gatewayId);
    const eventId = await home.event('sos');
    return eventually(
      async () =>
        (await sys.api<Alert[]>(admin, 'GET', '/api/alerts')).body.find((a) => a.eventId === eventId),
      3000,
      'the SOS alert',
    );
  }

  const timeline = async (alertId: string) =>
    (
      await sys.api<TimelineEntry[]>(
        await sys.login('op-shizishan'),
        'GET',
        `/api/alerts/${alertId}/timeline`,
      )
    ).body;

  it('a daughter signs in on her phone, an SOS arrives live, she taps “On my way” and the operator sees it; her HTML-laden note stays text', async () => {
    const home = await sys.home('gw-0001');
    await home.event('presence', { deviceId: 'gw-0001-breath' });
    await home.vitals({ hr: 76, spo2: 97 }, 'gw-0001-vitals1');
    await home.vitals({ rr: 16 }, 'gw-0001-breath');
    const page = await signIn(await phone());
    const card = page.locator('[data-testid="elder-card"][data-elder-id="el-0001"]');
    await card.getByTestId('elder-name').filter({ hasText: '黄德明' }).waitFor();
    expect(await card.getByTestId('device').count()).toBe(4);
    await card.locator('[data-testid="at-home"][data-home="yes"]').waitFor();
    await card.getByTestId('vitals').filter({ hasText: '76 bpm' }).waitFor();

    const alert = await sos('gw-0001');
    const block = card.locator(`[data-testid="family-alert"][data-alert-id="${alert.id}"]`);
    await block.waitFor({ timeout: 3000 });
    expect(await block.getByTestId('accept-button').textContent()).toBe('我这就去');

    const note = '<img src=x onerror="window.__pwned=1"><b>带钥匙</b>';
    await block.getByTestId('eta-select').selectOption('15');
    await block.getByTestId('accept-note').fill(note);
    await block.getByTestId('accept-button').tap();
    await block.getByTestId('accept-notice').filter({ hasText: '服务中心已知道' }).waitFor({ timeout: 3000 });
    const accepted = await eventually(
      async () => (await timeline(alert.id)).find((e) => e.action === 'family_accepted'),
      3000,
      'family_accepted on the operator’s timeline',
    );
    expect(accepted).toMatchObject({ actor: FAMILY, note, data: { by: FAMILY, etaMinutes: 15 } });

    // The centre answers; the page follows live, and the note comes back as the text it was.
    const operator = await sys.login('op-shizishan');
    await sys.api(operator, 'POST', `/api/alerts/${alert.id}/ack`, {});
    await sys.api(operator, 'POST', `/api/alerts/${alert.id}/milestones`, {
      milestone: 'responder_accepted',
      responder: '张建华',
      etaMinutes: 8,
    });
    await block
      .locator('[data-testid="centre-entry"][data-action="responder_accepted"]')
      .waitFor({ timeout: 3000 });
    await block.getByTestId('centre-note').filter({ hasText: note }).waitFor();
    expect(await block.getByTestId('alert-state').textContent()).toBe('服务中心正在处理');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('main img, main b').count()).toBe(0);

    await page.screenshot({ path: join(SCREENSHOTS, 'family.png'), fullPage: true, animations: 'disabled' });
  });

  it('the elder’s green-key request shows on the family page live and follows the helpers from waiting to done, without their names or notes', async () => {
    const page = await signIn(await phone());
    const card = page.locator('[data-testid="elder-card"][data-elder-id="el-0001"]');
    const alertsBefore = await card.getByTestId('family-alert').count();
    const home = await sys.home('gw-0001');
    const eventId = await home.event('service_request', { data: { service: 'meal' } });
    const operator = await sys.login('op-shizishan');
    const ticket = await eventually(
      async () =>
        (
          await sys.api<{ id: string; eventId: string }[]>(operator, 'GET', '/api/service-requests')
        ).body.find((t) => t.eventId === eventId),
      3000,
      'the ticket',
    );
    const item = card.locator(`[data-testid="request-item"][data-request-id="${ticket.id}"]`);
    await item.filter({ hasText: '送餐' }).waitFor({ timeout: 3000 });
    expect(await item.getAttribute('data-state')).toBe('requested');
    expect(await item.getByTestId('request-state').textContent()).toBe('等待社区服务人员接单');
    // The family sees the request but it is the helpers' to handle.
    const family = await sys.login(FAMILY);
    expect((await sys.api(family, 'POST', `/api/service-requests/${ticket.id}/accept`, {})).status).toBe(403);

    await sys.api(operator, 'POST', `/api/service-requests/${ticket.id}/accept`, {});
    await card
      .locator(`[data-testid="request-item"][data-request-id="${ticket.id}"][data-state="accepted"]`)
      .waitFor({ timeout: 3000 });
    // Like the centre's steps on an alert: what happened, not the staff member's name or note.
    expect(await item.getByTestId('request-state').textContent()).toBe('社区服务人员已接单');
    await sys.api(operator, 'POST', `/api/service-requests/${ticket.id}/done`, { note: '午饭已送到' });
    await card
      .locator(`[data-testid="request-item"][data-request-id="${ticket.id}"][data-state="done"]`)
      .waitFor({ timeout: 3000 });
    expect(await item.textContent()).not.toContain('午饭已送到');
    // Nothing of it is an alert.
    expect(await card.getByTestId('family-alert').count()).toBe(alertsBefore);
  });

  it('the page is an installable app with a manifest, icons and a service worker scoped to /family/, and its settings save the notification choices', async () => {
    const manifest = await fetch(`${sys.http}/family/manifest.webmanifest`);
    expect(manifest.status).toBe(200);
    const body = (await manifest.json()) as { name: string; scope: string; icons: { src: string }[] };
    expect(body).toMatchObject({ name: '家人关怀 · Eldercare family', scope: '/family/' });
    for (const icon of body.icons) expect((await fetch(`${sys.http}${icon.src}`)).status).toBe(200);
    expect((await fetch(`${sys.http}/family`, { redirect: 'manual' })).headers.get('location')).toBe(
      '/family/',
    );
    const context = await phone('en-US');
    const page = await signIn(context);
    const worker = await serviceWorker(context, page);
    expect(worker.url()).toBe(`${sys.http}/family/sw.js`);

    await page.getByTestId('settings-toggle').tap();
    await page.getByTestId('prefs-webhook').fill('https://sms.example.com/send');
    await page.getByTestId('prefs-severity-medium').check();
    await page.getByTestId('prefs-quiet-start').fill('22:00');
    await page.getByTestId('prefs-quiet-end').fill('07:00');
    await page.getByTestId('prefs-save').tap();
    await page.getByTestId('prefs-status').filter({ hasText: 'Saved' }).waitFor();
    expect((await sys.api(await sys.login(FAMILY), 'GET', '/api/me/notifications')).body).toMatchObject({
      webhook: 'https://sms.example.com/send',
      severities: ['critical', 'high', 'medium'],
      quietHours: { start: '22:00', end: '07:00' },
    });
  });

  /** The family page's service worker, once it runs. */
  async function serviceWorker(context: BrowserContext, page: Page): Promise<Worker> {
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    return eventually(() => context.serviceWorkers()[0], 5000, 'the service worker');
  }

  it('a push shows a notification with the accept action, and its “On my way” reaches the centre without a login', async () => {
    const family = await sys.login(FAMILY);
    await sys.api(family, 'PUT', '/api/me/notifications', {
      push: true,
      webhook: 'https://127.0.0.1:9/hook',
      severities: ['critical'],
    });
    const context = await phone();
    const page = await signIn(context);
    const worker = await serviceWorker(context, page);
    const alert = await sos('gw-0001');
    // The message the outbox planned for her, sent as the push channel would send it.
    const planned = (await sys.system.cloud.notifications.due(Date.now() + 3600_000)).find(
      (n) => n.alertId === alert.id && n.recipient === FAMILY,
    );
    if (!planned) throw new Error('no notification planned for the family');
    const payload = JSON.stringify(pushPayload(planned.message));

    // Real pushes need a push service; a PushEvent made in the worker runs the same handler.
    const shown = await worker.evaluate(async (data) => {
      const sw = self as unknown as WorkerScope;
      sw.dispatchEvent(new sw.PushEvent('push', { data }));
      for (let i = 0; i < 50; i++) {
        const [n] = await sw.registration.getNotifications();
        if (n) return { title: n.title, actions: n.actions.map((a) => a.action), tag: n.tag };
        await new Promise((r) => setTimeout(r, 100));
      }
      return null;
    }, payload);
    expect(shown).toMatchObject({ actions: ['accept'], tag: alert.id });
    expect(shown?.title).toContain('黄德明');

    await worker.evaluate(async () => {
      const sw = self as unknown as WorkerScope;
      const [n] = await sw.registration.getNotifications();
      if (n)
        sw.dispatchEvent(
          new sw.NotificationEvent('notificationclick', { notification: n, action: 'accept' }),
        );
    });
    const accepted = await eventually(
      async () => (await timeline(alert.id)).find((e) => e.action === 'family_accepted'),
      5000,
      'family_accepted from the notification',
    );
    expect(accepted).toMatchObject({ actor: FAMILY, data: { by: FAMILY } });
  });
});
