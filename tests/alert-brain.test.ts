import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../protocol/index.ts';
import { eventually, TestSystem } from './support/system.ts';

type AlertView = Alert & { firstPushedAt?: string };

describe('the alerting brain in the running system', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await TestSystem.start(undefined, {}, { ESCALATE_AFTER_S: '1', FALL_GRACE_S: '1' });
  });
  afterAll(async () => {
    await sys.stop();
  });

  it('an SOS nobody acknowledges is pushed again to the district supervisor as it escalates, and first-on-screen time is kept', async () => {
    const operator = await sys.dispatcher('op-liantai');
    const supervisor = await sys.dispatcher('sup-yanjiang');
    const home = await sys.home('gw-0003');
    const eventId = await home.event('sos');
    const raised = await eventually(() => operator.raised.find((a) => a.eventId === eventId), 2000, 'raised');
    const escalated = await eventually(
      () => supervisor.updated.find((a) => a.id === raised.id && a.escalationLevel >= 1),
      4000,
      'escalated',
    );
    expect(escalated.state).toBe('open');
    const token = await sys.login('op-liantai');
    const { body } = await sys.api<AlertView>(token, 'GET', `/api/alerts/${raised.id}`);
    expect(Date.parse(body.firstPushedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(body.raisedAt));
    await sys.api(token, 'POST', `/api/alerts/${raised.id}/ack`, {});
  });

  it('a radar fall without recovery becomes a critical alert after FALL_GRACE_S, and one cleared in time does not', async () => {
    const operator = await sys.dispatcher('op-shizishan');
    const home = await sys.home('gw-0001');
    const cleared = await home.event('fall');
    await home.event('fall_cleared');
    const fallen = await home.event('fall', { deviceId: 'gw-0001-fall' });
    const alert = await eventually(() => operator.raised.find((a) => a.type === 'fall'), 4000, 'fall alert');
    expect(alert).toMatchObject({ severity: 'critical', eventId: fallen });
    expect(operator.raised.some((a) => a.eventId === cleared)).toBe(false);
  });

  it('operators add notes and responder milestones; family members may not', async () => {
    const token = await sys.login('op-sanxianci');
    const family = await sys.login('family-el-0003');
    const home = await sys.home('gw-0002');
    const eventId = await home.event('sos');
    const alert = await eventually(
      async () =>
        (await sys.api<Alert[]>(token, 'GET', '/api/alerts')).body.find((a) => a.eventId === eventId),
      2000,
    );
    expect(
      (await sys.api(token, 'POST', `/api/alerts/${alert.id}/notes`, { note: '邻居已去敲门' })).status,
    ).toBe(201);
    const milestone = await sys.api(token, 'POST', `/api/alerts/${alert.id}/milestones`, {
      milestone: 'responder_accepted',
      responder: '网格员王芳',
      etaMinutes: 8,
    });
    expect(milestone.status).toBe(201);
    // The family sees their elder's alert, but the timeline is the centre's to write.
    expect((await sys.api(family, 'GET', `/api/alerts/${alert.id}`)).status).toBe(200);
    expect((await sys.api(family, 'POST', `/api/alerts/${alert.id}/notes`, { note: 'x' })).status).toBe(403);
    const { body: seenByFamily } = await sys.api<{ action: string; note?: string }[]>(
      family,
      'GET',
      `/api/alerts/${alert.id}/timeline`,
    );
    expect(seenByFamily.some((e) => e.action === 'note' || e.note === '邻居已去敲门')).toBe(false);
    expect(seenByFamily.map((e) => e.action)).toContain('responder_accepted');
    const { body: timeline } = await sys.api<{ action: string; actor: string }[]>(
      token,
      'GET',
      `/api/alerts/${alert.id}/timeline`,
    );
    expect(timeline.map((e) => e.action)).toEqual(
      expect.arrayContaining(['raised', 'note', 'responder_accepted']),
    );
  });

  it('a supervisor tightens one elder’s heart-rate limit, and vitals past it for the set time raise one vitals alert', async () => {
    const sup = await sys.login('sup-yanjiang');
    const operator = await sys.dispatcher('op-liantai');
    const bad = await sys.api<{ message: string }>(sup, 'PUT', '/api/elders/el-0004/rules/vitals', {
      hr: { high: 'fast' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('body/hr/high must be a number ≥ 0');
    const ok = await sys.api<{ effective: { forS: number } }>(
      sup,
      'PUT',
      '/api/elders/el-0004/rules/vitals',
      { hr: { high: 100 }, forS: 1 },
    );
    expect(ok.status).toBe(200);
    expect(ok.body.effective.forS).toBe(1);
    const op = await sys.login('op-liantai');
    expect((await sys.api(op, 'PUT', '/api/elders/el-0004/rules/vitals', { forS: 5 })).status).toBe(403);
    const home = await sys.home('gw-0003');
    const device = home.gateway.devices.find(
      (d) => d.elderId === 'el-0004' && (d.kind === 'ble-vitals' || d.kind === 'mr60bha1'),
    )?.id;
    await home.vitals({ hr: 110 }, device);
    await new Promise((r) => setTimeout(r, 1200));
    await home.vitals({ hr: 112 }, device);
    const alert = await eventually(
      () => operator.raised.find((a) => a.type === 'vitals' && a.elderId === 'el-0004'),
      3000,
      'vitals alert',
    );
    expect(alert.severity).toBe('medium');
  });

  it('a smoke alarm is a critical alert that names the room its detector is in', async () => {
    const operator = await sys.dispatcher('op-shizishan');
    const home = await sys.home('gw-0001');
    await home.event('smoke', { deviceId: 'gw-0001-fall' });
    const alert = await eventually(
      () => operator.raised.find((a) => a.type === 'smoke'),
      2000,
      'smoke alert',
    );
    expect(alert).toMatchObject({ severity: 'critical', details: { room: '卫生间' } });
  });
});
