import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DayFigures, Figures } from '../cloud/domain/figures.ts';
import type { OverdueCommunity, Visit, VisitRates } from '../cloud/domain/visits.ts';
import { type Alert, timestamp } from '../protocol/index.ts';
import { eventually, TestSystem } from './support/system.ts';

const SHIZISHAN = 'ziyang.yanjiang.shizishan';
const homeVisit = (at = timestamp()) => ({
  visitedAt: at,
  visitor: '网格员张芳',
  kind: 'home',
  outcome: 'well',
});

describe('service figures and welfare visits in the running system', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await TestSystem.start();
  });
  afterAll(async () => {
    await sys.stop();
  });

  const overdueIds = async (token: string): Promise<string[]> => {
    const { body } = await sys.api<{ communities: OverdueCommunity[] }>(token, 'GET', '/api/visits/overdue');
    return body.communities.flatMap((c) => c.overdue.map((e) => e.elderId));
  };

  it('an operator records a home visit and the elder leaves the overdue list and counts for the month', async () => {
    const token = await sys.login('op-shizishan');
    expect(await overdueIds(token)).toEqual(expect.arrayContaining(['el-0001', 'el-0009']));
    const made = await sys.api<Visit>(token, 'POST', '/api/elders/el-0001/visits', homeVisit());
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ elderId: 'el-0001', kind: 'home', recordedBy: 'op-shizishan' });
    const after = await overdueIds(token);
    expect(after).not.toContain('el-0001');
    expect(after).toContain('el-0009');
    const listed = await sys.api<Visit[]>(token, 'GET', '/api/elders/el-0001/visits');
    expect(listed.body.map((v) => v.id)).toEqual([made.body.id]);
    const rate = await sys.api<VisitRates>(token, 'GET', '/api/visits/rate');
    expect(rate.body.communities).toEqual([{ region: SHIZISHAN, atRisk: 4, visited: 1, rate: 0.25 }]);
  });

  it('a visit dated in the future is refused, naming the field', async () => {
    const token = await sys.login('op-shizishan');
    const res = await sys.api<{ message: string }>(
      token,
      'POST',
      '/api/elders/el-0009/visits',
      homeVisit(timestamp(Date.now() + 3_600_000)),
    );
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/visitedAt/);
  });

  it('an operator of another community gets 404 for that community’s elder, visits and figures', async () => {
    const token = await sys.login('op-sanxianci');
    expect((await sys.api(token, 'POST', '/api/elders/el-0001/visits', homeVisit())).status).toBe(404);
    expect((await sys.api(token, 'GET', '/api/elders/el-0001/visits')).status).toBe(404);
    expect((await sys.api(token, 'GET', `/api/visits/overdue?region=${SHIZISHAN}`)).status).toBe(404);
    expect((await sys.api(token, 'GET', `/api/figures?region=${SHIZISHAN}`)).status).toBe(404);
    expect((await sys.api(token, 'GET', '/api/figures?region=ziyang.nowhere')).status).toBe(404);
  });

  it('a family user gets 403 for figures and for recording visits, and may read visits to their own elder', async () => {
    const token = await sys.login('family-el-0001');
    expect((await sys.api(token, 'GET', '/api/figures')).status).toBe(403);
    expect((await sys.api(token, 'GET', '/api/figures/daily')).status).toBe(403);
    expect((await sys.api(token, 'GET', '/api/visits/overdue')).status).toBe(403);
    expect((await sys.api(token, 'POST', '/api/elders/el-0001/visits', homeVisit())).status).toBe(403);
    expect((await sys.api(token, 'GET', '/api/elders/el-0001/visits')).status).toBe(200);
    expect((await sys.api(token, 'GET', '/api/elders/el-0003/visits')).status).toBe(404);
  });

  it('figures over REST count the SOS alerts raised and acknowledged in the caller’s community', async () => {
    const token = await sys.login('op-shizishan');
    const ids = [
      await (await sys.home('gw-0001')).event('sos'),
      await (await sys.home('gw-0007')).event('sos'),
    ];
    const alerts = await eventually(
      async () => {
        const { body } = await sys.api<Alert[]>(token, 'GET', '/api/alerts');
        const mine = body.filter((a) => ids.includes(a.eventId));
        return mine.length === 2 && mine;
      },
      3000,
      'two SOS alerts',
    );
    for (const a of alerts)
      expect((await sys.api(token, 'POST', `/api/alerts/${a.id}/ack`, {})).status).toBe(200);

    const { body } = await sys.api<Figures>(token, 'GET', '/api/figures');
    expect(body.region).toBe(SHIZISHAN);
    expect(body.overall).toMatchObject({ total: 2, acknowledged: 2, byType: { sos: 2 }, openNow: 2 });
    expect(body.overall.ackWithin180sShare).toBe(1);
    const city = await sys.api<Figures>(await sys.login('sup-city'), 'GET', '/api/figures?groupBy=community');
    expect(city.body.groups.find((g) => g.region === SHIZISHAN)?.total).toBe(2);
    expect(city.body.groups.map((g) => g.total).reduce((a, b) => a + b)).toBe(2);
    const daily = await sys.api<{ days: DayFigures[] }>(token, 'GET', '/api/figures/daily');
    expect(daily.body.days.map((d) => d.total).reduce((a, b) => a + b)).toBe(2);
  });

  it('a period that ends before it begins is refused', async () => {
    const token = await sys.login('sup-city');
    const res = await sys.api(token, 'GET', '/api/figures?from=2026-11-02&to=2026-11-01');
    expect(res.status).toBe(400);
  });
});
