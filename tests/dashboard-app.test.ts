import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboard } from '../dashboard/build.ts';
import { newEventId, SimulatedHome } from '../device-sims/mqtt-home.ts';
import { type Alert, type EventType, timestamp, topics } from '../protocol/index.ts';
import { launchChromium, signInDashboard } from './support/browser.ts';
import { demoUser, eventually, TestSystem } from './support/system.ts';

const SCREENSHOTS = join(import.meta.dirname, '..', 'docs', 'screenshots');
type AlertView = Alert & { elderName?: string; address?: string };
type Alarm = { ringing: boolean; count: number };

describe('the dispatch dashboard in a real browser', () => {
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

  async function open(locale = 'zh-CN', viewport = { width: 1440, height: 900 }): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport, locale });
    contexts.push(context);
    return context;
  }

  /** Signs in through the form and waits until the page's socket is live. */
  async function signIn(context: BrowserContext, username: string): Promise<Page> {
    const page = await signInDashboard(
      await context.newPage(),
      sys.http,
      username,
      demoUser(username).password,
    );
    await page.getByTestId('current-user').filter({ hasText: username }).waitFor();
    await page.locator('[data-live="live"]').waitFor();
    return page;
  }

  /** The alert a gateway event raised, as `username` sees it through REST. */
  async function alertFor(username: string, eventId: string): Promise<AlertView> {
    const token = await sys.login(username);
    return eventually(
      async () =>
        (await sys.api<AlertView[]>(token, 'GET', '/api/alerts')).body.find((a) => a.eventId === eventId),
      3000,
      `the alert of event ${eventId}`,
    );
  }

  async function raise(gatewayId: string, type: EventType, deviceId?: string): Promise<AlertView> {
    const home = await sys.home(gatewayId);
    const eventId = await home.event(type, deviceId ? { deviceId } : {});
    await home.close();
    return alertFor('admin', eventId);
  }

  const row = (page: Page, id: string) => page.locator(`[data-testid="alert-row"][data-alert-id="${id}"]`);
  const alarm = (page: Page) => page.evaluate(() => (window as unknown as { __alarm: Alarm }).__alarm);

  async function resolveByRest(id: string): Promise<void> {
    await sys.api(await sys.login('admin'), 'POST', `/api/alerts/${id}/resolve`, { outcome: 'false_alarm' });
  }

  it('an operator signs in, an SOS from a home is on the queue within 2 s, the alarm rings after Start shift, and a click acknowledges it', async () => {
    const page = await signIn(await open(), 'op-shizishan');
    const home = await sys.home('gw-0001');
    const sentAt = Date.now();
    const eventId = await home.event('sos');
    const alert = await alertFor('op-shizishan', eventId);
    await row(page, alert.id).waitFor({ timeout: 2000 });
    expect(Date.now() - sentAt).toBeLessThan(2000);
    const text = (await row(page, alert.id).textContent()) ?? '';
    expect(text).toContain(alert.elderName);
    expect(text).toContain(alert.address);
    await page.getByTestId('alarm-banner').waitFor();

    await page.getByTestId('start-shift').click();
    await page.getByTestId('on-shift').waitFor();
    const ringing = await eventually(async () => {
      const state = await alarm(page);
      return state.ringing && state.count > 0 ? state : undefined;
    }, 2000);
    expect(ringing.count).toBeGreaterThan(0);

    await row(page, alert.id).getByTestId('ack-button').click();
    const token = await sys.login('op-shizishan');
    const acked = await eventually(async () => {
      const { body } = await sys.api<Alert>(token, 'GET', `/api/alerts/${alert.id}`);
      return body.state === 'acknowledged' ? body : undefined;
    }, 3000);
    expect(acked.acknowledgedBy).toBe('op-shizishan');
    await eventually(async () => !(await alarm(page)).ringing, 2000, 'the alarm to stop');
    await page.getByTestId('alarm-banner').waitFor({ state: 'hidden' });
    await resolveByRest(alert.id);
    await home.close(); // cleanly, so the home's will does not mark it offline when it connects again
  });

  it('two dispatchers acknowledge the same alert at once: one wins and the other is told who did', async () => {
    const operator = await signIn(await open('en-US'), 'op-shizishan');
    const supervisor = await signIn(await open('zh-CN'), 'sup-yanjiang');
    const alert = await raise('gw-0007', 'sos');
    const buttons = await Promise.all(
      [operator, supervisor].map(async (page) => {
        const button = row(page, alert.id).getByTestId('ack-button');
        await button.waitFor();
        return button.elementHandle();
      }),
    );
    // Both clicks leave before either page hears of the other's: a click in the page itself, no waiting.
    await Promise.all(buttons.map((button) => button?.evaluate((b) => (b as HTMLButtonElement).click())));

    const token = await sys.login('admin');
    const acked = await eventually(async () => {
      const { body } = await sys.api<Alert>(token, 'GET', `/api/alerts/${alert.id}`);
      return body.acknowledgedBy ? body : undefined;
    }, 3000);
    const winner = acked.acknowledgedBy;
    expect(['op-shizishan', 'sup-yanjiang']).toContain(winner);
    const loser = winner === 'op-shizishan' ? supervisor : operator;
    const told = winner === 'op-shizishan' ? `已由${winner}确认` : `Already acknowledged by ${winner}`;
    await row(loser, alert.id).getByTestId('ack-notice').filter({ hasText: told }).waitFor({ timeout: 3000 });
    const winnerPage = loser === operator ? supervisor : operator;
    expect(await row(winnerPage, alert.id).getByTestId('ack-notice').count()).toBe(0);
    const timeline = await sys.api<{ action: string }[]>(token, 'GET', `/api/alerts/${alert.id}/timeline`);
    expect(timeline.body.filter((e) => e.action === 'acknowledged')).toHaveLength(1);
    await resolveByRest(alert.id);
  });

  it('the network drops for 10 s while an SOS arrives, and after reconnecting the alert is on screen', async () => {
    const context = await open();
    const page = await signIn(context, 'op-shizishan');
    await context.setOffline(true);
    await page.getByTestId('disconnected-banner').waitFor({ timeout: 5000 });
    const alert = await raise('gw-0013', 'sos');
    await new Promise((r) => setTimeout(r, 10_000));
    expect(await row(page, alert.id).count()).toBe(0);
    await context.setOffline(false);
    await row(page, alert.id).waitFor({ timeout: 15_000 });
    await page.getByTestId('disconnected-banner').waitFor({ state: 'hidden', timeout: 15_000 });
    await page.locator('[data-live="live"]').waitFor();
    await resolveByRest(alert.id);
  });

  it('an elder name and a note holding HTML are shown as text and never run', async () => {
    const admin = await sys.login('admin');
    const name = '<img src=x onerror="window.__pwned=1">';
    const note = '<script>window.__pwned=2</script><b>bold</b>';
    await sys.api(admin, 'POST', '/api/households', {
      id: 'hh-html',
      region: 'ziyang.yanjiang.shizishan',
      address: '<b>bold</b> road 1',
    });
    await sys.api(admin, 'POST', '/api/elders', { id: 'el-html', householdId: 'hh-html', name });
    const gw = await sys.api<{ secret: string }>(admin, 'POST', '/api/gateways', {
      id: 'gw-html',
      householdId: 'hh-html',
      devices: [{ id: 'gw-html-sos', kind: 'rf433-bridge', elderId: 'el-html' }],
    });
    const page = await signIn(await open(), 'op-shizishan');
    const home = new SimulatedHome({
      id: 'gw-html',
      secret: gw.body.secret,
      devices: [{ id: 'gw-html-sos', kind: 'rf433-bridge' }],
    });
    await home.connect(sys.system.mqttUrl);
    const alert = await alertFor('op-shizishan', await home.event('sos'));
    await home.close();

    await row(page, alert.id).getByText(name).waitFor({ timeout: 3000 });
    await row(page, alert.id).click();
    await page.getByTestId('detail-elder').filter({ hasText: name }).waitFor();
    await page.getByTestId('note-input').fill(note);
    await page.getByTestId('note-submit').click();
    await page.getByTestId('timeline-note').filter({ hasText: note }).waitFor({ timeout: 3000 });

    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('b', { hasText: 'bold' }).count()).toBe(0);
    expect(await page.locator('main img, header img').count()).toBe(0);
    await resolveByRest(alert.id);
  });

  it('the detail shows profile, contacts, procedure, devices, six hours of vitals and the timeline, and takes the response through to resolved', async () => {
    const home = await sys.home('gw-0001');
    await home.heartbeat();
    const now = Date.now();
    for (let i = 36; i >= 1; i--) {
      const reading = {
        id: newEventId(),
        ts: timestamp(now - i * 10 * 60_000),
        hr: 72 + Math.round(8 * Math.sin(i / 4)),
        spo2: 96 + (i % 3 === 0 ? 1 : 0),
        rr: 15 + (i % 4 === 0 ? 2 : 0),
      };
      await home.client.publishAsync(
        topics.deviceVitals('gw-0001', 'gw-0001-vitals1'),
        JSON.stringify(reading),
        {
          qos: 1,
        },
      );
    }
    const page = await signIn(await open(), 'op-shizishan');
    const alert = await alertFor('op-shizishan', await home.event('sos'));
    await row(page, alert.id).click();
    const detail = page.getByTestId('alert-detail');
    await detail.waitFor();
    await detail.getByTestId('elder-profile').filter({ hasText: '白内障术后' }).waitFor();
    expect(await detail.getByTestId('access-notes').textContent()).toContain('5楼无电梯');
    expect(await detail.locator('[data-testid="contacts"] a[href="tel:13800000514"]').count()).toBe(1);
    expect(await detail.locator('[data-testid="procedure"] li').count()).toBeGreaterThan(3);
    await detail.getByTestId('device-row').first().waitFor();
    await detail.locator('[data-testid="vitals-chart"] canvas').waitFor();
    // The week's view draws one point per minute from the cloud's aggregates.
    await detail.getByTestId('vitals-range-7d').click();
    await detail.getByTestId('vitals').filter({ hasText: '近 7 天' }).waitFor();
    await detail.locator('[data-testid="vitals-chart"] canvas').waitFor();
    expect(await detail.getByTestId('vitals-range-7d').getAttribute('aria-pressed')).toBe('true');

    await detail.getByTestId('detail-ack-button').click();
    await detail.getByTestId('responder-input').fill('张建华');
    await detail.getByTestId('eta-input').fill('8');
    await detail.getByTestId('milestone-responder_accepted').click();
    await detail.locator('[data-testid="timeline-entry"][data-action="responder_accepted"]').waitFor();
    await detail.getByTestId('milestone-on_scene').click();
    await detail.getByTestId('note-input').fill('老人在客厅摔倒后自行按键，意识清醒，左膝擦伤。');
    await detail.getByTestId('note-submit').click();
    await detail.getByTestId('timeline-note').first().waitFor();
    await detail.locator('[data-testid="timeline-entry"][data-action="on_scene"]').waitFor();
    expect(await detail.getByTestId('timeline').textContent()).toContain('预计 8 分钟到达');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(SCREENSHOTS, 'detail.png'), fullPage: true, animations: 'disabled' });

    await detail.getByTestId('outcome-select').selectOption('assisted');
    await detail.getByTestId('resolve-note').fill('社区医生已上门处理');
    await detail.getByTestId('resolve-button').click();
    const token = await sys.login('op-shizishan');
    const resolved = await eventually(async () => {
      const { body } = await sys.api<Alert>(token, 'GET', `/api/alerts/${alert.id}`);
      return body.state === 'resolved' ? body : undefined;
    }, 3000);
    expect(resolved.outcome).toBe('assisted');
    await row(page, alert.id).waitFor({ state: 'detached' });
  });

  it('the keyboard moves, opens, closes and acknowledges, and ? shows the shortcuts', async () => {
    const page = await signIn(await open('en-US'), 'op-shizishan');
    const alert = await raise('gw-0019', 'sos');
    await row(page, alert.id).waitFor();
    await page.keyboard.press('j');
    await expect.poll(() => row(page, alert.id).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
    await page.getByTestId('alert-detail').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('alert-detail').waitFor({ state: 'detached' });
    await page.keyboard.press('?');
    await page.getByTestId('help-overlay').filter({ hasText: 'Acknowledge the selected alert' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('help-overlay').waitFor({ state: 'detached' });
    await page.keyboard.press('a');
    const token = await sys.login('op-shizishan');
    await eventually(
      async () =>
        (await sys.api<Alert>(token, 'GET', `/api/alerts/${alert.id}`)).body.state === 'acknowledged',
      3000,
      'acknowledged by the keyboard',
    );
    await resolveByRest(alert.id);
  });

  it('the language follows the browser and switches between Chinese and English', async () => {
    const page = await (await open('en-US')).newPage();
    await page.goto(`${sys.http}/`);
    await expect.poll(() => page.getByTestId('login-submit').textContent()).toBe('Sign in');
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.getByTestId('login-submit').textContent()).toBe('登录');
    const zh = await (await open('zh-CN')).newPage();
    await zh.goto(`${sys.http}/`);
    await expect.poll(() => zh.getByTestId('login-submit').textContent()).toBe('登录');
  });

  it('a district supervisor sees counters per community, and the city sees open alerts and answer times per district and community', async () => {
    const alerts = [
      await raise('gw-0002', 'smoke'),
      await raise('gw-0003', 'water_leak'),
      await raise('gw-0007', 'tamper'),
      await raise('gw-0013', 'low_battery'),
      await raise('gw-0005', 'sos'),
    ];
    const inHand = alerts[2] as AlertView;
    await sys.api(await sys.login('op-shizishan'), 'POST', `/api/alerts/${inHand.id}/ack`, {});
    const district = await signIn(await open(), 'sup-yanjiang');
    await expect.poll(() => district.getByTestId('region-counter').count()).toBe(3);
    const shizishan = district.locator(
      '[data-testid="region-counter"][data-region="ziyang.yanjiang.shizishan"]',
    );
    await shizishan.filter({ hasText: '1 条处理中' }).waitFor();
    await district.getByTestId('alert-row').nth(3).waitFor();
    await district.mouse.move(0, 0);
    await district.screenshot({ path: join(SCREENSHOTS, 'queue.png'), animations: 'disabled' });

    const city = await signIn(await open(), 'sup-city');
    await city.getByTestId('nav-regions').click();
    await expect.poll(() => city.getByTestId('region-row').count()).toBe(9);
    const yanjiang = city.locator('[data-testid="region-row"][data-region="ziyang.yanjiang"]');
    expect(await yanjiang.textContent()).toContain('雁江区');
    for (const alert of alerts) await resolveByRest(alert.id);
  });

  it('the figures page charts answer times against the 97.5 % and 99 % targets', async () => {
    const page = await signIn(await open(), 'sup-city');
    await page.getByTestId('nav-figures').click();
    await page.getByTestId('kpi-60').filter({ hasText: '97.5' }).waitFor();
    await page.getByTestId('kpi-180').filter({ hasText: '99.0' }).waitFor();
    for (const chart of ['chart-daily-60', 'chart-daily-p50', 'chart-daily-total', 'chart-groups'])
      await page.locator(`[data-testid="${chart}"] canvas`).waitFor();
    await page.getByTestId('by-type').filter({ hasText: '一键呼叫' }).waitFor();
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(SCREENSHOTS, 'figures.png'), fullPage: true, animations: 'disabled' });
  });

  it('only an admin sees the simulator, and its SOS button raises an alert on the queue', async () => {
    const operator = await signIn(await open(), 'op-shizishan');
    expect(await operator.getByTestId('nav-sim').count()).toBe(0);
    const page = await signIn(await open(), 'admin');
    await page.getByTestId('nav-sim').click();
    await page.getByTestId('sim-home').selectOption('gw-0019');
    const before = (await sys.api<Alert[]>(await sys.login('admin'), 'GET', '/api/alerts?state=open')).body;
    await page.getByTestId('sim-sos').click();
    await page.getByTestId('sim-message').filter({ hasText: 'gw-0019' }).waitFor();
    await page.getByTestId('nav-queue').click();
    const token = await sys.login('admin');
    const raised = await eventually(async () => {
      const open = (await sys.api<Alert[]>(token, 'GET', '/api/alerts?state=open')).body;
      return open.find((a) => a.gatewayId === 'gw-0019' && !before.some((b) => b.id === a.id));
    }, 5000);
    await row(page, raised.id).waitFor();
    await resolveByRest(raised.id);
  });

  it('smoke from the simulator’s kitchen shows as “烟雾报警 · 厨房” on the queue, the alarm banner and the detail', async () => {
    const page = await signIn(await open(), 'admin');
    await page.getByTestId('start-shift').click();
    await page.getByTestId('nav-sim').click();
    await page.getByTestId('sim-home').selectOption('gw-0018');
    await page.getByTestId('sim-smoke').click();
    await page.getByTestId('sim-message').filter({ hasText: 'gw-0018' }).waitFor();
    await page.getByTestId('nav-queue').click();
    const token = await sys.login('admin');
    const raised = await eventually(async () => {
      const open = (await sys.api<Alert[]>(token, 'GET', '/api/alerts?state=open')).body;
      return open.find((a) => a.gatewayId === 'gw-0018' && a.type === 'smoke');
    }, 5000);
    await row(page, raised.id).filter({ hasText: '烟雾报警 · 厨房' }).waitFor();
    await page.getByTestId('alarm-banner').filter({ hasText: '烟雾报警 · 厨房' }).waitFor();
    await row(page, raised.id).click();
    await page.getByTestId('alert-details').filter({ hasText: '房间: 厨房' }).waitFor();
    await resolveByRest(raised.id);
  });
});
