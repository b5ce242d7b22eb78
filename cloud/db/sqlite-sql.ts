import { AsyncLocalStorage } from 'node:async_hooks';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import {
  type Dialect,
  type Row,
  type Sql,
  type SqlRunResult,
  type SqlSession,
  type SqlValue,
  UniqueViolation,
} from './sql.ts';

/** `$1` → `?1`: SQLite numbers its parameters the same way with another sigil. */
const toSqlite = (sql: string): string => sql.replace(/\$(\d+)/g, '?$1');

function translateError(err: unknown): never {
  const e = err as { code?: string; errcode?: number; message?: string };
  // SQLITE_CONSTRAINT_PRIMARYKEY (1555) and SQLITE_CONSTRAINT_UNIQUE (2067).
  if (e.errcode === 1555 || e.errcode === 2067)
    throw new UniqueViolation(e.message ?? 'unique', { cause: err });
  throw err;
}

const insideTransaction = new AsyncLocalStorage<SqliteSql>();

/**
 * The embedded store behind the `Sql` port: one connection, statements run synchronously underneath.
 * A transaction holds the connection until it ends, so everything else queues behind it: a statement
 * outside `tx` never sees or joins another caller's open transaction.
 */
export class SqliteSql implements Sql {
  readonly dialect: Dialect = 'sqlite';
  readonly db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  #busy: Promise<void> | null = null;

  constructor(pathOrDb: string | DatabaseSync) {
    this.db = typeof pathOrDb === 'string' ? new DatabaseSync(pathOrDb) : pathOrDb;
  }

  #prepare(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(toSqlite(sql));
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** The statements of a session that owns the connection right now. */
  readonly #direct: SqlSession = {
    dialect: 'sqlite',
    all: async <T extends Row>(sql: string, params: readonly SqlValue[] = []) => {
      try {
        return this.#prepare(sql).all(...(params as SQLInputValue[])) as T[];
      } catch (err) {
        return translateError(err);
      }
    },
    get: async <T extends Row>(sql: string, params: readonly SqlValue[] = []) => {
      try {
        return this.#prepare(sql).get(...(params as SQLInputValue[])) as T | undefined;
      } catch (err) {
        return translateError(err);
      }
    },
    run: async (sql: string, params: readonly SqlValue[] = []): Promise<SqlRunResult> => {
      try {
        return { changes: Number(this.#prepare(sql).run(...(params as SQLInputValue[])).changes) };
      } catch (err) {
        return translateError(err);
      }
    },
    exec: async (script: string) => {
      this.db.exec(script);
    },
  };

  /** Fails fast where waiting would deadlock: the root handle used inside this store's own transaction. */
  #notInOwnTransaction(): void {
    if (insideTransaction.getStore() === this)
      throw new Error('inside a transaction, use its `tx`: the connection waits for the transaction to end');
  }

  async all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    this.#notInOwnTransaction();
    // The check and the statement run in one turn: no transaction can begin in between.
    while (this.#busy !== null) await this.#busy;
    return this.#direct.all<T>(sql, params);
  }

  async get<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    this.#notInOwnTransaction();
    while (this.#busy !== null) await this.#busy;
    return this.#direct.get<T>(sql, params);
  }

  async run(sql: string, params?: readonly SqlValue[]): Promise<SqlRunResult> {
    this.#notInOwnTransaction();
    while (this.#busy !== null) await this.#busy;
    return this.#direct.run(sql, params);
  }

  async transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    this.#notInOwnTransaction();
    while (this.#busy !== null) await this.#busy;
    let release!: () => void;
    this.#busy = new Promise((resolve) => {
      release = resolve;
    });
    try {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await insideTransaction.run(this, () => fn(this.#direct));
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.isTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    } finally {
      this.#busy = null;
      release();
    }
  }

  async exec(script: string): Promise<void> {
    this.#notInOwnTransaction();
    while (this.#busy !== null) await this.#busy;
    this.db.exec(script);
  }

  async close(): Promise<void> {
    while (this.#busy !== null) await this.#busy;
    this.#statements.clear();
    if (this.db.isOpen) this.db.close();
  }
}
