import { createRequire } from 'node:module';
import { CallBackPersistence } from 'aedes-persistence/callBackPersistence.js';
import AsyncRedisPersistence from 'aedes-persistence-redis/asyncPersistence.js';
import type { Redis } from 'ioredis';
import type { RetainedPacket } from './memory-persistence.ts';

/** Where aedes-persistence-redis keeps retained messages: one hash, topic → msgpack'd packet. */
export const RETAINED_HASH = 'retained';
/** The index beside it: every retained topic in a sorted set, all at score 0, so ordered by bytes. */
export const RETAINED_TOPICS = 'eldercare:retained:topics';
/** Topics read per ZRANGEBYLEX round trip. */
const PAGE = 500;

interface Codec {
  encode(value: unknown): Buffer;
  decode(buffer: Buffer): unknown;
}
// The hash stays readable by brokers that have not been upgraded, so it is written with the very codec the
// persistence itself uses, resolved from its own package (it is its dependency, not ours).
const fromPersistence = createRequire(createRequire(import.meta.url).resolve('aedes-persistence-redis'));
const msgpack = fromPersistence('msgpack-lite') as Codec;

/**
 * Adds the topics that are in the hash to the index and removes those that are not, checked inside Redis
 * so a message set or deleted by another broker meanwhile is never undone.
 */
const RECONCILE = `
for _, topic in ipairs(ARGV) do
  if redis.call('HEXISTS', KEYS[1], topic) == 1 then redis.call('ZADD', KEYS[2], 0, topic)
  else redis.call('ZREM', KEYS[2], topic) end
end
return #ARGV`;

type IndexedRedis = Redis & {
  retainedReconcile(hash: string, index: string, ...topics: string[]): Promise<number>;
};

/** A ZRANGEBYLEX interval: `[x` inclusive, `(x` exclusive, `-`/`+` the ends. */
type LexRange = [min: string, max: string];

/**
 * What a filter can match, as ranges of the index: the topics starting with its literal levels (those
 * before the first wildcard). A filter starting with a wildcard reads everything but `$` topics, which it
 * never matches [MQTT-4.7.2-1]; `a/#` also matches `a` itself, read as its own one-topic range.
 */
export function rangesOf(filter: string): LexRange[] {
  const levels = filter.split('/');
  const first = levels.findIndex((l) => l === '+' || l === '#');
  if (first === -1) return [[`[${filter}`, `[${filter}`]];
  if (first === 0)
    return [
      ['-', '($'],
      ['[%', '+'],
    ]; // '%' follows '$': every `$…` topic lies between
  const literal = levels.slice(0, first).join('/');
  // Every topic under `literal/` sorts before `literal0` ('0' follows '/').
  const under: LexRange = [`[${literal}/`, `(${literal}0`];
  return levels[first] === '#' ? [[`[${literal}`, `[${literal}`], under] : [under];
}

/** MQTT 3.1.1 §4.7 matching as Aedes routes live messages (`+` matches an empty level too). */
export function matchesFilter(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  if ((f[0] === '+' || f[0] === '#') && topic.startsWith('$')) return false;
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return true;
    if (i >= t.length || (level !== '+' && level !== t[i])) return false;
  }
  return f.length === t.length;
}

/**
 * aedes-persistence-redis (sessions, subscriptions, offline queues, wills: unchanged) with its retained
 * messages found through an index instead of an HSCAN of the whole hash on every wildcard SUBSCRIBE.
 * The hash stays where and what it was; each set or delete writes hash and index in one MULTI, so every
 * broker sharing the Redis sees both or neither.
 */
export class IndexedRedisRetained extends AsyncRedisPersistence {
  readonly #db: IndexedRedis;

  constructor(options: {
    conn: Redis;
    maxSessionDelivery?: number;
    packetTTL?: (packet: unknown) => number;
  }) {
    super(options);
    options.conn.defineCommand('retainedReconcile', { numberOfKeys: 2, lua: RECONCILE });
    this.#db = options.conn as IndexedRedis;
  }

