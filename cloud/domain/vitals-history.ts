import type { Logger } from 'pino';
import type { VitalsEnvelope } from '../../protocol/index.ts';
import { atomically, greatest, least, type SqlSession } from '../db/sql.ts';

/** The readings a vitals message may carry, in the order the store keeps them. */
export const VITALS = ['hr', 'spo2', 'rr', 'temp', 'sys', 'dia'] as const;
export type Vital = (typeof VITALS)[number];

/** How long vitals history is kept (VITALS_RAW_HOURS, VITALS_KEEP_DAYS). */
export interface VitalsRetention {
  /** Every reading as it came, for this many hours. */
  rawHours: number;
  /** One-minute aggregates (count, mean, min, max per vital), for this many days. */
  keepDays: number;
}

export const DEFAULT_RETENTION: VitalsRetention = { rawHours: 48, keepDays: 90 };

/** One minute of an elder's vitals: mean, lowest and highest of each vital measured in it. */
export interface MinutePoint {
  ts: string;
  n: number;
  mean: Partial<Record<Vital, number>>;
  min: Partial<Record<Vital, number>>;
  max: Partial<Record<Vital, number>>;
}

/** The minute a timestamp falls in (timestamps are UTC with milliseconds: CONTRACT). */
export const minuteOf = (ts: string): string => `${ts.slice(0, 16)}:00.000Z`;

/** Rows removed by one pass of the retention sweep. */
export interface PruneResult {
  raw: number;
  minutes: number;
}

/**
 * Vitals history in the embedded store: every reading for `rawHours`, and one-minute aggregates per elder
 * and vital for `keepDays`, updated with each reading in the same transaction, so the two never disagree
 * and the long view needs no batch job. Readings of devices assigned to no elder are kept raw only.
 */
export class VitalsHistory {
  readonly #db: SqlSession;
  readonly retention: VitalsRetention;

  constructor(db: SqlSession, retention: VitalsRetention = DEFAULT_RETENTION) {
    this.#db = db;
    this.retention = retention;
  }

  /** The same history, reading and writing inside `tx` (a batch of readings in one transaction). */
  in(tx: SqlSession): VitalsHistory {
    return new VitalsHistory(tx, this.retention);
  }

