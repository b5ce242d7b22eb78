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

/**
 * Runs `fn` atomically: in a new transaction when `db` is the root handle, or simply inside the
 * transaction `db` already belongs to (the outermost caller owns the commit).
 */
export function atomically<T>(db: SqlSession, fn: (tx: SqlSession) => Promise<T>): Promise<T> {
  return 'transaction' in db && typeof db.transaction === 'function' ? (db as Sql).transaction(fn) : fn(db);
}

/** Builds the parameters of a statement assembled in parts: `add` answers the placeholder (`$3`). */
export class Params {
  readonly values: SqlValue[] = [];

  add(value: SqlValue): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /** `($1, $2, …)` for an IN list; `(NULL)` for none, which matches nothing. */
  list(values: readonly SqlValue[]): string {
    return values.length === 0 ? '(NULL)' : `(${values.map((v) => this.add(v)).join(', ')})`;
  }
}

/** The smaller of two values: two-argument `min` on SQLite, `LEAST` on PostgreSQL. */
export const least = (dialect: Dialect, a: string, b: string): string =>
  dialect === 'sqlite' ? `min(${a}, ${b})` : `LEAST(${a}, ${b})`;

/** The larger of two values: two-argument `max` on SQLite, `GREATEST` on PostgreSQL. */
export const greatest = (dialect: Dialect, a: string, b: string): string =>
  dialect === 'sqlite' ? `max(${a}, ${b})` : `GREATEST(${a}, ${b})`;

/** True when the JSON array of strings in text column `column` holds the text `value` (an expression). */
export const jsonArrayHas = (dialect: Dialect, column: string, value: string): string =>
  dialect === 'sqlite'
    ? `${value} IN (SELECT value FROM json_each(${column}))`
    : `${value} IN (SELECT jsonb_array_elements_text(${column}::jsonb))`;

/** A nullable text column as `string | null` (NULL and a missing column read as null). */
export const textOrNull = (value: unknown): string | null => (value == null ? null : String(value));

/**
 * The columns of a row that hold a value, as text: for the optional fields of a read model, which are
 * absent, never null (`{acceptedAt: row.accepted_at, …}` → only the set ones).
 */
export function presentText<K extends string>(columns: Record<K, unknown>): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const [k, v] of Object.entries(columns) as [K, unknown][]) if (v != null) out[k] = String(v);
  return out;
}
