import { rm } from 'node:fs/promises';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { type Alert, timestamp, topics } from '../protocol/index.ts';
import { freePort, spawnSystem, waitForHealth } from './support/process.ts';
import { eventually, TestSystem, tempDir } from './support/system.ts';
import { demoLogin } from './support/world.ts';

describe('nothing acknowledged is lost when the server dies', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('restarting the cloud on the same DATA_DIR keeps every alert and its state', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const first = await TestSystem.start(dataDir);
    const token = await first.login('sup-city');
    const ids: string[] = [];
    for (const gw of ['gw-0001', 'gw-0008', 'gw-0015']) ids.push(await (await first.home(gw)).event('sos'));
    const before = await eventually(
      async () => {
        const { body } = await first.api<Alert[]>(token, 'GET', '/api/alerts');
        return body.length === 3 ? body : undefined;
      },
      3000,
      'three alerts',
    );
    await first.api(token, 'POST', `/api/alerts/${before[0]?.id}/ack`, {});
    await first.stopSystem();

    const second = await TestSystem.start(dataDir);
    const again = await second.login('sup-city');
    const { body: after } = await second.api<Alert[]>(again, 'GET', '/api/alerts');
    expect(after.map((a) => a.eventId).sort()).toEqual([...ids].sort());
    expect(after.find((a) => a.id === before[0]?.id)?.state).toBe('acknowledged');
    await second.stop();
  });

  it('300 gateways press SOS at once and the server is killed -9 mid-burst: after a restart every SOS is exactly one alert', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const env = {
      DATA_DIR: dataDir,
      HTTP_PORT: String(await freePort()),
      MQTT_PORT: String(await freePort()),
      SIM_HOMES: '0',
    };
    const http = `http://127.0.0.1:${env.HTTP_PORT}`;
    let server = spawnSystem(env);
    await waitForHealth(`${http}/api/health`, server);

    const post = async (token: string, path: string, body: unknown) => {
      const res = await fetch(`${http}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string; secret?: string };
    };
    const admin = await demoLogin(http, 'admin');
    const communities = [
      'ziyang.yanjiang.shizishan',
      'ziyang.yanjiang.liantai',
      'ziyang.anyue.yuelong',
      'ziyang.anyue.shiyang',
    ];
    const n = 300;
    const secrets = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const id = `load-${String(i).padStart(3, '0')}`;
        await post(admin, '/api/households', {
          id: `hh-${id}`,
          region: communities[i % communities.length],
          address: `测试路${i}号`,
        });
        await post(admin, '/api/elders', { id: `el-${id}`, householdId: `hh-${id}`, name: `测试老人${i}` });
        const gw = await post(admin, '/api/gateways', {
          id: `gw-${id}`,
          householdId: `hh-${id}`,
          devices: [{ id: `sos-${id}`, kind: 'rf433-bridge', elderId: `el-${id}` }],
        });
        return { id, secret: gw.secret as string };
      }),
    );

    const url = `mqtt://127.0.0.1:${env.MQTT_PORT}`;
    const clients: MqttClient[] = await Promise.all(
      secrets.map(({ id, secret }) =>
        mqtt.connectAsync(url, {
          username: `gw-${id}`,
          password: secret,
          clientId: `gw-${id}`,
          clean: true,
          reconnectPeriod: 250,
          connectTimeout: 60_000,
        }),
      ),
    );
    let acked = 0;
    // Pressed over ~1.5 s, and the server killed in the first PUBACK's own callback: journal appends of one
    // loop turn share a commit, so a burst sent at once is PUBACKed at once, before any kill could land.
    const presses = clients.map((client, i) => {
      const id = secrets[i]?.id as string;
      const event = { id: `press-${id}`, ts: timestamp(), type: 'sos' };
      return new Promise((resolve) => setTimeout(resolve, i * 5))
        .then(() =>
          client.publishAsync(topics.deviceEvent(`gw-${id}`, `sos-${id}`), JSON.stringify(event), { qos: 1 }),
        )
        .then(() => {
          acked += 1;
          if (acked === 1) server.child.kill('SIGKILL');
        });
    });
    await eventually(() => acked >= 1, 20_000, 'the first PUBACK');
    await server.exited;
    const ackedAtKill = acked;

    server = spawnSystem(env);
    await waitForHealth(`${http}/api/health`, server);
    await Promise.all(presses);
    const sup = await demoLogin(http, 'sup-city');
    const alerts = await eventually(
      async () => {
        const res = await fetch(`${http}/api/alerts`, { headers: { authorization: `Bearer ${sup}` } });
        const body = (await res.json()) as Alert[];
        return body.filter((a) => a.eventId.startsWith('press-load-')).length >= n ? body : undefined;
      },
      30_000,
      'all 300 alerts',
    );
    const pressAlerts = alerts.filter((a) => a.eventId.startsWith('press-load-'));
    expect(new Set(pressAlerts.map((a) => a.eventId)).size).toBe(n);
    expect(pressAlerts).toHaveLength(n);
    expect(ackedAtKill).toBeLessThan(n);
    await Promise.all(clients.map((c) => c.endAsync(true)));
    server.child.kill('SIGTERM');
    await server.exited;
  }, 240_000);
});
