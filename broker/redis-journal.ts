import type { Redis } from 'ioredis';
import type { Journal, JournalEntry } from './journal.ts';

interface Stored {
  topic: string;
  payload: string;
  broker: string;
}

/**
 * The journal of a broker cluster, shared in Redis: broker A commits an event here before its PUBACK,
 * and broker B, where the cloud is connected, removes it on the cloud's PUBACK and replays it if A died
 * before forwarding it. Durable against a Redis crash only with `appendonly yes` and
 * `appendfsync always` (Redis fsyncs the AOF before it answers the append).
 *
 * Keys: `<prefix>entries` (hash `gateway/event` → JSON) and `<prefix>order` (sorted set by receipt ms).
 */
export class RedisJournal implements Journal {
  readonly #redis: Redis;
  readonly #entries: string;
  readonly #order: string;
  readonly #brokerId: string;

  constructor(redis: Redis, brokerId: string, prefix = 'eldercare:journal:') {
    this.#redis = redis;
    this.#brokerId = brokerId;
    this.#entries = `${prefix}entries`;
    this.#order = `${prefix}order`;
  }

  async append(entry: JournalEntry, receivedAt: Date): Promise<void> {
    const field = `${entry.gatewayId}/${entry.eventId}`;
    const stored: Stored = {
      topic: entry.topic,
      payload: entry.payload.toString('base64'),
      broker: this.#brokerId,
    };
    const result = await this.#redis
      .multi()
      .hsetnx(this.#entries, field, JSON.stringify(stored))
      .zadd(this.#order, 'NX', receivedAt.getTime(), field)
      .exec();
    const failed = result?.find(([err]) => err);
    if (!result || failed) throw failed?.[0] ?? new Error('journal append was discarded');
  }

  async remove(keys: readonly (readonly [gatewayId: string, eventId: string])[]): Promise<void> {
    if (keys.length === 0) return;
    const fields = keys.map(([gatewayId, eventId]) => `${gatewayId}/${eventId}`);
    await this.#redis
      .multi()
      .hdel(this.#entries, ...fields)
      .zrem(this.#order, ...fields)
      .exec();
  }

  async pending(limit = 10_000, before?: Date): Promise<JournalEntry[]> {
    const max = before ? String(before.getTime()) : '+inf';
    const fields = await this.#redis.zrangebyscore(this.#order, '-inf', max, 'LIMIT', 0, limit);
    if (fields.length === 0) return [];
    const values = await this.#redis.hmget(this.#entries, ...fields);
    const entries: JournalEntry[] = [];
    fields.forEach((field, i) => {
      const raw = values[i];
      const [gatewayId = '', eventId = ''] = field.split('/');
      // Removed between the two reads (an ack raced the replay): nothing to replay.
      if (!raw) return;
      const stored = JSON.parse(raw) as Stored;
      entries.push({
        gatewayId,
        eventId,
        topic: stored.topic,
        payload: Buffer.from(stored.payload, 'base64'),
      });
    });
    return entries;
  }

  async size(): Promise<number> {
    return this.#redis.zcard(this.#order);
  }

  /** The connection belongs to the cluster wiring, which closes it. */
  async close(): Promise<void> {}
}
