import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import redisPersistence from 'aedes-persistence-redis';
import { Redis } from 'ioredis';
import mqemitterRedis from 'mqemitter-redis';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RedisService, startRedis } from '../tests/support/services.ts';
import { joinCluster } from './cluster.ts';

interface RunningBroker {
  url: string;
  close(): Promise<void>;
}

/** Listens on port 0 of 127.0.0.1 and serves `aedes` there. */
async function serve(aedes: Aedes, after: () => Promise<void>): Promise<RunningBroker> {
  const server: Server = createServer((socket) => aedes.handle(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  return {
    url: `mqtt://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    async close() {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await after();
    },
  };
}

/** Two (or more) Aedes brokers joined over one real Redis the way `createBroker` joins them (cluster.ts). */
describe('retained messages across brokers sharing one Redis', () => {
  let redis: RedisService;
  const brokers: RunningBroker[] = [];
  const clients: MqttClient[] = [];

  const clusterBroker = async (): Promise<RunningBroker> => {
    const brokerId = randomUUID();
    const wiring = await joinCluster({ redisUrl: redis.url, brokerId, logger: pino({ level: 'silent' }) });
    const aedes = await Aedes.createBroker({ id: brokerId, mq: wiring.mq, persistence: wiring.persistence });
    const broker = await serve(aedes, () => wiring.close());
    brokers.push(broker);
    return broker;
  };
  /** A broker of the previous version: aedes-persistence-redis with no index. */
  const stockBroker = async (): Promise<RunningBroker> => {
    const mq = mqemitterRedis({ connectionString: redis.url });
    const conn = new Redis(redis.url);
    const persistence = redisPersistence({ conn });
    const aedes = await Aedes.createBroker({ mq, persistence });
    const broker = await serve(aedes, async () => conn.disconnect());
    brokers.push(broker);
    return broker;
  };
  const connect = async (url: string): Promise<MqttClient> => {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    clients.push(client);
    return client;
  };
  /** What one SUBSCRIBE on `url` receives as retained messages (they follow the SUBACK at once). */
  const retained = async (url: string, filter: string): Promise<string[]> => {
    const client = await connect(url);
    const got: IPublishPacket[] = [];
    client.on('message', (_topic, _payload, packet) => got.push(packet));
    await client.subscribeAsync(filter, { qos: 1 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await client.endAsync();
    return got.filter((p) => p.retain).map((p) => `${p.topic}=${p.payload.toString()}`);
  };

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync()));
    for (const broker of brokers.splice(0)) await broker.close();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('a retained message set on broker A reaches a subscriber on broker B, its replacement on B reaches A, and an empty payload on A deletes it for B', async () => {
    const a = await clusterBroker();
    const b = await clusterBroker();
    const gateway = await connect(a.url);
    await gateway.publishAsync('c1/v1/gw-1/state', 'online', { qos: 1, retain: true });
    await gateway.publishAsync('c1/v1/gw-2/state', 'online', { qos: 1, retain: true });
    expect(await retained(b.url, 'c1/v1/gw-1/#')).toEqual(['c1/v1/gw-1/state=online']);

    const other = await connect(b.url);
    await other.publishAsync('c1/v1/gw-1/state', 'offline', { qos: 1, retain: true });
    expect((await retained(a.url, 'c1/v1/+/state')).sort()).toEqual([
      'c1/v1/gw-1/state=offline',
      'c1/v1/gw-2/state=online',
    ]);

    await gateway.publishAsync('c1/v1/gw-1/state', '', { qos: 1, retain: true });
    expect(await retained(b.url, 'c1/v1/+/state')).toEqual(['c1/v1/gw-2/state=online']);
    expect(await retained(b.url, 'c1/v1/gw-1/state')).toEqual([]);
  });

  it('a broker of this version serves the retained messages the previous version stored, and its set reaches a broker still on the previous version', async () => {
    const old = await stockBroker();
    const gateway = await connect(old.url);
    await gateway.publishAsync('c2/v1/gw-1/state', 'before the upgrade', { qos: 1, retain: true });
    await gateway.publishAsync('c2/v1/gw-1/cmd/feedback', 'queued', { qos: 1, retain: true });

    const upgraded = await clusterBroker();
    expect((await retained(upgraded.url, 'c2/v1/gw-1/#')).sort()).toEqual([
      'c2/v1/gw-1/cmd/feedback=queued',
      'c2/v1/gw-1/state=before the upgrade',
    ]);
    const fresh = await connect(upgraded.url);
    await fresh.publishAsync('c2/v1/gw-2/state', 'after the upgrade', { qos: 1, retain: true });
    expect(await retained(old.url, 'c2/v1/gw-2/#')).toEqual(['c2/v1/gw-2/state=after the upgrade']);
    // A delete by the previous version leaves a stale index entry behind: it is never delivered.
    await gateway.publishAsync('c2/v1/gw-1/state', '', { qos: 1, retain: true });
    expect(await retained(upgraded.url, 'c2/v1/gw-1/#')).toEqual(['c2/v1/gw-1/cmd/feedback=queued']);
  });
});
