import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Logger } from 'pino';
import type { VitalsEnvelope } from '../../protocol/index.ts';
import { transaction } from '../db/database.ts';

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
  readonly #db: DatabaseSync;
  readonly retention: VitalsRetention;
  readonly #insert: StatementSync;
  readonly #aggregate: StatementSync;

  constructor(db: DatabaseSync, retention: VitalsRetention = DEFAULT_RETENTION) {
    this.#db = db;
    this.retention = retention;
    this.#insert = db.prepare(
      `INSERT OR IGNORE INTO vitals (gateway_id, device_id, elder_id, id, ts, hr, spo2, rr, temp, sys, dia)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#aggregate = db.prepare(
      `INSERT INTO vitals_minute (elder_id, vital, minute, n, total, low, high) VALUES (?, ?, ?, 1, ?, ?, ?)
       ON CONFLICT (elder_id, vital, minute) DO UPDATE SET n = n + 1, total = total + excluded.total,
         low = min(low, excluded.low), high = max(high, excluded.high)`,
    );
  }

  /** Stores a vitals message; false when its id was seen before (a resend), which changes nothing. */
  record(gatewayId: string, deviceId: string, elderId: string | null, v: VitalsEnvelope): boolean {
    return transaction(this.#db, () => {
      const values = VITALS.map((k) => v[k] ?? null);
      const result = this.#insert.run(gatewayId, deviceId, elderId, v.id, v.ts, ...values);
      if (result.changes === 0) return false;
      if (elderId !== null) {
        const minute = minuteOf(v.ts);
        for (const k of VITALS) {
          const value = v[k];
          if (value !== undefined) this.#aggregate.run(elderId, k, minute, value, value, value);
        }
      }
      return true;
    });
  }

  /** An elder's readings as they came, from `since` (inclusive) to `until` (exclusive), oldest first. */
  raw(elderId: string, since: string, until: string, limit: number): Record<string, string | number>[] {
    return this.#db
      .prepare(
        `SELECT ts, device_id, hr, spo2, rr, temp, sys, dia FROM vitals
         WHERE elder_id = ? AND ts >= ? AND ts < ? ORDER BY ts LIMIT ?`,
      )
      .all(elderId, since, until, limit)
      .map((r) =>
        Object.fromEntries(
          Object.entries(r)
            .filter(([, v]) => v !== null)
            .map(([k, v]) => [k === 'device_id' ? 'deviceId' : k, v as string | number]),
        ),
      );
  }

  /** An elder's one-minute aggregates in [since, until), oldest first, at most `limit` minutes. */
  minutes(elderId: string, since: string, until: string, limit: number): MinutePoint[] {
    const rows = this.#db
      .prepare(
        `SELECT minute, vital, n, total, low, high FROM vitals_minute
         WHERE elder_id = ? AND minute IN (
           SELECT DISTINCT minute FROM vitals_minute WHERE elder_id = ? AND minute >= ? AND minute < ?
           ORDER BY minute LIMIT ?)
         ORDER BY minute`,
      )
      .all(elderId, elderId, minuteOf(since), until, limit);
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
  prune(now: number): PruneResult {
    const rawBefore = new Date(now - this.retention.rawHours * 3600_000).toISOString();
    const minutesBefore = new Date(now - this.retention.keepDays * 86_400_000).toISOString();
    const deleteRaw = this.#db.prepare(
      'DELETE FROM vitals WHERE rowid IN (SELECT rowid FROM vitals WHERE ts < ? LIMIT 5000)',
    );
    const deleteMinutes = this.#db.prepare(
      'DELETE FROM vitals_minute WHERE rowid IN (SELECT rowid FROM vitals_minute WHERE minute < ? LIMIT 5000)',
    );
    const sweep = (statement: StatementSync, before: string): number => {
      let removed = 0;
      for (;;) {
        const { changes } = statement.run(before);
        removed += Number(changes);
        if (Number(changes) < 5000) return removed;
      }
    };
    return { raw: sweep(deleteRaw, rawBefore), minutes: sweep(deleteMinutes, minutesBefore) };
  }
}

/** Runs the vitals retention sweep soon after start and then every hour. */
export class RetentionSweep {
  readonly #history: VitalsHistory;
  readonly #log: Logger;
  readonly #everyMs: number;
  #timers: NodeJS.Timeout[] = [];

  constructor(history: VitalsHistory, logger: Logger, everyMs = 3600_000) {
    this.#history = history;
    this.#log = logger.child({ component: 'retention' });
    this.#everyMs = everyMs;
  }

  start(): void {
    const first = setTimeout(() => this.sweep(), 5_000);
    const every = setInterval(() => this.sweep(), this.#everyMs);
    first.unref();
    every.unref();
    this.#timers = [first, every];
  }

  sweep(now = Date.now()): PruneResult | null {
    try {
      const removed = this.#history.prune(now);
      if (removed.raw + removed.minutes > 0)
        this.#log.info({ ...removed, ...this.#history.retention }, 'old vitals removed');
      return removed;
    } catch (err) {
      this.#log.error({ err }, 'vitals retention sweep failed; retrying at the next one');
      return null;
    }
  }

  stop(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers = [];
  }
}
