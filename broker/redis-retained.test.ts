import AsyncRedisPersistence from 'aedes-persistence-redis/asyncPersistence.js';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { anyFilter, anyTopic, referenceMatch } from '../tests/support/mqtt-reference.ts';
import { type RedisService, startRedis } from '../tests/support/services.ts';
import type { RetainedPacket } from './memory-persistence.ts';
import { IndexedRedisRetained, matchesFilter, RETAINED_TOPICS, rangesOf } from './redis-retained.ts';

const packet = (topic: string, value: string): RetainedPacket => ({
  cmd: 'publish',
  topic,
  payload: Buffer.from(value),
  qos: 1,
  retain: true,
});

type Op = { kind: 'set'; topic: string; value: number } | { kind: 'delete'; topic: string };
const op = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), topic: anyTopic, value: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), topic: anyTopic }),
);

/** Applies `ops` to a persistence and to a model of what should be retained. */
async function apply(
  store: { storeRetained(p: unknown): Promise<void> },
  ops: Op[],
  model: Map<string, string>,
) {
  for (const o of ops) {
    const value = o.kind === 'set' ? String(o.value) : '';
    await store.storeRetained(packet(o.topic, value));
    if (o.kind === 'set') model.set(o.topic, value);
    else model.delete(o.topic);
  }
}

async function collect(store: IndexedRedisRetained, filters: string[]): Promise<string[]> {
  const got: string[] = [];
  for await (const p of store.createRetainedStreamCombi(filters))
    got.push(`${p.topic}=${p.payload.toString()}`);
  return got.sort();
}

const expected = (model: Map<string, string>, filters: string[]): string[] =>
  [...model]
    .filter(([t]) => filters.some((f) => referenceMatch(f, t)))
    .map(([t, v]) => `${t}=${v}`)
    .sort();

