/**
 * `node bench/retained-redis.ts`: what one SUBSCRIBE costs the retained store of a cluster broker, before
 * (aedes-persistence-redis as shipped: an HSCAN of the whole `retained` hash per wildcard filter) and after
 * (broker/redis-retained.ts: a sorted-set index read by the filter's literal prefix). Each gateway retains
 * its state, as the edge agent does; the persistence alone runs in this process against a real Redis, so
 * this process's CPU is the broker's part of a SUBSCRIBE. Per size: a gateway's `eldercare/v1/{gw}/cmd/#`
 * (median over `--subscribes` gateways), the cloud's `eldercare/v1/+/state` (matches every gateway), and the
 * one-off index build an upgraded broker does on start.
 *
 * `--sizes 2000,10000,19000` (retained states), `--subscribes 50`, `--out FILE.json`.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import AsyncRedisPersistence from 'aedes-persistence-redis/asyncPersistence.js';
import { Redis } from 'ioredis';
import type { RetainedPacket } from '../broker/memory-persistence.ts';
import { IndexedRedisRetained } from '../broker/redis-retained.ts';
import { startRedis } from '../tests/support/services.ts';
import { machine } from './processes.ts';

interface Cost {
  redisCalls: number;
  wallMs: number;
  cpuMs: number;
  delivered: number;
}
type Store = { createRetainedStreamCombi(filters: string[]): AsyncIterable<unknown> };

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '2000,10000,19000' },
    subscribes: { type: 'string', default: '50' },
    out: { type: 'string' },
  },
});
const sizes = (args.sizes ?? '').split(',').map(Number);
const subscribes = Number(args.subscribes);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const m = s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return Math.round(m * 100) / 100;
};

async function commandCalls(conn: Redis): Promise<number> {
  const stats = await conn.info('commandstats');
  return [...stats.matchAll(/calls=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/** One SUBSCRIBE's retained read: Redis commands (INFO's own call taken off), wall time, this process's CPU. */
async function measure(conn: Redis, store: Store, filter: string): Promise<Cost> {
  const calls = await commandCalls(conn);
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  let delivered = 0;
  for await (const _ of store.createRetainedStreamCombi([filter])) delivered++;
  const wallMs = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  return {
    redisCalls: (await commandCalls(conn)) - calls - 1,
    wallMs,
    cpuMs: (used.user + used.system) / 1000,
    delivered,
  };
}

const summary = (costs: Cost[]) => ({
  redisCalls: median(costs.map((c) => c.redisCalls)),
  wallMs: median(costs.map((c) => c.wallMs)),
  cpuMs: median(costs.map((c) => c.cpuMs)),
  delivered: median(costs.map((c) => c.delivered)),
});

const redis = await startRedis();
const conn = new Redis(redis.url);
const stock = new AsyncRedisPersistence({ conn });
const indexed = new IndexedRedisRetained({ conn });
const results = [];
try {
  for (const size of sizes) {
    await conn.flushdb();
    // Stored by the previous version: the hash alone, as an upgraded cluster finds it.
    for (let i = 0; i < size; i++) {
      const packet: RetainedPacket = {
        cmd: 'publish',
        topic: `eldercare/v1/gw-${i}/state`,
        payload: Buffer.from('{"state":"online","ts":"2026-11-22T10:00:00.000Z"}'),
        qos: 1,
        retain: true,
      };
      await stock.storeRetained(packet);
    }
    const built = performance.now();
    await indexed.reconcile();
    const indexBuildMs = Math.round(performance.now() - built);
    const gateways = Array.from({ length: subscribes }, (_, i) => Math.floor((i * size) / subscribes));
    const row: Record<string, unknown> = { retained: size, indexBuildMs };
    for (const [name, store] of [
      ['before', stock],
      ['after', indexed],
    ] as const) {
      const gateway: Cost[] = [];
      for (const g of gateways) gateway.push(await measure(conn, store, `eldercare/v1/gw-${g}/cmd/#`));
      const cloud = await measure(conn, store, 'eldercare/v1/+/state');
      row[name] = { gatewayCmd: summary(gateway), cloudStates: summary([cloud]) };
    }
    results.push(row);
    console.log(JSON.stringify(row));
  }
} finally {
  conn.disconnect();
  await redis.stop();
}
if (args.out) {
  const report = { date: new Date().toISOString(), machine: machine(), subscribes, results };
  await writeFile(args.out, `${JSON.stringify(report, null, 2)}\n`);
}
