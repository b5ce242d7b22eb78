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
