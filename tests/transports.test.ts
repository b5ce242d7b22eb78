import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Alert, timestamp, topics } from '../protocol/index.ts';
import { demoGateway, demoUser, eventually, TestSystem, tempDir } from './support/system.ts';

/** POST over HTTPS trusting only our test CA (fetch cannot take a CA). */
function httpsJson(
  url: string,
  ca: Buffer,
  method: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca,
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }),
        );
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('MQTT over TLS, HTTPS with a local CA, and MQTT over WebSocket', () => {
  let sys: TestSystem;
  let ca: Buffer;
  beforeAll(async () => {
    const dir = await tempDir('certs-');
    execFileSync(process.execPath, [join(import.meta.dirname, '..', 'scripts', 'certs.ts'), '--dir', dir], {
      stdio: 'ignore',
    });
    ca = readFileSync(join(dir, 'ca.crt'));
    sys = await TestSystem.start(
      undefined,
      {},
      { TLS_CERT: join(dir, 'server.crt'), TLS_KEY: join(dir, 'server.key'), MQTTS_PORT: '0' },
    );
  });
  afterAll(async () => {
    await sys?.stop();
  });

  it('a gateway over MQTTS trusting the local CA raises an SOS that an operator reads over HTTPS', async () => {
    const gw = demoGateway('gw-0001');
    const url = sys.system.mqttsUrl?.replace('127.0.0.1', 'localhost') ?? '';
    expect(url).toMatch(/^mqtts:\/\/localhost:\d+$/);
    const client = await mqtt.connectAsync(url, {
      username: gw.id,
      password: gw.secret,
      ca,
      reconnectPeriod: 0,
    });
    const id = 'tls-press-0001';
    await client.publishAsync(
      topics.deviceEvent(gw.id, 'gw-0001-sos'),
      JSON.stringify({ id, ts: timestamp(), type: 'sos' }),
      { qos: 1 },
    );
    await client.endAsync();
    expect(sys.http).toMatch(/^https:/);
    const login = await httpsJson(`${sys.http}/api/session`, ca, 'POST', {
      username: 'op-shizishan',
      password: demoUser('op-shizishan').password,
    });
    const token = (login.body as { token: string }).token;
    const alerts = await eventually(
      async () => {
        const res = await httpsJson(`${sys.http}/api/alerts`, ca, 'GET', undefined, token);
        return (res.body as Alert[]).some((a) => a.eventId === id) ? res : undefined;
      },
      3000,
      'the alert over HTTPS',
    );
    expect(alerts.status).toBe(200);
  });

  it('a client that does not trust the CA is refused by MQTTS', async () => {
    const gw = demoGateway('gw-0002');
    const url = sys.system.mqttsUrl?.replace('127.0.0.1', 'localhost') ?? '';
    await expect(
      mqtt.connectAsync(url, { username: gw.id, password: gw.secret, reconnectPeriod: 0 }),
    ).rejects.toThrow(/certificate/i);
  });

  it('MQTT over secure WebSocket takes the same credentials and ACL, and Socket.IO still works beside it', async () => {
    const gw = demoGateway('gw-0003');
    const wsUrl = (sys.system.mqttWsUrl ?? '').replace('127.0.0.1', 'localhost');
    expect(wsUrl).toMatch(/^wss:\/\/localhost:\d+\/mqtt$/);
    await expect(
      mqtt.connectAsync(wsUrl, { username: gw.id, password: 'wrong-secret', ca, reconnectPeriod: 0 }),
    ).rejects.toThrow(/Bad username or password/);
    const client = await mqtt.connectAsync(wsUrl, {
      username: gw.id,
      password: gw.secret,
      ca,
      reconnectPeriod: 0,
    });
    const granted = await new Promise<number[]>((resolve) => {
      client.subscribe(topics.feedback('gw-0004'), { qos: 1 }, (err, g) => {
        resolve(
          ((err as { packet?: { granted: number[] } } | null)?.packet?.granted ??
            (g ?? []).map((x) => x.qos)) as number[],
        );
      });
    });
    expect(granted).toEqual([128]);
    await client.endAsync();
    const login = await httpsJson(`${sys.http}/api/session`, ca, 'POST', {
      username: 'op-liantai',
      password: demoUser('op-liantai').password,
    });
    const socket = io(`${sys.http.replace('127.0.0.1', 'localhost')}/dispatch`, {
      auth: { token: (login.body as { token: string }).token },
      transports: ['websocket'],
      ca: ca.toString(),
      reconnection: false,
    } as Parameters<typeof io>[1]);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    socket.close();
  });
});
