import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeEngines } from '../../tests/support/stores.ts';
import { migrate } from './migrate.ts';
import { MIGRATIONS } from './migrations.ts';
import type { Sql } from './sql.ts';
import { UniqueViolation } from './sql.ts';
import { SqliteSql } from './sqlite-sql.ts';

/** The same expectations of the `Sql` port, on the embedded SQLite and on a real PostgreSQL: bare stores. */
const ENGINES = storeEngines().map((e) => [e.name, () => e.open([])] as const);

describe.each(ENGINES)('the SQL port on %s', (_engine, open) => {
  let sql: Sql;
  beforeAll(async () => {
    sql = await open();
    await sql.exec(`
      CREATE TABLE counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL);
      CREATE TABLE events (id TEXT PRIMARY KEY, at TEXT NOT NULL, value DOUBLE PRECISION);
    `);
  });
  afterAll(async () => {
    await sql?.close();
  });

  it('numbered placeholders bind in order, and counts come back as numbers', async () => {
    await sql.run('INSERT INTO events (id, at, value) VALUES ($1, $2, $3)', [
      'e1',
      '2026-11-20T08:00:00.000Z',
      1.5,
    ]);
    await sql.run('INSERT INTO events (id, at, value) VALUES ($2, $1, NULL)', [
      '2026-11-20T09:00:00.000Z',
      'e2',
    ]);
    const rows = await sql.all<{ id: string; at: string; value: number | null }>(
      'SELECT id, at, value FROM events WHERE at >= $1 ORDER BY at',
      ['2026-11-20T00:00:00.000Z'],
    );
    expect(rows).toEqual([
      { id: 'e1', at: '2026-11-20T08:00:00.000Z', value: 1.5 },
      { id: 'e2', at: '2026-11-20T09:00:00.000Z', value: null },
    ]);
    expect(await sql.get('SELECT count(*) AS n FROM events')).toEqual({ n: 2 });
    expect(await sql.get('SELECT id FROM events WHERE id = $1', ['none'])).toBeUndefined();
  });

  it('a second row with the same key is a UniqueViolation, and ON CONFLICT DO NOTHING reports no change', async () => {
    await sql.run('INSERT INTO events (id, at) VALUES ($1, $2)', ['dup', 'x']);
    await expect(sql.run('INSERT INTO events (id, at) VALUES ($1, $2)', ['dup', 'y'])).rejects.toBeInstanceOf(
      UniqueViolation,
    );
    expect(
      await sql.run('INSERT INTO events (id, at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', ['dup', 'z']),
    ).toEqual({ changes: 0 });
    expect(await sql.get('SELECT at FROM events WHERE id = $1', ['dup'])).toEqual({ at: 'x' });
  });

  it('RETURNING answers the rows a statement wrote', async () => {
    const rows = await sql.all(
      `INSERT INTO counters (name, n) VALUES ($1, 1)
       ON CONFLICT (name) DO UPDATE SET n = counters.n + 1 RETURNING n`,
      ['returning'],
    );
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('a transaction that throws leaves nothing behind', async () => {
    await expect(
      sql.transaction(async (tx) => {
        await tx.run('INSERT INTO events (id, at) VALUES ($1, $2)', ['rolled-back', 'x']);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await sql.get('SELECT id FROM events WHERE id = $1', ['rolled-back'])).toBeUndefined();
  });

  it('concurrent read-modify-write transactions lose no update', async () => {
    await sql.run('INSERT INTO counters (name, n) VALUES ($1, 0)', ['rmw']);
    await Promise.all(
      Array.from({ length: 40 }, () =>
        sql.transaction(async (tx) => {
          const row = await tx.get<{ n: number }>('SELECT n FROM counters WHERE name = $1', ['rmw']);
          await new Promise((r) => setTimeout(r, Math.random() * 3));
          await tx.run('UPDATE counters SET n = $1 WHERE name = $2', [Number(row?.n) + 1, 'rmw']);
        }),
      ),
    );
    expect(await sql.get('SELECT n FROM counters WHERE name = $1', ['rmw'])).toEqual({ n: 40 });
  });

  it('a statement outside a transaction never sees what the transaction has not committed', async () => {
    let insideWrote!: () => void;
    const wrote = new Promise<void>((r) => {
      insideWrote = r;
    });
    let finish!: () => void;
    const finished = new Promise<void>((r) => {
      finish = r;
    });
    const tx = sql.transaction(async (t) => {
      await t.run('INSERT INTO events (id, at) VALUES ($1, $2)', ['uncommitted', 'x']);
      insideWrote();
      await finished;
    });
    await wrote;
    const outside = sql.get('SELECT id FROM events WHERE id = $1', ['uncommitted']);
    const seenBeforeCommit = await Promise.race([
      outside,
      new Promise((r) => setTimeout(() => r('waiting'), 50)),
    ]);
    expect(seenBeforeCommit === undefined || seenBeforeCommit === 'waiting').toBe(true);
    finish();
    await tx;
    expect(await sql.get('SELECT id FROM events WHERE id = $1', ['uncommitted'])).toEqual({
      id: 'uncommitted',
    });
  });
});

describe('the embedded store’s guard against waiting on itself', () => {
  it('using the root handle inside its own transaction fails at once instead of hanging', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sql-guard-'));
    const sql = new SqliteSql(join(dir, 'test.db'));
    try {
      await expect(sql.transaction(async () => sql.get('SELECT 1 AS one'))).rejects.toThrow(/use its `tx`/);
      expect(await sql.get('SELECT 1 AS one')).toEqual({ one: 1 });
    } finally {
      await sql.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(ENGINES)('the cloud’s migrations on %s', (engine, open) => {
  it('every migration applies, once, and leaves the same tables and columns on both engines', async () => {
    const sql = await open();
    try {
      const ran = await migrate(sql);
      expect(ran).toEqual(MIGRATIONS.map((_, i) => i + 1));
      expect(await migrate(sql)).toEqual([]);
      const columns =
        sql.dialect === 'sqlite'
          ? await sql.all<{ t: string; c: string }>(
              `SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p
               WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY t, c`,
            )
          : await sql.all<{ t: string; c: string }>(
              `SELECT table_name AS t, column_name AS c FROM information_schema.columns
               WHERE table_schema = 'public' ORDER BY t, c`,
            );
      const schema = columns.map((r) => `${r.t}.${r.c}`).sort();
      expect(schema).toContain('alerts.escalation_due_at');
      expect(schema).toContain('vitals_minute.high');
      schemas.set(engine, schema);
      if (schemas.size === 2) expect(schemas.get('SQLite')).toEqual(schemas.get('PostgreSQL'));
    } finally {
      await sql.close();
    }
  });

  it('epoch milliseconds and fractional readings keep their full size', async () => {
    const sql = await open();
    try {
      await migrate(sql);
      await sql.run(
        `INSERT INTO vitals_minute (elder_id, vital, minute, n, total, low, high) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        ['el-1', 'temp', '2026-11-20T08:00:00.000Z', 1, 36.65, 36.65, 36.65],
      );
      expect(await sql.get('SELECT total FROM vitals_minute')).toEqual({ total: 36.65 });
      await sql.run(`INSERT INTO rule_state (rule_id, key, state, wake_at) VALUES ($1, $2, $3, $4)`, [
        'fall',
        'k',
        '{}',
        1_795_000_000_000,
      ]);
      expect(await sql.get('SELECT wake_at FROM rule_state')).toEqual({ wake_at: 1_795_000_000_000 });
    } finally {
      await sql.close();
    }
  });
});
const schemas = new Map<string, string[]>();
