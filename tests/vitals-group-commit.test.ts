import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlite } from '../cloud/db/open.ts';
import { PgSql } from '../cloud/db/pg-sql.ts';
import type { Sql } from '../cloud/db/sql.ts';
import { type PostgresServer, startPostgres } from './support/postgres.ts';
import { spawnEntry } from './support/process.ts';
import { eventually, TestSystem, tempDir, world } from './support/system.ts';

const countOf = async (db: Sql, where: string): Promise<number> =>
  Number((await db.get(`SELECT count(*) AS n FROM vitals WHERE ${where}`))?.n ?? 0);

describe('vitals readings are stored in batches, behind events', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await TestSystem.start();
  });
  afterAll(async () => {
    await sys.stop();
  });

  it('an SOS published after 4,000 queued readings becomes an alert before they are all stored', async () => {
    const perGateway = 170; // under the broker's per-gateway burst of 200
    const homes = await Promise.all(world.gateways.map((g) => sys.home(g.id)));
    const total = homes.length * perGateway;
    const { store, alerts } = sys.system.cloud;
    const storedAtAlert: Promise<number>[] = [];
    let sosId = '';
    const unsubscribe = alerts.onChange((change, alert) => {
      // Counted the moment the alert is told (right after its commit), before anything else runs.
      if (change === 'raised' && alert.eventId === sosId) storedAtAlert.push(countOf(store, '1 = 1'));
    });
    try {
      await Promise.all(
        homes.flatMap((home) =>
          Array.from({ length: perGateway }, () =>
            home.vitals({ hr: 72, spo2: 97 }, home.gateway.devices[0]?.id),
          ),
        ),
      );
      const sender = homes[0];
      if (!sender) throw new Error('the demo world has no gateway');
      sosId = await sender.event('sos');
      const [atAlert] = await eventually(
        () => storedAtAlert.length > 0 && Promise.all(storedAtAlert),
        20_000,
      );
      const all = await eventually(async () => (await countOf(store, '1 = 1')) >= total && true, 60_000);
      expect(all).toBe(true);
      expect(atAlert).toBeLessThan(total);
      expect(await countOf(store, '1 = 1')).toBe(total);
    } finally {
      unsubscribe();
    }
  });
});

describe.each(['SQLite', 'PostgreSQL'] as const)('a crash in the middle of a batch (%s)', (engine) => {
  let postgres: PostgresServer | undefined;
  const dirs: string[] = [];
  beforeAll(async () => {
    if (engine === 'PostgreSQL') postgres = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await postgres?.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  const band = world.gateways
    .flatMap((g) => g.devices.map((d) => ({ gateway: g.id, device: d })))
    .find(({ device }) => device.kind === 'ble-vitals' && device.elderId);

  /** Runs the child on a new store; answers how it ended and how many of its readings are stored. */
  const run = async (
    name: string,
    killAtInsert: number,
  ): Promise<{ code: number | null; stored: number }> => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const url = postgres ? await postgres.newDatabase(`${name}_${process.pid}`) : undefined;
    const child = spawnEntry(join(import.meta.dirname, 'support', 'vitals-crash-child.ts'), {
      DATA_DIR: dataDir,
      ...(url ? { DATABASE_URL: url } : {}),
      GATEWAY: band?.gateway ?? '',
      DEVICE: band?.device.id ?? '',
      READINGS: '400',
      KILL_AT_INSERT: String(killAtInsert),
    });
    const code = await child.exited;
    const db: Sql = url ? new PgSql(url) : openSqlite(join(dataDir, 'cloud.db'));
    try {
      return { code, stored: await countOf(db, "id LIKE 'crash-%'") };
    } finally {
      await db.close();
    }
  };

  it('a process killed -9 while its batch of 400 readings is half written has stored none of them; one that lives, all', async () => {
    if (!band) throw new Error('the demo world has no wearable with an elder');
    const killed = await run('killed', 200);
    expect(killed.code).not.toBe(0);
    expect(killed.stored).toBe(0);
    const lived = await run('lived', 0);
    expect(lived).toEqual({ code: 0, stored: 400 });
  }, 120_000);
});
