import { join } from 'node:path';
import { migrate } from './migrate.ts';
import { PgSql } from './pg-sql.ts';
import type { Sql } from './sql.ts';
import { SqliteSql } from './sqlite-sql.ts';

/**
 * Opens the cloud's relational store and brings it up to date: PostgreSQL when `databaseUrl` is given
 * (DATABASE_URL), else the embedded SQLite in `dataDir/cloud.db` with WAL, synchronous=FULL (an alert
 * is on disk before anyone hears of it), foreign keys on and a busy timeout.
 */
export async function openStore(options: {
  dataDir: string;
  databaseUrl?: string | undefined;
}): Promise<Sql> {
  const sql = options.databaseUrl
    ? new PgSql(options.databaseUrl)
    : openSqlite(join(options.dataDir, 'cloud.db'));
  try {
    await migrate(sql);
    return sql;
  } catch (err) {
    await sql.close().catch(() => {});
    throw err;
  }
}

/** The embedded store at `path`, with the PRAGMAs the cloud relies on. */
export function openSqlite(path: string): SqliteSql {
  const sql = new SqliteSql(path);
  sql.db.exec(`
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = FULL;
    PRAGMA foreign_keys = ON;
    PRAGMA busy_timeout = 5000;
  `);
  return sql;
}
