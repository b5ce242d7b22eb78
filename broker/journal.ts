import { DatabaseSync, type StatementSync } from 'node:sqlite';

export interface JournalEntry {
  seq: number;
  topic: string;
  payload: Buffer;
}

/**
 * The broker's durable inbox of gateway events. An event is committed here (synchronous=FULL) before
 * the broker sends PUBACK, so an event acknowledged to a gateway survives a kill -9 at that instant.
 * An entry leaves the journal when the cloud has acknowledged it, which the cloud does only after its
 * own commit; whatever is left is replayed to the cloud when it subscribes again.
 */
export class EventJournal {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #remove: StatementSync;
  readonly #pending: StatementSync;
  readonly #count: StatementSync;

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
    this.#pending = this.#db.prepare('SELECT seq, topic, payload FROM journal ORDER BY seq LIMIT ?');
    this.#count = this.#db.prepare('SELECT count(*) AS n FROM journal');
  }

  /** Commits one event; a resend of an event already journaled is a no-op. */
  append(gatewayId: string, eventId: string, topic: string, payload: Uint8Array, receivedAt: string): void {
    this.#insert.run(gatewayId, eventId, topic, payload, receivedAt);
  }

  /** The cloud has committed this event: it no longer needs the journal. */
  remove(gatewayId: string, eventId: string): void {
    this.#remove.run(gatewayId, eventId);
  }

  pending(limit = 10_000): JournalEntry[] {
    return this.#pending.all(limit).map((row) => ({
      seq: Number(row.seq),
      topic: String(row.topic),
      payload: Buffer.from(row.payload as Uint8Array),
    }));
  }

  size(): number {
    return Number(this.#count.get()?.n ?? 0);
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
