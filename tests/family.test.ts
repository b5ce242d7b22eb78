import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../cloud/domain/secrets.ts';
import type { Alert } from '../protocol/index.ts';
import { eventually, TestSystem } from './support/system.ts';

type TimelineEntry = { actor: string; action: string; note?: string; data?: Record<string, unknown> };
type FamilyElder = {
  id: string;
  name: string;
  atHome: boolean | null;
  devices: { id: string; online: boolean | null }[];
  latestVitals: Record<string, number | string> | null;
  openAlerts: (Alert & { centre: Record<string, unknown>[] })[];
  history: { id: string; outcome?: string }[];
};
/** One way in: what it gives a family member of el-0001 for another elder, and for their own. */
interface Row {
  what: string;
  ask: (t: Target) => Promise<string>;
  forOther: string;
  forOwn: string;
}
interface Target {
  elderId: string;
  householdId: string;
  gatewayId: string;
  alertId: string;
}

const FAMILY = 'family-el-0001';
/** A second family member of el-0001, made by the test: the next one in the call chain. */
const SECOND = { username: 'family-el-0001-b', password: 'second-daughter-pw' };

describe('a family member sees and acts on their own elder only', () => {
  let sys: TestSystem;
  let family: string;
  let admin: string;
  const own = { elderId: 'el-0001', householdId: 'hh-0001', gatewayId: 'gw-0001', alertId: '' };
  const other = { elderId: 'el-0003', householdId: 'hh-0002', gatewayId: 'gw-0002', alertId: '' };

  /** Resolves what is open on the gateway, so the next SOS raises a new alert rather than repeating one. */
  async function freshSos(gatewayId: string): Promise<Alert> {
    for (const a of (await sys.api<Alert[]>(admin, 'GET', '/api/alerts')).body)
      if (a.gatewayId === gatewayId && a.state !== 'resolved')
        await sys.api(admin, 'POST', `/api/alerts/${a.id}/resolve`, { outcome: 'false_alarm' });
    const home = await sys.home(gatewayId);
    const eventId = await home.event('sos');
    return eventually(
      async () =>
        (await sys.api<Alert[]>(admin, 'GET', '/api/alerts')).body.find((a) => a.eventId === eventId),
      3000,
      `the SOS of ${gatewayId}`,
    );
  }

  async function loginAs(username: string, password: string): Promise<string> {
    const res = await sys.api<{ token: string }>(null, 'POST', '/api/session', { username, password });
    expect(res.status).toBe(200);
    return res.body.token;
  }

  beforeAll(async () => {
    sys = await TestSystem.start();
    admin = await sys.login('admin');
    family = await sys.login(FAMILY);
    own.alertId = (await freshSos(own.gatewayId)).id;
    other.alertId = (await freshSos(other.gatewayId)).id;
  });
  afterAll(async () => {
    await sys?.stop();
  });

  const status =
    (path: (t: Target) => string, method = 'GET', body?: unknown) =>
    async (t: Target) =>
      `${(await sys.api(family, method, path(t), body)).status}`;

  const ROWS: Row[] = [
    {
      what: 'GET /api/alerts',
      ask: async (t) => {
        const ids = (await sys.api<Alert[]>(family, 'GET', '/api/alerts')).body.map((a) => a.id);
        return ids.includes(t.alertId) ? 'listed' : 'not listed';
      },
      forOther: 'not listed',
      forOwn: 'listed',
    },
    {
      what: 'GET /api/alerts/:id',
      ask: status((t) => `/api/alerts/${t.alertId}`),
      forOther: '404',
      forOwn: '200',
    },
    {
      what: 'GET /api/alerts/:id/timeline',
      ask: status((t) => `/api/alerts/${t.alertId}/timeline`),
      forOther: '404',
      forOwn: '200',
    },
    {
      what: 'GET /api/elders/:id',
      ask: status((t) => `/api/elders/${t.elderId}`),
      forOther: '404',
      forOwn: '200',
    },
    {
      what: 'GET /api/elders/:id/vitals',
      ask: status((t) => `/api/elders/${t.elderId}/vitals`),
      forOther: '404',
      forOwn: '200',
    },
    {
      what: 'GET /api/households/:id',
      ask: status((t) => `/api/households/${t.householdId}`),
      forOther: '404',
      forOwn: '200',
    },
    {
      what: 'GET /api/households/:id/events',
      ask: status((t) => `/api/households/${t.householdId}/events`),
      forOther: '404',
      forOwn: '200',
    },
    {
      what: 'GET /api/family/elders',
      ask: async (t) => {
        const elders = (await sys.api<FamilyElder[]>(family, 'GET', '/api/family/elders')).body;
        const elder = elders.find((e) => e.id === t.elderId);
        const alert = elders.flatMap((e) => e.openAlerts).find((a) => a.id === t.alertId);
        return elder && alert ? 'elder and alert shown' : elder || alert ? 'partly shown' : 'absent';
      },
      forOther: 'absent',
      forOwn: 'elder and alert shown',
    },
    {
      what: 'POST /api/alerts/:id/accept',
      ask: status((t) => `/api/alerts/${t.alertId}/accept`, 'POST', { etaMinutes: 10 }),
      forOther: '404',
      forOwn: '201',
    },
    {
      what: 'the socket’s alert:raised of a new SOS',
      ask: async (t) => {
        const socket = await sys.dispatcher(FAMILY);
        const operator = await sys.dispatcher('admin');
        const alert = await freshSos(t.gatewayId);
        await eventually(() => operator.raised.some((a) => a.id === alert.id), 3000, 'the operator push');
        // The family push goes out in the same beat as the operator's: a short wait is enough to miss none.
        await new Promise((r) => setTimeout(r, 300));
        socket.socket.close();
        operator.socket.close();
        return socket.raised.some((a) => a.id === alert.id) ? 'received' : 'not received';
      },
      forOther: 'not received',
      forOwn: 'received',
    },
  ];

  it.each(ROWS)(
    'through $what a family member gets "$forOther" for another elder and "$forOwn" for their own',
    async ({ ask, forOther, forOwn }) => {
      expect(await ask(other)).toBe(forOther);
      expect(await ask(own)).toBe(forOwn);
    },
  );

  it('the family page API is for family users only, and for logged-in ones', async () => {
    expect((await sys.api(null, 'GET', '/api/family/elders')).status).toBe(401);
    expect((await sys.api(await sys.login('op-shizishan'), 'GET', '/api/family/elders')).status).toBe(403);
    const [elder, ...rest] = (await sys.api<FamilyElder[]>(family, 'GET', '/api/family/elders')).body;
    expect(rest).toEqual([]);
    expect(elder).toMatchObject({ id: 'el-0001', name: '黄德明', atHome: null, latestVitals: null });
    expect(elder?.devices.map((d) => d.id).sort()).toEqual([
      'gw-0001-breath',
      'gw-0001-fall',
      'gw-0001-sos',
      'gw-0001-vitals1',
    ]);
  });

  it('presence and vitals from the home show on the card: at home, and the latest readings', async () => {
    const home = await sys.home('gw-0001');
    await home.event('absence', { deviceId: 'gw-0001-fall' });
    await home.event('presence', { deviceId: 'gw-0001-breath' });
    await home.vitals({ hr: 76, spo2: 97 }, 'gw-0001-vitals1');
    const elder = await eventually(async () => {
      const [e] = (await sys.api<FamilyElder[]>(family, 'GET', '/api/family/elders')).body;
      return e?.atHome === true && e.latestVitals ? e : undefined;
    }, 3000);
    expect(elder.latestVitals).toMatchObject({ hr: 76, spo2: 97 });
    await home.event('absence', { deviceId: 'gw-0001-breath' });
    await eventually(
      async () =>
        (await sys.api<FamilyElder[]>(family, 'GET', '/api/family/elders')).body[0]?.atHome === false,
      3000,
      'every radar empty and no door sensor: out',
    );
  });

  it('an operator cannot accept for the family (403), and a resolved alert cannot be accepted (409)', async () => {
    const alert = await freshSos(own.gatewayId);
    const operator = await sys.login('op-shizishan');
    expect((await sys.api(operator, 'POST', `/api/alerts/${alert.id}/accept`, {})).status).toBe(403);
    await sys.api(admin, 'POST', `/api/alerts/${alert.id}/resolve`, { outcome: 'false_alarm' });
    expect((await sys.api(family, 'POST', `/api/alerts/${alert.id}/accept`, { etaMinutes: 5 })).status).toBe(
      409,
    );
    const [elder] = (await sys.api<FamilyElder[]>(family, 'GET', '/api/family/elders')).body;
    expect(elder?.history.find((h) => h.id === alert.id)).toMatchObject({ outcome: 'false_alarm' });
  });

  it('when the daughter says she is on her way with ETA 15, the operator is told, the timeline has it, and the rest of the chain is called off', async () => {
    await sys.system.cloud.registry.insertUser({
      username: SECOND.username,
      passwordHash: await hashSecret(SECOND.password),
      role: 'family',
      scope: 'ziyang.yanjiang.shizishan',
      elderIds: ['el-0001'],
    });
    const second = await loginAs(SECOND.username, SECOND.password);
    const prefs = { push: true, webhook: 'https://127.0.0.1:9/hook', severities: ['critical', 'high'] };
    for (const token of [family, second])
      expect((await sys.api(token, 'PUT', '/api/me/notifications', prefs)).status).toBe(200);
    const operator = await sys.dispatcher('op-shizishan');
    const alert = await freshSos(own.gatewayId);
    const chain = async () =>
      (await sys.system.cloud.notifications.ofAlert(alert.id)).filter((n) => n.reason === 'alert');
    expect((await chain()).find((n) => n.recipient === SECOND.username)?.status).toBe('pending');

    const res = await sys.api<Alert>(family, 'POST', `/api/alerts/${alert.id}/accept`, { etaMinutes: 15 });
    expect(res.status).toBe(201);
    await eventually(
      () => operator.updated.some((a) => a.id === alert.id),
      3000,
      'alert:updated to the operator',
    );
    const timeline = (await sys.api<TimelineEntry[]>(admin, 'GET', `/api/alerts/${alert.id}/timeline`)).body;
    expect(timeline.filter((e) => e.action === 'family_accepted')).toEqual([
      {
        at: expect.any(String),
        actor: FAMILY,
        action: 'family_accepted',
        data: { by: FAMILY, etaMinutes: 15 },
      },
    ]);
    expect((await chain()).find((n) => n.recipient === SECOND.username)?.status).toBe('cancelled');
    expect((await chain()).some((n) => n.status === 'pending')).toBe(false);
    // Tapping again with the same ETA records nothing new.
    expect((await sys.api(family, 'POST', `/api/alerts/${alert.id}/accept`, { etaMinutes: 15 })).status).toBe(
      200,
    );
    const [elder] = (await sys.api<FamilyElder[]>(second, 'GET', '/api/family/elders')).body;
    const centre = elder?.openAlerts.find((a) => a.id === alert.id)?.centre;
    expect(centre).toEqual([
      { at: expect.any(String), action: 'family_accepted', by: FAMILY, etaMinutes: 15 },
    ]);
  });

  it('the centre entries a family sees carry what was done and never the operators’ notes', async () => {
    const alert = await freshSos(own.gatewayId);
    const operator = await sys.login('op-shizishan');
    await sys.api(operator, 'POST', `/api/alerts/${alert.id}/ack`, { note: 'internal: son unreachable' });
    await sys.api(operator, 'POST', `/api/alerts/${alert.id}/notes`, {
      note: 'internal: neighbour has a key',
    });
    await sys.api(operator, 'POST', `/api/alerts/${alert.id}/milestones`, {
      milestone: 'responder_accepted',
      responder: '张建华',
      etaMinutes: 8,
      note: 'internal: take the AED',
    });
    const [elder] = (await sys.api<FamilyElder[]>(family, 'GET', '/api/family/elders')).body;
    const centre = elder?.openAlerts.find((a) => a.id === alert.id)?.centre;
    expect(centre).toEqual([
      { at: expect.any(String), action: 'acknowledged' },
      { at: expect.any(String), action: 'responder_accepted', responder: '张建华', etaMinutes: 8 },
    ]);
    expect(JSON.stringify(elder)).not.toContain('internal:');
  });

  it('the notification’s own token accepts without a login, and a wrong token gets 403', async () => {
    const alert = await freshSos(own.gatewayId);
    const notification = (await sys.system.cloud.notifications.ofAlert(alert.id)).find(
      (n) => n.recipient === FAMILY && n.reason === 'alert',
    );
    if (!notification) throw new Error('no notification planned for the family');
    const path = `/api/notifications/${encodeURIComponent(notification.id)}/accept`;
    expect((await sys.api(null, 'POST', path, { token: 'forged' })).status).toBe(403);
    const forOther = sys.system.cloud.notifications.sign(`${notification.id}x`);
    expect((await sys.api(null, 'POST', path, { token: forOther })).status).toBe(403);
    const token = sys.system.cloud.notifications.sign(notification.id);
    expect((await sys.api(null, 'POST', path, { token, etaMinutes: 20 })).status).toBe(201);
    const timeline = (await sys.api<TimelineEntry[]>(admin, 'GET', `/api/alerts/${alert.id}/timeline`)).body;
    expect(timeline.find((e) => e.action === 'family_accepted')).toMatchObject({
      actor: FAMILY,
      data: { by: FAMILY, etaMinutes: 20 },
    });
  });
});
