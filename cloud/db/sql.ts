/**
 * The one door to the cloud's relational store, the same for the embedded SQLite and for PostgreSQL.
 *
 * Statements are written once, in the SQL both engines share: `$1`, `$2`… placeholders, `ON CONFLICT`,
 * `RETURNING`, ISO-8601 text for times, integers for flags, JSON as text. What the engines do not share
 * (DDL of identity columns, two-argument `min`/`max`) stays in the migrations of each dialect or is
 * asked of `dialect`.
 */
export type SqlValue = string | number | bigint | null | Uint8Array;
export type Row = Record<string, unknown>;
export type Dialect = 'sqlite' | 'postgres';

export interface SqlRunResult {
  /** Rows inserted, updated or deleted. */
  changes: number;
}

/** Statements on one connection or inside one transaction. */
export interface SqlSession {
  readonly dialect: Dialect;
  all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<SqlRunResult>;
  /** Runs a script of several statements (migrations); no parameters. */
  exec(script: string): Promise<void>;
}

export interface Sql extends SqlSession {
  /**
   * Runs `fn` in one transaction that commits when it resolves and rolls back when it throws. Only the
   * `tx` handed to `fn` is inside it. Transactions are serializable in effect: on SQLite they run one at
   * a time; on PostgreSQL each runs at SERIALIZABLE and is retried (with the same `fn`) when the engine
   * reports a serialization failure, so `fn` must have no effects outside `tx` before it resolves.
   */
  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A statement broke a unique or primary-key constraint (a second alert for one event id, say). */
export class UniqueViolation extends Error {
  readonly code = 'ERR_UNIQUE';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UniqueViolation';
  }
}
