import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Alert, timestamp, topics } from '../protocol/index.ts';
import { eventually, TestSystem } from './support/system.ts';

async function metric(sys: TestSystem, name: string): Promise<number> {
  const text = await (await fetch(`${sys.http}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('operators see only their part of the city', () => {
  let sys: TestSystem;
  let alert: Alert;
  beforeAll(async () => {
    sys = await TestSystem.start();
    const own = await sys.dispatcher('op-shizishan');
    const home = await sys.home('gw-0001');
    const id = await home.event('sos');
    alert = await eventually(() => own.raised.find((a) => a.eventId === id), 2000, 'raised');
  });
  afterAll(async () => {
    await sys.stop();
  });

  it('an operator of another community neither lists, gets, acknowledges nor receives the alert', async () => {
    const other = await sys.dispatcher('op-sanxianci');
    const token = await sys.login('op-sanxianci');
    const home = await sys.home('gw-0001');
    const second = await home.event('sos', { deviceId: 'gw-0001-fall' });
    expect((await sys.api<Alert[]>(token, 'GET', '/api/alerts')).body.map((a) => a.id)).not.toContain(
      alert.id,
    );
    expect((await sys.api(token, 'GET', `/api/alerts/${alert.id}`)).status).toBe(404);
    expect((await sys.api(token, 'POST', `/api/alerts/${alert.id}/ack`, {})).status).toBe(404);
    expect(
      (await sys.api(token, 'POST', `/api/alerts/${alert.id}/resolve`, { outcome: 'assisted' })).status,
    ).toBe(404);
    const sup = await sys.login('sup-yanjiang');
    await eventually(
      async () =>
        (await sys.api<Alert & { repeatCount: number }>(sup, 'GET', `/api/alerts/${alert.id}`)).body
          .repeatCount === 1,
      2000,
      'repeat recorded',
    );
    expect(second).toBeTruthy();
    expect(other.raised).toHaveLength(0);
    expect(other.updated).toHaveLength(0);
    expect((await sys.api<Alert>(token, 'GET', `/api/alerts/${alert.id}`)).status).toBe(404);
  });

  it('the district supervisor and the city supervisor above the community see it; the other district does not', async () => {
    for (const [user, sees] of [
      ['sup-yanjiang', true],
      ['sup-city', true],
      ['admin', true],
      ['sup-anyue', false],
    ] as const) {
      const token = await sys.login(user);
      expect((await sys.api(token, 'GET', `/api/alerts/${alert.id}`)).status, user).toBe(sees ? 200 : 404);
    }
  });

  it('a family member sees their own elder’s alert but cannot acknowledge it, and sees no one else’s', async () => {
    const mine = await sys.login('family-el-0001');
    const theirs = await sys.login('family-el-0003');
    expect((await sys.api(mine, 'GET', `/api/alerts/${alert.id}`)).status).toBe(200);
    expect((await sys.api(mine, 'POST', `/api/alerts/${alert.id}/ack`, {})).status).toBe(403);
    expect((await sys.api(theirs, 'GET', `/api/alerts/${alert.id}`)).status).toBe(404);
    expect((await sys.api<Alert[]>(theirs, 'GET', '/api/alerts')).body).toEqual([]);
  });

  it('without a token every API route answers 401, and health answers without one', async () => {
    for (const [method, path] of [
      ['GET', '/api/alerts'],
      ['GET', `/api/alerts/${alert.id}`],
      ['POST', `/api/alerts/${alert.id}/ack`],
      ['POST', `/api/alerts/${alert.id}/resolve`],
      ['POST', '/api/households'],
      ['POST', '/api/elders'],
      ['POST', '/api/gateways'],
      ['GET', '/api/session'],
    ]) {
      expect(
        (await sys.api(null, method as string, path as string, method === 'POST' ? {} : undefined)).status,
        `${method} ${path}`,
      ).toBe(401);
    }
    expect((await sys.api(null, 'GET', '/api/health')).body).toEqual({ status: 'ok' });
    expect((await sys.api('made-up-token', 'GET', '/api/alerts')).status).toBe(401);
  });

  it('a socket without a valid token is refused', async () => {
    const socket = io(`${sys.http}/dispatch`, {
      auth: { token: 'nope' },
      transports: ['websocket'],
      reconnection: false,
    });
    const error = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
    socket.close();
    expect(error.message).toBe('unauthorized');
  });

  it('a wrong password answers 401, and the session cookie alone authenticates', async () => {
    const bad = await fetch(`${sys.http}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'wrong' }),
    });
    expect(bad.status).toBe(401);
    const res = await fetch(`${sys.http}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: 'admin',
        password: (await import('./support/system.ts')).demoUser('admin').password,
      }),
    });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/i);
    const me = await fetch(`${sys.http}/api/session`, {
      headers: { cookie: cookie.split(';')[0] as string },
    });
    expect(me.status).toBe(200);
  });
});

describe('bad gateway input is dropped and counted, and loses nothing else', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await TestSystem.start();
  });
  afterAll(async () => {
    await sys.stop();
  });

  it('malformed JSON, wrong types, unknown event types and oversized payloads are dropped, and the next valid SOS still works', async () => {
    const token = await sys.login('sup-city');
    const home = await sys.home('gw-0010');
    const topic = topics.deviceEvent('gw-0010', 'gw-0010-sos');
    const bad = [
      '{"id": "abcdefgh", "ts": ',
      JSON.stringify({ id: 12345678, ts: timestamp(), type: 'sos' }),
      JSON.stringify({ id: 'abcdefghij', ts: 'yesterday', type: 'sos' }),
      JSON.stringify({ id: 'abcdefghik', ts: timestamp(), type: 'earthquake' }),
      JSON.stringify({
        id: 'abcdefghil',
        ts: timestamp(),
        type: 'sos',
        data: { pad: 'x'.repeat(70 * 1024) },
      }),
    ];
    for (const payload of bad) await home.client.publishAsync(topic, payload, { qos: 1 });
    await home.client.publishAsync(
      topics.deviceVitals('gw-0010', 'gw-0010-sos'),
      '{"id":"vvvvvvvv","ts":"x","hr":"fast"}',
      { qos: 1 },
    );
    const id = await home.event('sos');
    await eventually(
      async () => (await sys.api<Alert[]>(token, 'GET', '/api/alerts')).body.some((a) => a.eventId === id),
      2000,
      'valid SOS',
    );
    const { body } = await sys.api<Alert[]>(token, 'GET', '/api/alerts');
    expect(body).toHaveLength(1);
    expect(await metric(sys, 'mqtt_messages_dropped_total{reason="not_json"}')).toBe(1);
    expect(await metric(sys, 'mqtt_messages_dropped_total{reason="schema"}')).toBe(4);
    expect(await metric(sys, 'mqtt_messages_dropped_total{reason="too_large"}')).toBe(1);
    expect(home.client.connected).toBe(true);
  });

  it('provisioning answers 400 naming the failing field, 409 for an existing id, and shows a new gateway secret once', async () => {
    const admin = await sys.login('admin');
    const missing = await sys.api<{ message: string }>(admin, 'POST', '/api/households', {
      id: 'hh-new-1',
      region: 'ziyang.anyue.zhouli',
    });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/address/);
    const made = await sys.api(admin, 'POST', '/api/households', {
      id: 'hh-new-1',
      region: 'ziyang.anyue.zhouli',
      address: '安岳县周礼镇1号',
    });
    expect(made.status).toBe(201);
    expect(
      (
        await sys.api(admin, 'POST', '/api/households', {
          id: 'hh-new-1',
          region: 'ziyang.anyue.zhouli',
          address: 'x',
        })
      ).status,
    ).toBe(409);
    expect(
      (
        await sys.api(admin, 'POST', '/api/elders', {
          id: 'el-new-1',
          householdId: 'hh-new-1',
          name: '王秀英',
        })
      ).status,
    ).toBe(201);
    const badRef = await sys.api<{ message: string }>(admin, 'POST', '/api/elders', {
      id: 'el-new-2',
      householdId: 'hh-none',
      name: '李',
    });
    expect(badRef.status).toBe(400);
    expect(badRef.body.message).toMatch(/householdId/);
    const gw = await sys.api<{ id: string; secret: string }>(admin, 'POST', '/api/gateways', {
      id: 'gw-new-1',
      householdId: 'hh-new-1',
      devices: [{ id: 'gw-new-1-sos', kind: 'rf433-bridge', elderId: 'el-new-1' }],
    });
    expect(gw.status).toBe(201);
    expect(gw.body.secret.length).toBeGreaterThanOrEqual(24);
    const badKind = await sys.api<{ message: string }>(admin, 'POST', '/api/gateways', {
      id: 'gw-new-2',
      householdId: 'hh-new-1',
      devices: [{ id: 'd1', kind: 'toaster' }],
    });
    expect(badKind.status).toBe(400);
    expect(badKind.body.message).toMatch(/devices/);
    const operator = await sys.login('op-zhouli');
    expect(
      (
        await sys.api(operator, 'POST', '/api/households', {
          id: 'hh-new-3',
          region: 'ziyang.anyue.zhouli',
          address: 'x',
        })
      ).status,
    ).toBe(403);
  });
});
