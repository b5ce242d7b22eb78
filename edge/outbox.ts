import { DatabaseSync } from 'node:sqlite';

export type OutboxKind = 'event' | 'vitals' | 'state';

export interface OutboxEntry {
  seq: number;
  topic: string;
  payload: string;
  qos: 0 | 1;
  retain: boolean;
  kind: OutboxKind;
  /** The event id for events; used by the SMS fallback and logs. */
  eventId: string | null;
  createdAt: number;
}

export interface EnqueueResult {
  seq: number;
  /** Vitals or states deleted to make room (the shedding policy). */
  shed: number;
}

/**
 * The gateway's store-and-forward queue on disk. Every message is committed here (synchronous=FULL)
 * before it is published, and deleted only after the broker's PUBACK, so an SOS survives an uplink
 * outage, a kill -9 and a power cut, and is replayed in order with its original id and ts.
 *
 * Bounded by `limit` with this policy: a new device state replaces any pending state of the same topic
 * (a state is a snapshot); when full, the oldest vitals are shed first, then the oldest states; events
 * are never shed: past the limit they are still stored (the disk is their bound) and counted.
 */
export class Outbox {
  readonly #db: DatabaseSync;
  readonly #limit: number;
  readonly #q: ReturnType<typeof prepare>;
  /** Events stored while the queue was past its limit (they were kept, never dropped). */
  overLimitEvents = 0;

  constructor(path: string, limit = 10_000) {
    this.#limit = limit;
    this.#db = new DatabaseSync(path);
    this.#db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = FULL;
      CREATE TABLE IF NOT EXISTS outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        topic TEXT NOT NULL,
        payload TEXT NOT NULL,
        qos INTEGER NOT NULL,
        retain INTEGER NOT NULL,
        kind TEXT NOT NULL,
        event_id TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS outbox_kind ON outbox (kind, seq);
      CREATE TABLE IF NOT EXISTS sms_sent (event_id TEXT PRIMARY KEY, sent_at INTEGER NOT NULL);
    `);
    this.#q = prepare(this.#db);
  }

  enqueue(entry: Omit<OutboxEntry, 'seq' | 'createdAt'>, now = Date.now()): EnqueueResult {
    let shed = 0;
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      if (entry.kind === 'state') this.#q.replaceState.run(entry.topic);
      while (this.size() >= this.#limit) {
        const removed =
          Number(this.#q.shedOldest.run('vitals').changes) || Number(this.#q.shedOldest.run('state').changes);
        if (!removed) break;
        shed += 1;
      }
      if (entry.kind !== 'event' && this.size() >= this.#limit) {
        this.#db.exec('ROLLBACK');
        return { seq: -1, shed: shed + 1 };
      }
      if (entry.kind === 'event' && this.size() >= this.#limit) this.overLimitEvents += 1;
      const result = this.#q.insert.run(
        entry.topic,
        entry.payload,
        entry.qos,
        entry.retain ? 1 : 0,
        entry.kind,
        entry.eventId,
        now,
      );
      this.#db.exec('COMMIT');
      return { seq: Number(result.lastInsertRowid), shed };
    } catch (err) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw err;
    }
  }

  /** Up to `limit` entries after `afterSeq`, oldest first. */
  peek(limit: number, afterSeq = 0): OutboxEntry[] {
    return this.#q.peek.all(afterSeq, limit).map(toEntry);
  }

  /** Pending events (for the SMS fallback after a restart). */
  pendingEvents(): OutboxEntry[] {
    return this.#q.events.all().map(toEntry);
  }

  remove(seq: number): void {
    this.#q.remove.run(seq);
  }

  size(): number {
    return Number(this.#q.count.get()?.n ?? 0);
  }

  smsAlreadySent(eventId: string): boolean {
    return this.#q.smsSent.get(eventId) !== undefined;
  }

  markSmsSent(eventId: string, now = Date.now()): void {
    this.#q.markSms.run(eventId, now);
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}

function toEntry(row: Record<string, unknown>): OutboxEntry {
  return {
    seq: Number(row.seq),
    topic: String(row.topic),
    payload: String(row.payload),
    qos: Number(row.qos) === 1 ? 1 : 0,
    retain: Number(row.retain) === 1,
    kind: row.kind as OutboxKind,
    eventId: row.event_id === null ? null : String(row.event_id),
    createdAt: Number(row.created_at),
  };
}

function prepare(db: DatabaseSync) {
  return {
    insert: db.prepare(
      'INSERT INTO outbox (topic, payload, qos, retain, kind, event_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    replaceState: db.prepare("DELETE FROM outbox WHERE kind = 'state' AND topic = ?"),
    count: db.prepare('SELECT count(*) AS n FROM outbox'),
    shedOldest: db.prepare(
      'DELETE FROM outbox WHERE seq = (SELECT seq FROM outbox WHERE kind = ? ORDER BY seq LIMIT 1)',
    ),
    peek: db.prepare('SELECT * FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?'),
    remove: db.prepare('DELETE FROM outbox WHERE seq = ?'),
    events: db.prepare("SELECT * FROM outbox WHERE kind = 'event' ORDER BY seq"),
    smsSent: db.prepare('SELECT 1 AS x FROM sms_sent WHERE event_id = ?'),
    markSms: db.prepare('INSERT OR IGNORE INTO sms_sent (event_id, sent_at) VALUES (?, ?)'),
  };
}
