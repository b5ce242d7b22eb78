import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Alert, topics } from '../protocol/index.ts';
import { DEMO_WORLD } from '../system/app.ts';
import { demoGateway, demoUser, eventually, TestSystem, world } from './support/system.ts';

/** Everything in the demo world that identifies a person or opens an account, as it is written there. */
function secretsOfTheDemoWorld(): string[] {
  const text = readFileSync(DEMO_WORLD, 'utf8');
  const phones = text.match(/\+?\d{3}-\d{4}-\d{4}/g) ?? [];
  const raw = JSON.parse(text) as {
    elders: { name: string; contacts?: { name: string }[] }[];
    users: { password: string; displayName?: string }[];
  };
  return [
    ...raw.elders.map((e) => e.name),
    ...raw.elders.flatMap((e) => (e.contacts ?? []).map((c) => c.name)),
    ...world.households.map((h) => h.address),
    ...raw.users.map((u) => u.password),
    ...raw.users.flatMap((u) => (u.displayName ? [u.displayName] : [])),
    ...world.gateways.map((g) => g.secret),
    ...phones,
    ...phones.map((p) => p.replaceAll('-', '')),
  ];
}

/** An SMS gateway that refuses the first webhook echoing what it got (names and all), then accepts. */
function echoingReceiver(bodies: string[]): Server {
  return createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      bodies.push(body);
      if (bodies.length === 1) res.writeHead(500).end(`cannot deliver ${body}`);
      else res.writeHead(204).end();
    });
  });
}

describe('no names, phone numbers, addresses, passwords or tokens in the logs', () => {
  const lines: string[] = [];
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  let sys: TestSystem;
  let receiver: Server;
  const hooks: string[] = [];
  const made = {
    address: '雁江区临江街道测试路99号3栋1单元101',
    elderName: '欧阳秀兰',
    csvAddress: '安岳县周礼镇导入路12号',
    csvName: '司马建华',
    familyEmail: 'huang.wei.family@example.org',
  };
  const tokens: string[] = [];

  beforeAll(async () => {
    receiver = echoingReceiver(hooks);
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
    sys = await TestSystem.start(
      undefined,
      {},
      { WEBHOOK_SECRET: 'webhook-secret-for-the-log-test' },
      pino({ level: 'trace' }, output),
    );
  });
  afterAll(async () => {
    await sys?.stop();
    receiver?.closeAllConnections();
    await new Promise<void>((resolve) => receiver?.close(() => resolve()));
  });

  it('a whole working day at trace level logs ids only', async () => {
    // Failed logins: a wrong password, a password typed as the username, a phone number as the username.
    const login = (username: string, password: string) =>
      sys.api(null, 'POST', '/api/session', { username, password });
    expect((await login('op-shizishan', 'wrong-password')).status).toBe(401);
    expect((await login(demoUser('sup-city').password, 'x')).status).toBe(401);
    expect((await login('13800000514', demoUser('admin').password)).status).toBe(401);
    for (const name of ['op-shizishan', 'admin', 'family-el-0001']) tokens.push(await sys.login(name));
    const [operator, admin, family] = tokens as [string, string, string];

    // A gateway that logs in with its secret as the username is refused.
    const gw = demoGateway('gw-0001');
    await expect(
      mqtt.connectAsync(sys.system.mqttUrl, { username: gw.secret, password: 'x', reconnectPeriod: 0 }),
    ).rejects.toThrow();

    // The family's webhook and e-mail; the receiver refuses once, echoing the message.
    const { port } = receiver.address() as { port: number };
    const prefs = {
      push: false,
      severities: ['critical', 'high'],
      webhook: `http://127.0.0.1:${port}/sms`,
      email: made.familyEmail,
    };
    expect((await sys.api(family, 'PUT', '/api/me/notifications', prefs)).status).toBe(200);

    // SOS → alert → family notified → acknowledged → resolved; a not-JSON payload quoting a name.
    const dispatch = await sys.dispatcher('op-shizishan');
    const home = await sys.home('gw-0001');
    const elderName = world.elders.find((e) => e.id === 'el-0001')?.name ?? '';
    await home.client.publishAsync(topics.deviceEvent('gw-0001', 'gw-0001-sos'), `{"who": "${elderName}`, {
      qos: 1,
    });
    const eventId = await home.event('sos');
    const alert = await eventually(() => dispatch.raised.find((a: Alert) => a.eventId === eventId), 3000);
    await eventually(() => hooks.length >= 2, 15_000, 'the webhook retried and delivered');
    expect(hooks[0]).toContain(elderName);
    expect(
      (await sys.api(operator, 'POST', `/api/alerts/${alert.id}/ack`, { note: '已电话联系儿子' })).status,
    ).toBe(200);
    expect(
      (
        await sys.api(operator, 'POST', `/api/alerts/${alert.id}/resolve`, {
          outcome: 'assisted',
          note: '上门',
        })
      ).status,
    ).toBe(200);

    // Provisioning, with one refused body carrying a name, and a request with the token in its query.
    const household = { id: 'hh-log-1', region: 'ziyang.yanjiang.shizishan', address: made.address };
    expect((await sys.api(admin, 'POST', '/api/households', household)).status).toBe(201);
    expect((await sys.api(admin, 'POST', '/api/households', household)).status).toBe(409);
    const elder = { id: 'el-log-1', householdId: 'hh-log-1', name: made.elderName };
    expect((await sys.api(admin, 'POST', '/api/elders', elder)).status).toBe(201);
    expect((await sys.api(admin, 'POST', '/api/elders', { ...elder, id: 'bad id!' })).status).toBe(400);
    const gateway = await sys.api<{ secret: string }>(admin, 'POST', '/api/gateways', {
      id: 'gw-log-1',
      householdId: 'hh-log-1',
      devices: [{ id: 'gw-log-1-sos', kind: 'rf433-bridge', elderId: 'el-log-1' }],
    });
    expect(gateway.status).toBe(201);
    tokens.push(gateway.body.secret);
    expect((await sys.api(admin, 'GET', `/api/alerts?state=resolved&token=${admin}`)).status).toBe(200);

    // CSV import of a household and its elder.
    const csv = [
      'householdId,region,address,elderId,elderName,livesAlone',
      `hh-log-2,ziyang.anyue.zhouli,${made.csvAddress},el-log-2,${made.csvName},是`,
    ].join('\n');
    const imported = await fetch(`${sys.http}/api/import/households`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/csv' },
      body: csv,
    });
    expect(imported.status).toBe(201);

    // Let the last lines (notification retries, audit) be written.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const log = lines.join('');
    // The log did record the day, by ids: otherwise finding nothing would prove nothing.
    for (const expected of [
      'login failed',
      'connect refused',
      'message dropped',
      'alert raised',
      'notification not delivered',
      'notification delivered',
      'household provisioned',
      'elder provisioned',
      'gateway provisioned',
      'household import',
      'request completed',
      alert.id,
      'el-log-1',
    ]) {
      expect(log).toContain(expected);
    }
    const leaks = [...secretsOfTheDemoWorld(), ...Object.values(made), ...tokens].filter((s) =>
      log.includes(s),
    );
    expect(leaks).toEqual([]);
  }, 60_000);
});
