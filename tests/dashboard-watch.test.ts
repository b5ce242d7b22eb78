import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboard } from '../dashboard/build.ts';
import type { WatchListAnswer } from '../protocol/index.ts';
import { launchChromium, signInDashboard } from './support/browser.ts';
import { demoUser, TestSystem } from './support/system.ts';

const SCREENSHOTS = join(import.meta.dirname, '..', 'docs', 'screenshots');
// 周建国 lives alone in 莲台 (hh-0003, gateway gw-0003); 周光荣 (el-0011) does not walk unaided.
const LONE = 'el-0004';
const OTHER = 'el-0011';

describe('the community worker’s watch list in a real browser', () => {
  let sys: TestSystem;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    await ensureDashboard({ whenStale: true });
    browser = await launchChromium();
    sys = await TestSystem.start();
    await mkdir(SCREENSHOTS, { recursive: true });
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    page = await signInDashboard(
      await context.newPage(),
      sys.http,
      'op-liantai',
      demoUser('op-liantai').password,
    );
  }, 600_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await sys?.stop();
  });

  const row = (elderId: string): Locator =>
    page.locator(`[data-testid="watch-row"][data-elder-id="${elderId}"]`);

  it('a lone elder never visited shows as overdue with no sign of activity, at the top', async () => {
    await page.getByTestId('nav-watch').click();
    await row(LONE).waitFor();
    expect(await row(LONE).getAttribute('data-overdue')).toBe('true');
    expect(await row(LONE).getByTestId('watch-visit').textContent()).toContain('从未上门');
    expect(await row(LONE).getByTestId('watch-activity').textContent()).toBe('从无活动记录');
    expect(await row(LONE).textContent()).toContain('独居');
    // Everyone in 莲台 is overdue on a fresh system; the list is the community's at-risk elders only.
    const ids = await page
      .getByTestId('watch-row')
      .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.elderId));
    expect(ids.sort()).toEqual(['el-0004', 'el-0011', 'el-0012', 'el-0021', 'el-0028']);
    expect(await page.getByTestId('watch-count').textContent()).toBe('共 5 人 · 逾期 5 人');
  });

  it('a door event moves the elder’s last activity', async () => {
    const home = await sys.home('gw-0003');
    // A 433 MHz door magnet reaches the cloud through the home's bridge.
    await home.event('door_open', { deviceId: 'gw-0003-sos' });
    await expect
      .poll(
        async () => {
          await page.getByTestId('watch-refresh').click();
          return row(LONE).getByTestId('watch-activity').textContent();
        },
        { timeout: 5000 },
      )
      .toBe('刚刚 · 开门');
  });

  it('recording a home visit clears the overdue visit; a phone call is contact but leaves it overdue', async () => {
    await row(OTHER).getByTestId('watch-record').click();
    const otherForm = page.locator(`[data-testid="watch-form"][data-elder-id="${OTHER}"]`);
    await otherForm.getByTestId('visit-kind').selectOption('phone');
    await otherForm.getByTestId('visit-outcome').selectOption('needs_followup');
    expect(await otherForm.getByTestId('visit-visitor').inputValue()).toBe('op-liantai');
    await otherForm.getByTestId('visit-save').click();
    await row(OTHER).getByTestId('watch-saved').waitFor();
    expect(await row(OTHER).getAttribute('data-overdue')).toBe('true');
    expect(await row(OTHER).getByTestId('watch-contact').textContent()).toContain('电话');

    await row(LONE).getByTestId('watch-record').click();
    const form = page.locator(`[data-testid="watch-form"][data-elder-id="${LONE}"]`);
    await form.getByTestId('visit-visitor').fill('张社工');
    await form.getByTestId('visit-notes').fill('冰箱有菜，精神好');
    await form.getByTestId('visit-save').click();
    await page.locator(`[data-testid="watch-row"][data-elder-id="${LONE}"][data-overdue="false"]`).waitFor();
    expect(await row(LONE).getByTestId('watch-visit').textContent()).toBe(
      '30 天后到期上次 刚刚 · 张社工 · 情况良好',
    );
    expect(await page.getByTestId('watch-count').textContent()).toBe('共 5 人 · 逾期 4 人');
    // No longer overdue, the elder goes below everyone still owed a visit.
    const last = await page.getByTestId('watch-row').last().getAttribute('data-elder-id');
    expect(last).toBe(LONE);
    const token = await sys.login('op-liantai');
    const visits = (
      await sys.api<{ kind: string; visitor: string; recordedBy: string; notes?: string }[]>(
        token,
        'GET',
        `/api/elders/${LONE}/visits`,
      )
    ).body;
    expect(visits).toEqual([
      expect.objectContaining({
        kind: 'home',
        visitor: '张社工',
        recordedBy: 'op-liantai',
        notes: '冰箱有菜，精神好',
      }),
    ]);
    const answer = (await sys.api<WatchListAnswer>(token, 'GET', '/api/watchlist')).body;
    expect(answer.elders.find((e) => e.elderId === LONE)).toMatchObject({
      overdue: false,
      lastActivity: { type: 'door_open' },
    });

    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(SCREENSHOTS, 'watch.png'), animations: 'disabled' });
  });

  it('“overdue only” hides the elder just visited and keeps the rest', async () => {
    await page.getByTestId('watch-overdue-only').check();
    await row(LONE).waitFor({ state: 'detached' });
    expect(await page.getByTestId('watch-row').count()).toBe(4);
    expect(await row(OTHER).count()).toBe(1);
    await page.getByTestId('watch-overdue-only').uncheck();
    await row(LONE).waitFor();
  });
});
