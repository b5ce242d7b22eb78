import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoGateway, eventually, TestSystem } from './support/system.ts';

async function connect(
  url: string,
  username: string,
  password: string,
  clientId: string,
): Promise<mqtt.MqttClient> {
  return mqtt.connectAsync(url, { username, password, clientId, reconnectPeriod: 0, connectTimeout: 5000 });
}

async function refused(url: string, username: string, password: string): Promise<string> {
  try {
    const c = await connect(url, username, password, `probe-${Date.now()}`);
    await c.endAsync();
    return 'connected';
  } catch (err) {
    return (err as Error).message;
  }
}

describe('gateway access: revoke, rotate, one connection per gateway', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await TestSystem.start();
  });
  afterAll(async () => {
    await sys.stop();
  });

  it('revoking a gateway disconnects it within a second and its next CONNECT is refused', async () => {
    const admin = await sys.login('admin');
    const gw = demoGateway('gw-0011');
    const client = await connect(sys.system.mqttUrl, gw.id, gw.secret, 'gw-0011');
    const closed = new Promise<number>((resolve) => client.once('close', () => resolve(Date.now())));
    const before = Date.now();
    const res = await sys.api<{ revokedAt: string }>(admin, 'POST', '/api/gateways/gw-0011/revoke');
    expect(res.status).toBe(200);
    expect((await closed) - before).toBeLessThan(1000);
    expect(await refused(sys.system.mqttUrl, gw.id, gw.secret)).toMatch(/Bad username or password/);
    await client.endAsync(true);
  });

  it('rotating a secret cuts off the old one at once and the new one, shown once, works', async () => {
    const admin = await sys.login('admin');
    const gw = demoGateway('gw-0012');
    const { body } = await sys.api<{ secret: string }>(admin, 'POST', '/api/gateways/gw-0012/rotate');
    expect(body.secret).not.toBe(gw.secret);
    expect(await refused(sys.system.mqttUrl, gw.id, gw.secret)).toMatch(/Bad username or password/);
    expect(await refused(sys.system.mqttUrl, gw.id, body.secret)).toBe('connected');
  });

  it('only admins in scope manage gateways', async () => {
    const operator = await sys.login('op-shizishan');
    expect((await sys.api(operator, 'POST', '/api/gateways/gw-0013/revoke')).status).toBe(403);
    const admin = await sys.login('admin');
    expect((await sys.api(admin, 'POST', '/api/gateways/gw-nope/revoke')).status).toBe(404);
  });

  it('a second connection of the same gateway under another client id replaces the first', async () => {
    const gw = demoGateway('gw-0014');
    const first = await connect(sys.system.mqttUrl, gw.id, gw.secret, 'gw-0014-a');
    const firstClosed = new Promise<void>((resolve) => first.once('close', () => resolve()));
    const second = await connect(sys.system.mqttUrl, gw.id, gw.secret, 'gw-0014-b');
    await firstClosed;
    await eventually(() => second.connected, 1000, 'the newer connection stays');
    await first.endAsync(true);
    await second.endAsync();
  });
});
