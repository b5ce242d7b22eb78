import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../cloud/db/migrate.ts';
import { openSqlite } from '../cloud/db/open.ts';
import { PgSql } from '../cloud/db/pg-sql.ts';
import type { Sql } from '../cloud/db/sql.ts';
import { startCluster } from '../scripts/cluster.ts';
import { startPostgres } from '../tests/support/postgres.ts';
import { freePort, type SystemProcess, spawnSystem, waitForHealth } from '../tests/support/process.ts';
import { Fleet } from './fleet.ts';
import { ensureDemoWorld, newPopulationKey, type Population, provision } from './population.ts';
import { spread, stopChild } from './processes.ts';

export type IngestSetup = 'sqlite' | 'postgres' | 'postgres-cluster';

export interface IngestOptions {
  gateways: number;
  vitalsPerGateway: number;
  eventsPerGateway: number;
  runs: number;
  workers: number;
}

export interface IngestRun {
  instances: number;
  stored: number;
  expected: number;
  ms: number;
  perSecond: number;
}

export interface IngestResult {
  setup: IngestSetup;
  topology: string;
  gateways: number;
  /** Vitals messages (one reading of several values each) stored per second, and motion events. */
  vitals: IngestRun[];
  events: IngestRun[];
  vitalsPerS: ReturnType<typeof spread>;
  eventsPerS: ReturnType<typeof spread>;
  /** Set when the cluster was measured again with one of its two clouds killed. */
  oneInstance?: { vitals: IngestRun[]; events: IngestRun[] };
}

