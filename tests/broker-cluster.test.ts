import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisJournal } from '../broker/redis-journal.ts';
import { newEventId, SimulatedHome } from '../device-sims/mqtt-home.ts';
import { type Alert, type Feedback, timestamp, topics } from '../protocol/index.ts';
import { freePort, type SystemProcess, spawnBroker } from './support/process.ts';
import { type RedisService, startRedis } from './support/services.ts';
import { demoGateway, eventually, TestSystem, tempDir } from './support/system.ts';

/**
 * Real processes: Redis, broker processes (`broker/main.ts`) sharing it, and the cloud in this process
 * connected to broker B only (BROKER_URL). Gateways connect to broker A.
 */
describe('brokers clustered over Redis', () => {
  const password = randomBytes(18).toString('base64url');
  let redis: RedisService;
  let redisClient: Redis;
  let dataDir: string;
  let cloud: TestSystem;
  let urlB: string;
  const brokers: SystemProcess[] = [];

  const startBroker = async (): Promise<{ proc: SystemProcess; url: string; port: number }> => {
    const port = await freePort();
    const proc = await spawnBroker({
      REDIS_URL: redis.url,
      MQTT_SERVICE_PASSWORD: password,
      GATEWAY_REGISTRY: `sqlite:${join(dataDir, 'cloud.db')}`,
      DATA_DIR: join(dataDir, `broker-${port}`),
      MQTT_PORT: String(port),
      LOG_LEVEL: 'warn',
    });
    brokers.push(proc);
    return { proc, url: `mqtt://127.0.0.1:${port}`, port };
  };
  const killHard = async (proc: SystemProcess): Promise<void> => {
    proc.child.kill('SIGKILL');
    await proc.exited;
  };
  const alertsNow = async (token: string): Promise<Alert[]> =>
    (await cloud.api<Alert[]>(token, 'GET', '/api/alerts')).body;
  const journalSize = (): Promise<number> => redisClient.zcard('eldercare:journal:order');

  beforeAll(async () => {
    redis = await startRedis();
    redisClient = new Redis(redis.url);
    dataDir = await tempDir();
    const b = await startBroker();
    urlB = b.url;
    cloud = await TestSystem.start(
      dataDir,
      {},
      { REDIS_URL: redis.url, BROKER_URL: urlB, MQTT_SERVICE_PASSWORD: password },
    );
  }, 60_000);

  afterAll(async () => {
    await cloud?.stop();
    for (const proc of brokers) {
      if (proc.child.exitCode === null && proc.child.signalCode === null) {
        proc.child.kill('SIGTERM');
        await proc.exited;
      }
    }
    redisClient?.disconnect();
    await redis?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('a gateway on broker A and the cloud on broker B: an SOS sent twice is one alert, the journal empties, and the acknowledgement reaches the gateway', async () => {
    const a = await startBroker();
    const home = new SimulatedHome(demoGateway('gw-0001'));
    await home.connect(a.url);
    const dispatcher = await cloud.dispatcher('sup-city');
    const eventId = await home.event('sos');
    await home.event('sos', { id: eventId });
    const alert = await eventually(
      () => dispatcher.raised.find((x) => x.eventId === eventId),
      10_000,
      'the alert on the dispatch screen',
    );
    // The cloud's PUBACK arrives at B; A journaled the event: the shared journal lets go of it.
    await eventually(async () => (await journalSize()) === 0, 10_000, 'an empty journal');
    expect(dispatcher.raised.filter((x) => x.eventId === eventId)).toHaveLength(1);
    const token = await cloud.login('sup-city');
    expect((await cloud.api(token, 'POST', `/api/alerts/${alert.id}/ack`, {})).status).toBe(200);
    await eventually(
      () => home.feedback.find((f) => f.alertId === alert.id && f.state === 'acknowledged'),
      10_000,
      'the feedback at the gateway on broker A',
    );
    await home.close();
    await killHard(a.proc);
  });

  it('revoking a gateway in the cloud closes its connection on a broker the cloud is not connected to, and its cached secret no longer opens it', async () => {
    const a = await startBroker();
    const gw = demoGateway('gw-0003');
    const options: IClientOptions = {
      username: gw.id,
      password: gw.secret,
      clientId: `revoke-${gw.id}`,
      reconnectPeriod: 0,
    };
    const client = await mqtt.connectAsync(a.url, options);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    const admin = await cloud.login('admin');
    expect((await cloud.api(admin, 'POST', `/api/gateways/${gw.id}/revoke`, {})).status).toBe(200);
    await closed;
    await expect(mqtt.connectAsync(a.url, options)).rejects.toThrow(/Bad username or password/);
    client.end(true);
    await killHard(a.proc);
  });

  it('a gateway with a persistent session whose broker is killed -9 reconnects to another broker and receives the feedback queued for it meanwhile', async () => {
    const a = await startBroker();
    const gw = demoGateway('gw-0002');
    const options: IClientOptions = {
      username: gw.id,
      password: gw.secret,
      clientId: `persist-${gw.id}`,
      clean: false,
      reconnectPeriod: 0,
    };
    const first = await mqtt.connectAsync(a.url, options);
    await first.subscribeAsync(topics.gatewayCommands(gw.id), { qos: 1 });
    const eventId = newEventId();
    const device = gw.devices.find((d) => d.kind === 'rf433-bridge')?.id ?? '';
    await first.publishAsync(
      topics.deviceEvent(gw.id, device),
      JSON.stringify({ id: eventId, ts: timestamp(), type: 'sos' }),
      { qos: 1 },
    );
    const token = await cloud.login('sup-city');
    const alert = await eventually(
      async () => (await alertsNow(token)).find((x) => x.eventId === eventId),
      10_000,
      'the alert',
    );
    const closed = new Promise<void>((resolve) => first.once('close', () => resolve()));
    await killHard(a.proc);
    await closed;
    first.end(true);

    expect((await cloud.api(token, 'POST', `/api/alerts/${alert.id}/ack`, {})).status).toBe(200);
    // The feedback waits in Redis, in the offline session's queue.
    await eventually(
      async () => (await redisClient.llen(`outgoing:${encodeURIComponent(`persist-${gw.id}`)}`)) > 0,
      10_000,
      'the feedback queued for the offline session',
    );
    const received: Feedback[] = [];
    const second = mqtt.connect(urlB, options);
    second.on('message', (_topic, payload) => received.push(JSON.parse(payload.toString()) as Feedback));
    const connack = await new Promise<{ sessionPresent: boolean }>((resolve, reject) => {
      second.once('connect', resolve);
      second.once('error', reject);
    });
    expect(connack.sessionPresent).toBe(true);
    await eventually(
      () => received.find((f) => f.alertId === alert.id && f.state === 'acknowledged'),
      10_000,
      'the queued feedback delivered through broker B',
    );
    // Its session is now clean of it: nothing is delivered twice.
    await eventually(
      async () => (await redisClient.llen(`outgoing:${encodeURIComponent(`persist-${gw.id}`)}`)) === 0,
      5000,
      'the queue emptied by the PUBACK',
    );
    await second.endAsync();
  });
  it('an SOS a broker acknowledged and died before forwarding waits in the shared journal and reaches the cloud through the broker hosting it, as one alert', async () => {
    // What broker A leaves when it is killed between its PUBACK and its publish to the emitter.
    const dead = new RedisJournal(redisClient, 'dead-broker');
    const gw = demoGateway('gw-0004');
    const device = gw.devices.find((d) => d.kind === 'rf433-bridge')?.id ?? '';
    const eventId = newEventId();
    const topic = topics.deviceEvent(gw.id, device);
    const payload = Buffer.from(JSON.stringify({ id: eventId, ts: timestamp(), type: 'sos' }));
    await dead.append({ gatewayId: gw.id, eventId, topic, payload }, new Date(Date.now() - 60_000));
    const token = await cloud.login('sup-city');
    await eventually(
      async () => (await alertsNow(token)).find((x) => x.eventId === eventId),
      20_000,
      'the alert from the replayed journal entry',
    );
    await eventually(async () => (await journalSize()) === 0, 10_000, 'an empty journal');
    expect((await alertsNow(token)).filter((x) => x.eventId === eventId)).toHaveLength(1);
  });

  it('60 gateways spread over brokers A and B press 300 SOS; A is killed -9 mid-burst, its gateways fail over to B, and every acknowledged SOS is exactly one alert', async () => {
    const a = await startBroker();
    const admin = await cloud.login('admin');
    const post = async (path: string, body: unknown) => {
      const res = await cloud.api<{ secret?: string }>(admin, 'POST', path, body);
      if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const communities = ['ziyang.yanjiang.shizishan', 'ziyang.yanjiang.liantai', 'ziyang.anyue.yuelong'];
    const gateways = 60;
    const elders = 5;
    // One elder per SOS button: an elder's repeated SOS updates one open alert, so each press needs its own.
    const fleet = await Promise.all(
      Array.from({ length: gateways }, async (_, i) => {
        const id = `cl-${String(i).padStart(3, '0')}`;
        await post('/api/households', {
          id: `hh-${id}`,
          region: communities[i % 3],
          address: `集群路${i}号`,
        });
        const devices = [];
        for (let k = 0; k < elders; k++) {
          await post('/api/elders', {
            id: `el-${id}-${k}`,
            householdId: `hh-${id}`,
            name: `集群老人${i}-${k}`,
          });
          devices.push({ id: `sos-${id}-${k}`, kind: 'rf433-bridge', elderId: `el-${id}-${k}` });
        }
        const gw = await post('/api/gateways', { id: `gw-${id}`, householdId: `hh-${id}`, devices });
        return { id, secret: gw.secret as string };
      }),
    );
    const hostA = { host: '127.0.0.1', port: a.port };
    const hostB = { host: '127.0.0.1', port: Number(new URL(urlB).port) };
    const clients: MqttClient[] = await Promise.all(
      fleet.map(({ id, secret }, i) =>
        mqtt.connectAsync({
          // Half start on A, half on B; on a lost connection MQTT.js moves to the next server of the list.
          servers: i % 2 === 0 ? [hostA, hostB] : [hostB],
          username: `gw-${id}`,
          password: secret,
          clientId: `gw-${id}`,
          clean: true,
          reconnectPeriod: 250,
          connectTimeout: 20_000,
        }),
      ),
    );
    let acked = 0;
    const presses = clients.flatMap((client, i) => {
      const id = fleet[i]?.id as string;
      return Array.from({ length: elders }, (_, k) =>
        client
          .publishAsync(
            topics.deviceEvent(`gw-${id}`, `sos-${id}-${k}`),
            JSON.stringify({ id: `clsos-${id}-${k}`, ts: timestamp(), type: 'sos' }),
            { qos: 1 },
          )
          .then(() => {
            acked += 1;
          }),
      );
    });
    const sent = presses.length;
    await eventually(() => acked >= 40, 20_000, 'the first PUBACKs');
    const killedAt = Date.now();
    await killHard(a.proc);
    const ackedAtKill = acked;
    await Promise.all(presses);
    const failoverS = (Date.now() - killedAt) / 1000;
    const token = await cloud.login('sup-city');
    const mine = (all: Alert[]) => all.filter((x) => x.eventId.startsWith('clsos-'));
    await eventually(async () => mine(await alertsNow(token)).length >= sent, 40_000, `${sent} alerts`);
    // Nothing is left to replay: no late duplicate can still appear.
    await eventually(async () => (await journalSize()) === 0, 20_000, 'an empty journal');
    const alerts = mine(await alertsNow(token));
    const distinct = new Set(alerts.map((x) => x.eventId)).size;
    console.log(
      `cluster failover: ${sent} SOS sent, ${acked} PUBACKed (${ackedAtKill} before broker A was killed -9), ` +
        `${alerts.length} alerts for ${distinct} event ids, ${alerts.length - distinct} duplicates, all acknowledged ${failoverS.toFixed(1)} s after the kill`,
    );
    expect(ackedAtKill).toBeLessThan(sent);
    expect(acked).toBe(sent);
    expect(distinct).toBe(sent);
    expect(alerts).toHaveLength(sent);
    await Promise.all(clients.map((c) => c.endAsync(true)));
  }, 90_000);
});