describe('retained messages of the cluster, indexed in Redis', () => {
  let redis: RedisService;
  let conn: Redis;
  let indexed: IndexedRedisRetained;
  let stock: AsyncRedisPersistence;

  beforeAll(async () => {
    redis = await startRedis();
    conn = new Redis(redis.url);
    indexed = new IndexedRedisRetained({ conn });
    // aedes-persistence-redis as it was: a broker not upgraded yet, or the data stored before the upgrade.
    stock = new AsyncRedisPersistence({ conn });
  });
  beforeEach(async () => {
    await conn.flushdb();
  });
  afterAll(async () => {
    conn?.disconnect();
    await redis?.stop();
  });

  it('delivers exactly the messages a reference MQTT matcher matches, each once, after any sets and deletes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { maxLength: 40 }),
        fc.array(anyFilter, { minLength: 1, maxLength: 4 }),
        async (ops, filters) => {
          await conn.flushdb();
          const model = new Map<string, string>();
          await apply(indexed, ops, model);
          expect(await collect(indexed, filters), filters.join(' ')).toEqual(expected(model, filters));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('serves what aedes-persistence-redis stored before the upgrade once reconciled, and stays right while a broker not upgraded deletes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { maxLength: 30 }),
        fc.array(op, { maxLength: 30 }),
        fc.array(anyTopic, { maxLength: 5 }),
        fc.array(anyFilter, { minLength: 1, maxLength: 4 }),
        async (before, after, oldDeletes, filters) => {
          await conn.flushdb();
          const model = new Map<string, string>();
          await apply(stock, before, model);
          await indexed.reconcile();
          await apply(indexed, after, model);
          const deletes: Op[] = oldDeletes.map((topic) => ({ kind: 'delete', topic }));
          await apply(stock, deletes, model);
          expect(await collect(indexed, filters), filters.join(' ')).toEqual(expected(model, filters));
          // The stock persistence reads the same hash: both agree on every filter.
          const fromStock: string[] = [];
          for await (const p of stock.createRetainedStreamCombi(filters) as AsyncIterable<RetainedPacket>)
            fromStock.push(`${p.topic}=${p.payload.toString()}`);
          const noSystem = (s: string) => !s.startsWith('$'); // stock matches `$` topics with `#`; MQTT does not
          // HSCAN may return a field more than once (Redis's SCAN guarantee), and so may stock: compare sets.
          expect((await collect(indexed, filters)).filter(noSystem)).toEqual(
            [...new Set(fromStock)].sort().filter(noSystem),
          );
        },
      ),
      { numRuns: 80 },
    );
  });

  it('drops index entries of topics deleted behind its back once a read finds them gone', async () => {
    await indexed.storeRetained(packet('a/b', '1'));
    await stock.storeRetained(packet('a/b', ''));
    expect(await conn.zrange(RETAINED_TOPICS, 0, -1)).toEqual(['a/b']);
    expect(await collect(indexed, ['a/#'])).toEqual([]);
    expect(await conn.zrange(RETAINED_TOPICS, 0, -1)).toEqual([]);
  });

  it('reads a range larger than one page in pages and delivers every message of it once', async () => {
    const model = new Map<string, string>();
    for (let i = 0; i < 1_234; i++) model.set(`eldercare/v1/gw-${i}/state`, String(i));
    for (const [topic, value] of model) await indexed.storeRetained(packet(topic, value));
    await indexed.storeRetained(packet('eldercare/v1/gw-1/cmd/feedback', 'not a state'));
    const filters = ['eldercare/v1/+/state'];
    expect(await collect(indexed, filters)).toEqual(expected(model, filters));
  });

  it("answers a gateway's cmd/# with a couple of Redis calls however many gateways retain their state", async () => {
    const gateways = 10_000;
    const pipeline = conn.pipeline();
    for (let i = 0; i < gateways; i++)
      pipeline
        .hset('retained', `eldercare/v1/gw-${i}/state`, 'x')
        .zadd(RETAINED_TOPICS, 0, `eldercare/v1/gw-${i}/state`);
    await pipeline.exec();
    await indexed.storeRetained(packet('eldercare/v1/gw-7/cmd/feedback', 'ack'));
    const calls = async (): Promise<number> => {
      const stats = await conn.info('commandstats');
      return [...stats.matchAll(/calls=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    };
    const t0 = await calls();
    expect(await collect(indexed, ['eldercare/v1/gw-7/cmd/#'])).toEqual([
      'eldercare/v1/gw-7/cmd/feedback=ack',
    ]);
    expect(await collect(indexed, ['eldercare/v1/gw-8/cmd/#'])).toEqual([]);
    // Per SUBSCRIBE: the parent topic, one page of the range, the values of what matched (+1 for INFO itself).
    expect((await calls()) - t0).toBeLessThanOrEqual(3 + 2 + 1);
  });
});

describe('the ranges of the index a filter reads', () => {
  it('hold every topic the filter matches', () => {
    // Redis orders the index by bytes; JavaScript compares UTF-16 units, the same for these ASCII topics.
    const within = (topic: string, [min, max]: [string, string]): boolean => {
      const above = min === '-' || (min[0] === '[' ? topic >= min.slice(1) : topic > min.slice(1));
      const below = max === '+' || (max[0] === '[' ? topic <= max.slice(1) : topic < max.slice(1));
      return above && below;
    };
    fc.assert(
      fc.property(anyFilter, anyTopic, (filter, topic) => {
        expect(matchesFilter(filter, topic)).toBe(referenceMatch(filter, topic));
        if (referenceMatch(filter, topic)) expect(rangesOf(filter).some((r) => within(topic, r))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('read only the literal prefix of a filter, and no $ topic for a leading wildcard', () => {
    expect(rangesOf('eldercare/v1/gw-1/cmd/#')).toEqual([
      ['[eldercare/v1/gw-1/cmd', '[eldercare/v1/gw-1/cmd'],
      ['[eldercare/v1/gw-1/cmd/', '(eldercare/v1/gw-1/cmd0'],
    ]);
    expect(rangesOf('eldercare/+/x')).toEqual([['[eldercare/', '(eldercare0']]);
    expect(rangesOf('#')).toEqual([
      ['-', '($'],
      ['[%', '+'],
    ]);
  });
});
