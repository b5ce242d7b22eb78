import { DatabaseSync, type StatementSync } from 'node:sqlite';

/** The oldest spooled lines, and the sequence number of the last of them (what `remove` takes). */
export interface SpoolBatch {
  throughSeq: number;
  lines: string[];
}

/**
 * A durable FIFO of line-protocol lines that could not be written to InfluxDB yet: a SQLite file of its
 * own, so a full or broken spool never touches the cloud's store. Bounded: past `maxPoints` the oldest
 * lines are shed (the newest history is the most useful once the database is back).
 * `synchronous=NORMAL`: a process crash loses nothing; a power cut may lose the last few appends.
 */
export class Spool {
  readonly maxPoints: number;
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #peek: StatementSync;
  readonly #remove: StatementSync;
  readonly #shed: StatementSync;
  #size: number;

  constructor(path: string, maxPoints: number) {
    if (!Number.isInteger(maxPoints) || maxPoints < 1) throw new RangeError('maxPoints must be ≥ 1');
    this.maxPoints = maxPoints;
    this.#db = new DatabaseSync(path);
    this.#db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      PRAGMA busy_timeout = 5000;
      CREATE TABLE IF NOT EXISTS spool (seq INTEGER PRIMARY KEY AUTOINCREMENT, line TEXT NOT NULL);
    `);
    this.#insert = this.#db.prepare('INSERT INTO spool (line) VALUES (?)');
    this.#peek = this.#db.prepare('SELECT seq, line FROM spool ORDER BY seq LIMIT ?');
    this.#remove = this.#db.prepare('DELETE FROM spool WHERE seq <= ?');
    this.#shed = this.#db.prepare(
      'DELETE FROM spool WHERE seq IN (SELECT seq FROM spool ORDER BY seq LIMIT ?)',
    );
    this.#size = Number(this.#db.prepare('SELECT count(*) AS n FROM spool').get()?.n ?? 0);
  }

  /** Lines waiting to be written. */
  get size(): number {
    return this.#size;
  }

  /** Appends `lines` after everything spooled; returns how many of the oldest lines were shed to make room. */
  append(lines: readonly string[]): number {
    if (lines.length === 0) return 0;
    // The spool is this process's own file, always SQLite and synchronous: no `Sql` port here.
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      for (const line of lines) this.#insert.run(line);
      const over = this.#size + lines.length - this.maxPoints;
      const shed = over > 0 ? Number(this.#shed.run(over).changes) : 0;
      this.#db.exec('COMMIT');
      this.#size += lines.length - shed;
      return shed;
    } catch (err) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw err;
    }
  }

  /** The oldest `limit` lines, in the order they were appended; null when the spool is empty. */
  peek(limit: number): SpoolBatch | null {
    const rows = this.#peek.all(limit);
    const last = rows.at(-1);
    if (last === undefined) return null;
    return { throughSeq: Number(last.seq), lines: rows.map((r) => String(r.line)) };
  }

  /** Forgets every line up to and including `throughSeq` (they were written); returns how many. */
  remove(throughSeq: number): number {
    const removed = Number(this.#remove.run(throughSeq).changes);
    this.#size -= removed;
    return removed;
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
