import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { migrate } from '../../cloud/db/migrate.ts';
import { MIGRATIONS } from '../../cloud/db/migrations.ts';
import { openSqlite } from '../../cloud/db/open.ts';
import { PgSql } from '../../cloud/db/pg-sql.ts';
import type { Sql } from '../../cloud/db/sql.ts';
import { type PostgresServer, startPostgres } from './postgres.ts';

/** One engine of the cloud's store, for contract tests that run the same expectations on each. */
export interface StoreEngine {
  name: 'SQLite' | 'PostgreSQL';
  /** A new store with the migrations applied (all, or the first `migrations`). */
  open(migrations?: readonly string[]): Promise<Sql>;
  /** A new handle on the store `sql` was opened on (after `sql.close()`: the cloud restarted). */
  reopen(sql: Sql, migrations?: readonly string[]): Promise<Sql>;
  /**
   * What a second cloud instance would use on the same store: its own pool on PostgreSQL; on SQLite,
   * which one process owns, the same handle.
   */
  second(sql: Sql): Promise<Sql>;
}

/**
 * The engines of the store contract, SQLite and PostgreSQL. Call once at the top of a test file: it
 * starts one throwaway PostgreSQL for the file (beforeAll) and, after the file, closes every store
 * left open and stops it.
 */
export function storeEngines(): StoreEngine[] {
  let postgres: PostgresServer | undefined;
  const where = new WeakMap<Sql, string>();
  const open = new Set<Sql>();
  const dirs: string[] = [];
  let n = 0;
  beforeAll(async () => {
    postgres = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    for (const sql of [...open]) await sql.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    await postgres?.stop();
  });

  const track = (sql: Sql, location: string): Sql => {
    where.set(sql, location);
    open.add(sql);
    const closeOnce = sql.close.bind(sql);
    let closing: Promise<void> | null = null;
    sql.close = () => {
      open.delete(sql);
      closing ??= closeOnce();
      return closing;
    };
    return sql;
  };
  const ready = async (sql: Sql, migrations: readonly string[]) => {
    await migrate(sql, migrations);
    return sql;
  };

  const sqlite: StoreEngine = {
    name: 'SQLite',
    async open(migrations = MIGRATIONS) {
      const dir = mkdtempSync(join(tmpdir(), 'store-'));
      dirs.push(dir);
      const path = join(dir, 'cloud.db');
      return ready(track(openSqlite(path), path), migrations);
    },
    async reopen(sql, migrations = MIGRATIONS) {
      const path = where.get(sql) as string;
      return ready(track(openSqlite(path), path), migrations);
    },
    async second(sql) {
      return sql;
    },
  };
  const pg: StoreEngine = {
    name: 'PostgreSQL',
    async open(migrations = MIGRATIONS) {
      if (!postgres) throw new Error('PostgreSQL has not started');
      const url = await postgres.newDatabase(`store_${process.pid}_${++n}`);
      return ready(track(new PgSql(url), url), migrations);
    },
    async reopen(sql, migrations = MIGRATIONS) {
      const url = where.get(sql) as string;
      return ready(track(new PgSql(url), url), migrations);
    },
    async second(sql) {
      const url = where.get(sql) as string;
      return track(new PgSql(url), url);
    },
  };
  return [sqlite, pg];
}
