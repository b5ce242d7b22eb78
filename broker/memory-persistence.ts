import MemoryPersistence from 'aedes-persistence/asyncPersistence.js';
import { CallBackPersistence } from 'aedes-persistence/callBackPersistence.js';
import { RetainedIndex } from './retained-index.ts';

/** The fields of a retained PUBLISH that Aedes stores and delivers again on SUBSCRIBE. */
export interface RetainedPacket {
  topic: string;
  payload: Buffer | string;
  qos: 0 | 1 | 2;
  retain?: boolean;
  cmd?: string;
  [field: string]: unknown;
}

/**
 * Aedes's in-memory persistence (sessions, subscriptions, offline queues, wills: unchanged) with its
 * retained messages in a trie of topic levels instead of a flat map scanned on every SUBSCRIBE.
 */
class IndexedRetainedMemoryPersistence extends MemoryPersistence {
  readonly retained = new RetainedIndex<RetainedPacket>();

  override async storeRetained(packet: RetainedPacket): Promise<void> {
    // An empty payload deletes the topic's retained message [MQTT-3.3.1-10].
    if (packet.payload.length === 0) this.retained.delete(packet.topic);
    else this.retained.set(packet.topic, { ...packet });
  }

  override createRetainedStream(filter: string): Generator<RetainedPacket> {
    return this.createRetainedStreamCombi([filter]);
  }

  /** Overlapping filters of one SUBSCRIBE deliver a topic's message once, as the Redis persistence does. */
  override *createRetainedStreamCombi(filters: string[]): Generator<RetainedPacket> {
    const sent = filters.length > 1 ? new Set<string>() : null;
    for (const filter of filters)
      for (const packet of this.retained.match(filter)) {
        if (sent) {
          if (sent.has(packet.topic)) continue;
          sent.add(packet.topic);
        }
        yield packet;
      }
  }
}

export type IndexedMemoryPersistence = CallBackPersistence<IndexedRetainedMemoryPersistence>;

/** The persistence for `createBroker` when no cluster is configured (`npm start`, `npm run broker`). */
export function indexedMemoryPersistence(): IndexedMemoryPersistence {
  return new CallBackPersistence(() => new IndexedRetainedMemoryPersistence());
}
