import pg from 'pg';
import {
  type Dialect,
  type Row,
  type Sql,
  type SqlRunResult,
  type SqlSession,
  type SqlValue,
  UniqueViolation,
} from './sql.ts';

const INT8 = 20;
const NUMERIC = 1700;

/** Counts and sums come back as numbers, as they do from SQLite (ids and counts stay far below 2^53). */
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8 || oid === NUMERIC
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** SQLSTATE of a transaction the engine gave up to keep it serializable: run it again. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 10;

function translateError(err: unknown): never {
  if ((err as { code?: string }).code === '23505')
    throw new UniqueViolation((err as Error).message, { cause: err });
  throw err;
}

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

function session(db: Queryable): SqlSession {
  const query = async (sql: string, params: readonly SqlValue[] = []) => {
    try {
      return await db.query(sql, params as unknown[]);
    } catch (err) {
      return translateError(err);
    }
  };
  return {
    dialect: 'postgres',
    all: async <T extends Row>(sql: string, params?: readonly SqlValue[]) =>
      (await query(sql, params)).rows as T[],
    get: async <T extends Row>(sql: string, params?: readonly SqlValue[]) =>
      (await query(sql, params)).rows[0] as T | undefined,
    run: async (sql: string, params?: readonly SqlValue[]): Promise<SqlRunResult> => ({
      changes: (await query(sql, params)).rowCount ?? 0,
    }),
    // No parameters: the simple protocol, which takes several statements at once.
    exec: async (script: string) => {
      await query(script);
    },
  };
}

/**
 * PostgreSQL behind the `Sql` port (chosen by DATABASE_URL). A pool of connections; each transaction
 * takes one, runs at SERIALIZABLE (the embedded store runs transactions one at a time, and the domain
 * is written for that) and is run again when PostgreSQL reports a serialization failure.
 */
export class PgSql implements Sql {
  readonly dialect: Dialect = 'postgres';
  readonly pool: pg.Pool;
  readonly #root: SqlSession;

  constructor(url: string, options: { max?: number } = {}) {
    this.pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, types });
    // An idle connection dropped by the server must not take the process down.
    this.pool.on('error', () => {});
    this.#root = session(this.pool);
  }

  all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.#root.all<T>(sql, params);
  }

  get<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.#root.get<T>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<SqlRunResult> {
    return this.#root.run(sql, params);
  }

  async transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
        const result = await fn(session(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((rollbackErr: Error) => {
          broken = rollbackErr;
        });
        const code = (err as { code?: string; cause?: { code?: string } }).code;
        if (attempt < MAX_ATTEMPTS && code !== undefined && RETRYABLE.has(code)) {
          // Exponential backoff with full jitter (2, 4 … 256 ms): a conflict is given room to clear.
          await new Promise((r) => setTimeout(r, Math.random() * 2 ** Math.min(attempt, 8)));
          continue;
        }
        throw err;
      } finally {
        client.release(broken);
      }
    }
  }

  async exec(script: string): Promise<void> {
    await this.pool.query(script);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
