import type { Aedes } from 'aedes';
import type { Logger } from 'pino';
import type { Journal } from './journal.ts';
import type { BrokerMetrics } from './metrics.ts';

export interface ReplayOptions {
  aedes: Aedes;
  journal: Journal;
  metrics: BrokerMetrics;
  logger: Logger;
  /** Is the cloud connected to this broker? Only that broker replays. */
  hostsCloud: () => boolean;
  /** How often the journal is swept for stragglers (ms). */
  intervalMs?: number;
  /** An entry this old without the cloud's ack is replayed (ms). */
  afterMs?: number;
}

/**
 * Re-publishes journaled events the cloud has not acknowledged: all of them whenever the cloud
 * subscribes (it may have missed them while away), and, every `intervalMs`, those older than `afterMs`
 * (a broker that PUBACKed an event and died before forwarding it; in a cluster its entry waits in the
 * shared journal for whichever broker hosts the cloud). Replays and resends are the same event id, which
 * the cloud counts as a duplicate and never turns into a second alert.
 */
export class JournalReplay {
  readonly #o: ReplayOptions;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | null = null;
  /** Replays run one after another; a sweep is skipped while one is queued or running. */
  #chain: Promise<void> = Promise.resolve();
  #busy = 0;

  constructor(options: ReplayOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'journal-replay' });
  }

  start(): void {
    this.#timer = setInterval(() => {
      if (this.#busy > 0 || !this.#o.hostsCloud()) return;
      this.#queue(new Date(Date.now() - (this.#o.afterMs ?? 10_000)), 1000);
    }, this.#o.intervalMs ?? 5000);
    this.#timer.unref();
  }

  /** Everything pending (the cloud has just subscribed and may have missed any of it). */
  all(): void {
    this.#queue(undefined, 10_000);
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#chain;
  }

  #queue(before: Date | undefined, limit: number): void {
    this.#busy += 1;
    this.#chain = this.#chain
      .then(() => this.#replay(before, limit))
      .catch((err: unknown) => this.#log.warn({ err }, 'journal replay failed'))
      .finally(() => {
        this.#busy -= 1;
      });
  }

  async #replay(before: Date | undefined, limit: number): Promise<void> {
    const pending = await this.#o.journal.pending(limit, before);
    if (pending.length === 0) return;
    this.#log.info(
      { count: pending.length, stragglers: before !== undefined },
      'replaying journaled events to the cloud',
    );
    for (const entry of pending) {
      this.#o.metrics.journalReplayed.inc();
      this.#o.aedes.publish(
        { cmd: 'publish', topic: entry.topic, payload: entry.payload, qos: 1, retain: false, dup: false },
        () => {},
      );
    }
  }
}
