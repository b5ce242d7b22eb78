import type { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import mqemitterRedis from 'mqemitter-redis';
import type { Logger } from 'pino';
import { announceAccessChange, type Emitter } from './notices.ts';
import { RedisJournal } from './redis-journal.ts';
import { type IndexedRedisPersistence, indexedRedisPersistence } from './redis-retained.ts';

export interface ClusterOptions {
  redisUrl: string;
  brokerId: string;
  /** Seconds a QoS 1 message waits for an offline `clean: false` session (default one day). */
  offlineTtlS?: number;
  /** Messages kept per offline session; older ones are trimmed (default 1000, what one CONNECT delivers). */
  offlineMax?: number;
  logger: Logger;
}

/** What a broker needs to join a cluster: the shared emitter, persistence and journal. */
export interface ClusterWiring {
  mq: Emitter;
  persistence: IndexedRedisPersistence;
  journal: RedisJournal;
  /** Trims offline queues of sessions that never came back; Aedes must be closed first. */
  close(): Promise<void>;
}

const connection = (url: string): Redis =>
  // A few retries, then the command fails: an event that cannot be journaled gets no PUBACK.
  new Redis(url, { maxRetriesPerRequest: 3, lazyConnect: false });

/**
 * Joins the brokers sharing `redisUrl`. Both the emitter (live messages between brokers) and the
 * persistence (sessions, subscriptions, offline queues, retained messages, wills) are shared: with only
 * one of them, messages between brokers are silently dropped.
 */
export async function joinCluster(options: ClusterOptions): Promise<ClusterWiring> {
  const log = options.logger.child({ component: 'cluster', brokerId: options.brokerId });
  const ttl = options.offlineTtlS ?? 86_400;
  const max = options.offlineMax ?? 1000;
  const redis = connection(options.redisUrl);
  redis.on('error', (err: Error) => log.warn({ err: err.message }, 'redis error'));
  await redis.ping();
  await warnUnlessDurable(redis, log);
  const mq = redisEmitter(options.redisUrl, log);
  const store = connection(options.redisUrl);
  store.on('error', (err: Error) => log.warn({ err: err.message }, 'redis error (persistence)'));
  // aedes-persistence-redis, its retained messages read through a sorted-set index (redis-retained.ts).
  const persistence = indexedRedisPersistence({
    conn: store,
    maxSessionDelivery: max,
    packetTTL: () => ttl,
  });
  const trim = async (): Promise<void> => {
    // Expired messages leave dangling references in a session's list: keep the newest `max` only.
    for await (const ids of redis.sscanStream('clients', { count: 500 }) as AsyncIterable<string[]>) {
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.ltrim(`outgoing:${encodeURIComponent(id)}`, -max, -1);
      await pipeline.exec();
    }
  };
  const sweep = (): void => {
    trim().catch((err: unknown) => log.warn({ err }, 'offline queue trim failed'));
  };
  sweep();
  const sweeper = setInterval(sweep, 3_600_000);
  sweeper.unref();
  return {
    mq: mq as unknown as Emitter,
    persistence,
    journal: new RedisJournal(redis, options.brokerId),
    async close() {
      clearInterval(sweeper);
      // Not persistence.destroy(): it unsubscribes on Aedes' emitter, which aedes.close() has already
      // closed, and never calls back. Its only other work is closing its connection.
      store.disconnect();
      redis.disconnect();
    },
  };
}

/**
 * The shared emitter. mqemitter-redis re-emits its connections' errors on `state`: without a listener
 * there, the first refused reconnect of a Redis outage threw and killed the process (every broker and
 * cloud of a cluster at once). Logged instead; ioredis reconnects and resubscribes by itself.
 */
function redisEmitter(redisUrl: string, log: Logger): ReturnType<typeof mqemitterRedis> {
  const mq = mqemitterRedis({ connectionString: redisUrl, maxRetriesPerRequest: 3 });
  // `state` is an EventEmitter the typings leave out.
  (mq as unknown as { state: EventEmitter }).state.on('error', (err: Error) =>
    log.warn({ err: err.message }, 'redis error (emitter)'),
  );
  return mq;
}

/** Without an fsync'd AOF, a Redis crash can lose an event this broker has already PUBACKed. */
async function warnUnlessDurable(redis: Redis, log: Logger): Promise<void> {
  try {
    const [, aof] = (await redis.config('GET', 'appendonly')) as string[];
    const [, fsync] = (await redis.config('GET', 'appendfsync')) as string[];
    if (aof !== 'yes' || fsync !== 'always')
      log.warn(
        { appendonly: aof, appendfsync: fsync },
        'redis is not fsyncing every write: a redis crash may lose acknowledged events',
      );
  } catch {
    // CONFIG is often disabled on managed Redis: nothing to check then.
  }
}

/** For a cloud with no broker in its process: tells every broker of the cluster about access changes. */
export function clusterNotices(
  redisUrl: string,
  logger: Logger,
): {
  announce(gatewayId: string): void;
  close(): Promise<void>;
} {
  const mq = redisEmitter(redisUrl, logger);
  return {
    announce(gatewayId) {
      announceAccessChange(mq as unknown as Emitter, gatewayId).catch((err: unknown) =>
        logger.error({ err, gatewayId }, 'gateway access notice failed: brokers keep the old access'),
      );
    },
    close: () => new Promise<void>((resolve) => mq.close(() => resolve())),
  };
}