  override async setup(broker: unknown): Promise<void> {
    await super.setup(broker);
    await this.reconcile();
  }

  /**
   * Brings the index in line with the hash: what an older version (or a broker not yet upgraded) stored
   * gets indexed, what it deleted leaves the index. Each broker runs it on start.
   */
  async reconcile(): Promise<void> {
    for await (const page of this.#db.hscanStream(RETAINED_HASH, { count: 1000 }) as AsyncIterable<
      string[]
    >) {
      const topics = page.filter((_, i) => i % 2 === 0);
      if (topics.length > 0) await this.#db.retainedReconcile(RETAINED_HASH, RETAINED_TOPICS, ...topics);
    }
    for await (const page of this.#db.zscanStream(RETAINED_TOPICS, { count: 1000 }) as AsyncIterable<
      string[]
    >) {
      const topics = page.filter((_, i) => i % 2 === 0);
      if (topics.length > 0) await this.#db.retainedReconcile(RETAINED_HASH, RETAINED_TOPICS, ...topics);
    }
  }

  override async storeRetained(packet: RetainedPacket): Promise<void> {
    // An empty payload deletes the topic's retained message [MQTT-3.3.1-10].
    const tx = this.#db.multi();
    if (packet.payload.length === 0) tx.hdel(RETAINED_HASH, packet.topic).zrem(RETAINED_TOPICS, packet.topic);
    else tx.hset(RETAINED_HASH, packet.topic, msgpack.encode(packet)).zadd(RETAINED_TOPICS, 0, packet.topic);
    const results = await tx.exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed)
      throw failed?.[0] ?? new Error('retained message not stored: transaction aborted');
  }

  override createRetainedStream(filter: string): AsyncGenerator<RetainedPacket> {
    return this.createRetainedStreamCombi([filter]);
  }

  /** Overlapping filters of one SUBSCRIBE deliver a topic's message once. */
  override async *createRetainedStreamCombi(filters: string[]): AsyncGenerator<RetainedPacket> {
    const sent = new Set<string>();
    for (const filter of filters)
      for (const range of rangesOf(filter))
        for await (const packet of this.#read(filter, range)) {
          if (sent.has(packet.topic)) continue;
          sent.add(packet.topic);
          yield packet;
        }
  }

  /** The messages in one range of the index that `filter` matches, a page at a time. */
  async *#read(filter: string, [min, max]: LexRange): AsyncGenerator<RetainedPacket> {
    if (min === max) {
      // One topic (a filter without wildcards, or `a` of `a/#`): the hash answers it alone.
      const value = await this.#db.hgetBuffer(RETAINED_HASH, min.slice(1));
      if (value) yield msgpack.decode(value) as RetainedPacket;
      return;
    }
    let from = min;
    for (;;) {
      const topics = await this.#db.zrangebylex(RETAINED_TOPICS, from, max, 'LIMIT', 0, PAGE);
      const wanted = topics.filter((t) => matchesFilter(filter, t));
      if (wanted.length > 0) {
        const values = await this.#db.hmgetBuffer(RETAINED_HASH, ...wanted);
        const stale: string[] = [];
        for (const [i, value] of values.entries())
          if (value) yield msgpack.decode(value) as RetainedPacket;
          else stale.push(wanted[i] as string);
        // Deleted by a broker that does not keep the index: forget it (only if still absent from the hash).
        if (stale.length > 0) await this.#db.retainedReconcile(RETAINED_HASH, RETAINED_TOPICS, ...stale);
      }
      if (topics.length < PAGE) return;
      from = `(${topics[topics.length - 1]}`;
    }
  }
}

export type IndexedRedisPersistence = CallBackPersistence<IndexedRedisRetained>;

/** The cluster's persistence (`cluster.ts`): aedes-persistence-redis with retained messages indexed. */
export function indexedRedisPersistence(options: {
  conn: Redis;
  maxSessionDelivery?: number;
  packetTTL?: (packet: unknown) => number;
}): IndexedRedisPersistence {
  return new CallBackPersistence(() => new IndexedRedisRetained(options));
}
