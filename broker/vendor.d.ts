// aedes-persistence-redis ships no types; this is the part the broker uses.
declare module 'aedes-persistence-redis' {
  import type { Redis } from 'ioredis';

  interface RedisPersistenceOptions {
    /** A connection made by the caller (the persistence disconnects it on destroy). */
    conn?: Redis;
    /** Offline messages delivered at most on one CONNECT (default 1000). */
    maxSessionDelivery?: number;
    /** Seconds an offline QoS 1 message is kept; 0 keeps it forever. */
    packetTTL?: (packet: unknown) => number;
  }

  interface RedisPersistence {
    destroy(cb?: () => void): void;
  }

  export default function persistence(options?: RedisPersistenceOptions): RedisPersistence;
}

// aedes-persistence's types cover its package entry only; these are the two modules the broker extends
// (broker/memory-persistence.ts), as far as it uses them.
declare module 'aedes-persistence/asyncPersistence.js' {
  /** Aedes's in-memory persistence, promise-based (the callback layer wraps it). */
  export default class MemoryPersistence {
    setup(broker: unknown): Promise<void>;
    storeRetained(packet: unknown): Promise<void>;
    createRetainedStream(pattern: string): Iterable<unknown> | AsyncIterable<unknown>;
    createRetainedStreamCombi(patterns: string[]): Iterable<unknown> | AsyncIterable<unknown>;
    destroy(): Promise<void>;
  }
}

declare module 'aedes-persistence/callBackPersistence.js' {
  import type { EventEmitter } from 'node:events';
  /** What Aedes takes as `persistence`: callbacks or promises around a promise-based implementation. */
  export class CallBackPersistence<P = unknown> extends EventEmitter {
    constructor(factory: (options: object) => P, options?: object);
    readonly asyncPersistence: P;
    destroy(cb?: () => void): Promise<void> | undefined;
  }
}

declare module 'aedes-persistence-redis/asyncPersistence.js' {
  import type { Redis } from 'ioredis';
  /** aedes-persistence-redis's promise-based persistence, extended by broker/redis-retained.ts. */
  export default class AsyncRedisPersistence {
    constructor(options: {
      conn: Redis;
      maxSessionDelivery?: number;
      packetTTL?: (packet: unknown) => number;
    });
    setup(broker: unknown): Promise<void>;
    storeRetained(packet: unknown): Promise<void>;
    createRetainedStream(pattern: string): AsyncIterable<unknown>;
    createRetainedStreamCombi(patterns: string[]): AsyncIterable<unknown>;
    destroy(): Promise<void>;
  }
}