/** Polls the store until `expected` rows of the run `tag` are stored or nothing moves for 15 s. */
async function waitStored(sql: Sql, table: 'vitals' | 'events', tag: string, expected: number, t0: number) {
  const column = table === 'vitals' ? 'id' : 'event_id';
  let stored = 0;
  let lastChange = performance.now();
  let doneAt = t0;
  while (stored < expected && performance.now() - lastChange < 15_000) {
    await new Promise((r) => setTimeout(r, 100));
    const row = await sql.get<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE ${column} LIKE $1`, [
      `${tag}-%`,
    ]);
    const n = Number(row?.n ?? 0);
    if (n !== stored) {
      stored = n;
      lastChange = performance.now();
      doneAt = lastChange;
    }
  }
  return { stored, ms: Math.round(doneAt - t0) };
}

/** Every gateway publishes its readings (then its events) at once, QoS 1; stored rows are counted. */
async function measureRuns(
  fleet: Fleet,
  sql: Sql,
  options: IngestOptions,
  instances: number,
  label: string,
): Promise<{ vitals: IngestRun[]; events: IngestRun[] }> {
  const vitals: IngestRun[] = [];
  const events: IngestRun[] = [];
  for (let run = 0; run < options.runs; run++) {
    for (const [kind, list, perGateway] of [
      ['vitals', vitals, options.vitalsPerGateway],
      ['events', events, options.eventsPerGateway],
    ] as const) {
      if (perGateway === 0) continue;
      // Let the rate limiter's buckets (20/s per gateway, burst 200) fill again between bursts.
      await new Promise((r) => setTimeout(r, 2000));
      const tag = `${label}${run}${kind[0]}${Date.now().toString(36)}`;
      const expected = options.gateways * perGateway;
      const t0 = performance.now();
      await fleet.burst(kind === 'vitals' ? perGateway : 0, kind === 'events' ? perGateway : 0, tag);
      const { stored, ms } = await waitStored(sql, kind, tag, expected, t0);
      list.push({
        instances,
        stored,
        expected,
        ms,
        perSecond: ms > 0 ? Math.round((stored / ms) * 1000) : 0,
      });
    }
  }
  return { vitals, events };
}

function summarise(
  setup: IngestSetup,
  topology: string,
  gateways: number,
  runs: { vitals: IngestRun[]; events: IngestRun[] },
): IngestResult {
  return {
    setup,
    topology,
    gateways,
    ...runs,
    vitalsPerS: spread(runs.vitals.map((r) => r.perSecond)),
    eventsPerS: spread(runs.events.map((r) => r.perSecond)),
  };
}

function population(gateways: number): Population {
  // Secrets stored as the cloud stores them (SHA-256): provisioning is not what is measured here.
  return { prefix: 'ing', count: gateways, key: newPopulationKey(), scryptN: null };
}

/** `npm start` (embedded broker, SQLite or PostgreSQL by DATABASE_URL), one process. */
async function embedded(setup: 'sqlite' | 'postgres', options: IngestOptions): Promise<IngestResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'eldercare-bench-ingest-'));
  const postgres = setup === 'postgres' ? await startPostgres() : null;
  const databaseUrl = postgres ? await postgres.newDatabase('bench') : undefined;
  const sql: Sql = databaseUrl ? new PgSql(databaseUrl, { max: 2 }) : openSqlite(join(dataDir, 'cloud.db'));
  let fleet: Fleet | null = null;
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  let proc: SystemProcess | null = null;
  try {
    // The store is made and filled first; the cloud then finds it seeded and leaves it be.
    await migrate(sql);
    await ensureDemoWorld(sql);
    const pop = population(options.gateways);
    await provision(sql, pop);
    proc = spawnSystem({
      DATA_DIR: dataDir,
      HTTP_PORT: String(httpPort),
      MQTT_PORT: String(mqttPort),
      SIM_HOMES: '0',
      LOG_LEVEL: 'error',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    });
    await waitForHealth(`http://127.0.0.1:${httpPort}/api/health`, proc, 60_000);
    fleet = await Fleet.start({
      population: pop,
      ports: [mqttPort],
      workers: options.workers,
    });
    const connected = await fleet.connect(pop.count);
    if (connected.connected !== pop.count) throw new Error(`only ${connected.connected} gateways connected`);
    const runs = await measureRuns(fleet, sql, options, 1, setup === 'sqlite' ? 's' : 'p');
    return summarise(setup, `npm start, one process${databaseUrl ? ', DATABASE_URL' : ''}`, pop.count, runs);
  } finally {
    await fleet?.close();
    if (proc) await stopChild(proc.child, proc.exited, 15_000);
    await sql.close();
    await postgres?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** `npm run cluster`: Redis, PostgreSQL, two brokers, two clouds; then again with one cloud killed. */
async function cluster(options: IngestOptions): Promise<IngestResult> {
  const [mqttPort, httpPort] = [await freePort(), await freePort()];
  const c = await startCluster({
    mqttPort,
    httpPort,
    homes: 0,
    cloudEnv: { LOG_LEVEL: 'error' },
  });
  const sql = new PgSql(c.databaseUrl, { max: 2 });
  let fleet: Fleet | null = null;
  try {
    const pop = population(options.gateways);
    await provision(sql, pop);
    fleet = await Fleet.start({
      population: pop,
      ports: c.brokers.map((b) => Number(new URL(b.url).port)),
      workers: Math.max(2, options.workers),
    });
    const connected = await fleet.connect(pop.count);
    if (connected.connected !== pop.count) throw new Error(`only ${connected.connected} gateways connected`);
    // Partitions split within a beat or two of the second cloud's start.
    await new Promise((r) => setTimeout(r, 6000));
    const two = await measureRuns(fleet, sql, options, 2, 'c');
    const second = c.clouds[1];
    if (second) await c.kill(second.proc);
    // Its leases end within 15 s; the survivor takes its partitions.
    await new Promise((r) => setTimeout(r, 20_000));
    const one = await measureRuns(fleet, sql, options, 1, 'k');
    return {
      ...summarise(
        'postgres-cluster',
        'npm run cluster: Redis, 2 brokers, 2 clouds, one PostgreSQL',
        pop.count,
        two,
      ),
      oneInstance: one,
    };
  } finally {
    await fleet?.close();
    await sql.close();
    await c.stop();
  }
}

export function cloudIngest(setup: IngestSetup, options: IngestOptions): Promise<IngestResult> {
  return setup === 'postgres-cluster' ? cluster(options) : embedded(setup, options);
}
