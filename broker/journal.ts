import { DatabaseSync, type StatementSync } from 'node:sqlite';

export interface JournalEntry {
  gatewayId: string;
  eventId: string;
  topic: string;
  payload: Buffer;
}

/**
 * The broker's durable inbox of gateway events. An event is committed here before the broker sends
 * PUBACK, so an event acknowledged to a gateway survives a kill -9 at that instant. An entry leaves the
 * journal when the cloud has acknowledged it, which the cloud does only after its own commit; whatever
 * is left is replayed to the cloud. Two stores: SQLite on the broker's disk (one broker) and Redis
 * (a cluster, where any broker must be able to replay what a dead one acknowledged).
 */
export interface Journal {
  /** Commits one event; a resend of an event already journaled is a no-op. Resolves once durable. */
  append(entry: JournalEntry, receivedAt: Date): Promise<void>;
  /**
   * The cloud has committed these events (gateway id, event id): the journal no longer needs them. One
   * commit for them all: the cloud acknowledges up to 500 at a time, and a storm of SOS would otherwise
   * pay one fsync per removal.
   */
  remove(keys: readonly (readonly [gatewayId: string, eventId: string])[]): Promise<void>;
  /** Entries received at or before `before` (default: all), oldest first. */
  pending(limit?: number, before?: Date): Promise<JournalEntry[]>;
  size(): Promise<number>;
  close(): Promise<void>;
}

/** The journal of a single broker: SQLite in WAL with synchronous=FULL (committed before the PUBACK). */
export class EventJournal implements Journal {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #remove: StatementSync;
  readonly #pending: StatementSync;
  readonly #count: StatementSync;
  readonly #appends: {
    entry: JournalEntry;
    at: string;
    resolve: () => void;
    reject: (err: unknown) => void;
  }[] = [];

  constructor(path: string) {
    this.#db = new DatabaseSync(path);
    this.#db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = FULL;
      PRAGMA busy_timeout = 5000;
      CREATE TABLE IF NOT EXISTS journal (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        gateway_id TEXT NOT NULL,
        event_id TEXT NOT NULL,
        topic TEXT NOT NULL,
        payload BLOB NOT NULL,
        received_at TEXT NOT NULL,
        UNIQUE (gateway_id, event_id)
      );
    `);
    this.#insert = this.#db.prepare(
      'INSERT OR IGNORE INTO journal (gateway_id, event_id, topic, payload, received_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.#remove = this.#db.prepare('DELETE FROM journal WHERE gateway_id = ? AND event_id = ?');
    // received_at is always toISOString(): text order is time order.
    this.#pending = this.#db.prepare(
      'SELECT gateway_id, event_id, topic, payload FROM journal WHERE received_at <= ? ORDER BY seq LIMIT ?',
    );
    this.#count = this.#db.prepare('SELECT count(*) AS n FROM journal');
  }

  /**
   * Appends of one turn of the loop share one commit (one fsync): a storm of SOS from thousands of
   * gateways is journaled in a few commits, and each still resolves (and is PUBACKed) only once durable.
   */
  append(entry: JournalEntry, receivedAt: Date): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#appends.push({ entry, at: receivedAt.toISOString(), resolve, reject });
      if (this.#appends.length === 1) setImmediate(() => this.#commitAppends());
    });
  }

  #commitAppends(): void {
    const batch = this.#appends.splice(0);
    if (batch.length === 0 || !this.#db.isOpen) {
      for (const a of batch) a.reject(new Error('journal closed'));
      return;
    }
    try {
      this.#transaction(() => {
        for (const { entry, at } of batch)
          this.#insert.run(entry.gatewayId, entry.eventId, entry.topic, entry.payload, at);
      });
    } catch (err) {
      for (const a of batch) a.reject(err);
      return;
    }
    for (const a of batch) a.resolve();
  }

  async remove(keys: readonly (readonly [gatewayId: string, eventId: string])[]): Promise<void> {
    if (keys.length === 0) return;
    this.#transaction(() => {
      for (const [gatewayId, eventId] of keys) this.#remove.run(gatewayId, eventId);
    });
  }

  /** Runs `work` as one commit (one fsync), rolled back if it throws. */
  #transaction(work: () => void): void {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      work();
      this.#db.exec('COMMIT');
    } catch (err) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw err;
    }
  }

  async pending(limit = 10_000, before?: Date): Promise<JournalEntry[]> {
    return this.#pending.all(before?.toISOString() ?? '9999', limit).map((row) => ({
      gatewayId: String(row.gateway_id),
      eventId: String(row.event_id),
      topic: String(row.topic),
      payload: Buffer.from(row.payload as Uint8Array),
    }));
  }

  async size(): Promise<number> {
    return Number(this.#count.get()?.n ?? 0);
  }

  async close(): Promise<void> {
    this.#commitAppends();
    if (this.#db.isOpen) this.#db.close();
  }
}