  /** Stores a vitals message; false when its id was seen before (a resend), which changes nothing. */
  record(gatewayId: string, deviceId: string, elderId: string | null, v: VitalsEnvelope): Promise<boolean> {
    const { dialect } = this.#db;
    return atomically(this.#db, async (tx) => {
      const values = VITALS.map((k) => v[k] ?? null);
      const result = await tx.run(
        `INSERT INTO vitals (gateway_id, device_id, elder_id, id, ts, hr, spo2, rr, temp, sys, dia)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (gateway_id, id) DO NOTHING`,
        [gatewayId, deviceId, elderId, v.id, v.ts, ...values],
      );
      if (result.changes === 0) return false;
      if (elderId !== null) {
        const minute = minuteOf(v.ts);
        for (const k of VITALS) {
          const value = v[k];
          if (value === undefined) continue;
          await tx.run(
            `INSERT INTO vitals_minute (elder_id, vital, minute, n, total, low, high) VALUES ($1, $2, $3, 1, $4, $4, $4)
             ON CONFLICT (elder_id, vital, minute) DO UPDATE SET n = vitals_minute.n + 1,
               total = vitals_minute.total + excluded.total,
               low = ${least(dialect, 'vitals_minute.low', 'excluded.low')},
               high = ${greatest(dialect, 'vitals_minute.high', 'excluded.high')}`,
            [elderId, k, minute, value],
          );
        }
      }
      return true;
    });
  }

  /** An elder's readings as they came, from `since` (inclusive) to `until` (exclusive), oldest first. */
  async raw(
    elderId: string,
    since: string,
    until: string,
    limit: number,
  ): Promise<Record<string, string | number>[]> {
    const rows = await this.#db.all(
      `SELECT ts, device_id, hr, spo2, rr, temp, sys, dia FROM vitals
       WHERE elder_id = $1 AND ts >= $2 AND ts < $3 ORDER BY ts LIMIT $4`,
      [elderId, since, until, limit],
    );
    return rows.map((r) =>
      Object.fromEntries(
        Object.entries(r)
          .filter(([, v]) => v !== null)
          .map(([k, v]) => [k === 'device_id' ? 'deviceId' : k, v as string | number]),
      ),
    );
  }

  /** An elder's one-minute aggregates in [since, until), oldest first, at most `limit` minutes. */
  async minutes(elderId: string, since: string, until: string, limit: number): Promise<MinutePoint[]> {
    const rows = await this.#db.all(
      `SELECT minute, vital, n, total, low, high FROM vitals_minute
       WHERE elder_id = $1 AND minute IN (
         SELECT DISTINCT minute FROM vitals_minute WHERE elder_id = $1 AND minute >= $2 AND minute < $3
         ORDER BY minute LIMIT $4)
       ORDER BY minute`,
      [elderId, minuteOf(since), until, limit],
    );
    const points: MinutePoint[] = [];
    for (const r of rows) {
      const ts = String(r.minute);
      let point = points.at(-1);
      if (point?.ts !== ts) {
        point = { ts, n: 0, mean: {}, min: {}, max: {} };
        points.push(point);
      }
      const vital = String(r.vital) as Vital;
      const n = Number(r.n);
      point.n = Math.max(point.n, n);
      point.mean[vital] = Math.round((Number(r.total) / n) * 100) / 100;
      point.min[vital] = Number(r.low);
      point.max[vital] = Number(r.high);
    }
    return points;
  }

  /**
   * Removes what is past its keeping time, in batches so that ingest is never held up for long.
   * A reading's age is its measurement time: a gateway clock far in the future keeps it longer, never shorter.
   */
  async prune(now: number): Promise<PruneResult> {
    const rawBefore = new Date(now - this.retention.rawHours * 3600_000).toISOString();
    const minutesBefore = new Date(now - this.retention.keepDays * 86_400_000).toISOString();
    // Batches by primary key (both engines; SQLite's rowid has no PostgreSQL twin).
    const deleteRaw = `DELETE FROM vitals WHERE (gateway_id, id) IN
      (SELECT gateway_id, id FROM vitals WHERE ts < $1 LIMIT ${BATCH})`;
    const deleteMinutes = `DELETE FROM vitals_minute WHERE (elder_id, vital, minute) IN
      (SELECT elder_id, vital, minute FROM vitals_minute WHERE minute < $1 LIMIT ${BATCH})`;
    const sweep = async (statement: string, before: string): Promise<number> => {
      let removed = 0;
      for (;;) {
        const { changes } = await this.#db.run(statement, [before]);
        removed += changes;
        if (changes < BATCH) return removed;
      }
    };
    return { raw: await sweep(deleteRaw, rawBefore), minutes: await sweep(deleteMinutes, minutesBefore) };
  }
}

const BATCH = 5000;

/** Runs the vitals retention sweep soon after start and then every hour. */
export class RetentionSweep {
  readonly #history: VitalsHistory;
  readonly #log: Logger;
  readonly #everyMs: number;
  #timers: NodeJS.Timeout[] = [];
  #sweeping: Promise<void> | null = null;
  readonly #active: () => boolean;

  /** `active`: does this instance sweep now (it holds the retention lease of a cluster)? */
  constructor(
    history: VitalsHistory,
    logger: Logger,
    everyMs = 3600_000,
    active: () => boolean = () => true,
  ) {
    this.#history = history;
    this.#active = active;
    this.#log = logger.child({ component: 'retention' });
    this.#everyMs = everyMs;
  }

  start(): void {
    const first = setTimeout(() => void this.#beat(), 5_000);
    const every = setInterval(() => void this.#beat(), this.#everyMs);
    first.unref();
    every.unref();
    this.#timers = [first, every];
  }

  /** One sweep at a time: a slow one is not joined by the next. */
  #beat(): void {
    if (this.#sweeping !== null || !this.#active()) return;
    this.#sweeping = this.sweep().then(() => {
      this.#sweeping = null;
    });
  }

  async sweep(now = Date.now()): Promise<PruneResult | null> {
    try {
      const removed = await this.#history.prune(now);
      if (removed.raw + removed.minutes > 0)
        this.#log.info({ ...removed, ...this.#history.retention }, 'old vitals removed');
      return removed;
    } catch (err) {
      this.#log.error({ err }, 'vitals retention sweep failed; retrying at the next one');
      return null;
    }
  }

  async stop(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers = [];
    await this.#sweeping;
  }
}
