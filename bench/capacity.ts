import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { migrate } from '../cloud/db/migrate.ts';
import { openSqlite } from '../cloud/db/open.ts';
import { brokerRamp, clusterThroughput, scryptStorm } from './broker-capacity.ts';
import { cloudIngest, type IngestSetup } from './cloud-ingest.ts';
import {
  ensureDemoWorld,
  newPopulationKey,
  type Population,
  PRODUCTION_SCRYPT_N,
  provision,
} from './population.ts';
import { endRun, quietBefore, type RunConditions, runConditions } from './processes.ts';

export const MEASUREMENTS = ['scrypt', 'broker', 'cluster', 'ingest'] as const;
export type Measurement = (typeof MEASUREMENTS)[number];

export interface CapacityOptions {
  only: Measurement[];
  /** Gateways at production scrypt cost for the first-connect storm. */
  scryptGateways: number;
  scryptRuns: number;
  /** Plateaus of the broker ramp (gateways connected), and those where throughput is measured. */
  sizes: number[];
  throughputAt: number[];
  rates: number[];
  stepSeconds: number;
  reconnectRuns: number;
  /** Reconnect storms of everyone at the top of the ramp (each costs minutes at 18,000: see docs/scaling.md). */
  rampReconnectRuns: number;
  clusterGateways: number;
  ingest: {
    setups: IngestSetup[];
    gateways: number;
    vitalsPerGateway: number;
    eventsPerGateway: number;
    runs: number;
  };
  workers: number;
  /** Write a CPU profile of every broker under test into this directory. */
  profileDir?: string;
}

export const FULL: CapacityOptions = {
  only: [...MEASUREMENTS],
  scryptGateways: 1000,
  scryptRuns: 2,
  sizes: [2000, 10_000, 18_000],
  throughputAt: [2000, 10_000],
  rates: [2500, 5000, 10_000, 15_000, 20_000, 25_000, 30_000, 40_000],
  stepSeconds: 5,
  reconnectRuns: 3,
  rampReconnectRuns: 1,
  clusterGateways: 2000,
  ingest: {
    setups: ['sqlite', 'postgres', 'postgres-cluster'],
    gateways: 200,
    vitalsPerGateway: 30,
    eventsPerGateway: 10,
    runs: 3,
  },
  workers: 4,
};

/** What `npm run bench:capacity` writes: the conditions, the options and every raw figure. */
export interface CapacityReport extends RunConditions {
  kind: 'eldercare-capacity';
  options: CapacityOptions;
  results: Record<string, unknown>;
}

const log = (line: string) => console.error(`[capacity] ${line}`);

/** Runs the measurements named in `options.only`; everything it makes lives in a temp dir it removes. */
export async function runCapacity(
  options: CapacityOptions,
  quietLoad = 0.8,
  /** Called after each measurement with the report so far (a long run keeps what it measured). */
  progress: (report: CapacityReport) => void = () => {},
): Promise<CapacityReport> {
  const report: CapacityReport = { kind: 'eldercare-capacity', ...runConditions(), options, results: {} };
  const dir = await mkdtemp(join(tmpdir(), 'eldercare-bench-'));
  const storePath = join(dir, 'registry.db');
  const bench = {
    registry: `sqlite:${storePath}`,
    servicePassword: randomBytes(18).toString('base64url'),
    dataDir: join(dir, 'broker'),
    workers: options.workers,
    ...(options.profileDir
      ? { extraEnv: { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${resolve(options.profileDir)}` } }
      : {}),
  };
  const production: Population = {
    prefix: 'gwp',
    count: options.scryptGateways,
    key: newPopulationKey(),
    scryptN: PRODUCTION_SCRYPT_N,
  };
  const cheap: Population = {
    prefix: 'gwl',
    count: Math.max(0, ...options.sizes, options.only.includes('cluster') ? options.clusterGateways : 0),
    key: newPopulationKey(),
    scryptN: null,
  };
  const before = async (name: Measurement) => {
    progress(report);
    log(`${name} (load ${await quietBefore(report, name, quietLoad)})`);
  };
  try {
    mkdirSync(bench.dataDir, { recursive: true });
    if (options.only.some((m) => m !== 'ingest')) {
      const t0 = Date.now();
      const sql = openSqlite(storePath);
      await migrate(sql);
      await ensureDemoWorld(sql);
      const populations = options.only.includes('scrypt') ? [production, cheap] : [cheap];
      for (const population of populations) await provision(sql, population);
      await sql.close();
      report.results.provisionS = Math.round((Date.now() - t0) / 100) / 10;
      log(
        `provisioned ${populations.map((p) => p.count).join(' + ')} gateways in ${report.results.provisionS} s`,
      );
    }
    if (options.only.includes('scrypt')) {
      await before('scrypt');
      report.results.scrypt = await scryptStorm(bench, production, {
        first: options.scryptRuns,
        reconnect: options.reconnectRuns,
      });
    }
    if (options.only.includes('broker')) {
      await before('broker');
      report.results.broker = await brokerRamp(bench, cheap, {
        ...options,
        reconnectRuns: options.rampReconnectRuns,
      });
    }
    if (options.only.includes('cluster')) {
      await before('cluster');
      report.results.cluster = await clusterThroughput(bench, cheap, {
        gateways: options.clusterGateways,
        rates: options.rates,
        stepSeconds: options.stepSeconds,
      });
    }
    if (options.only.includes('ingest')) {
      await before('ingest');
      const ingest: Record<string, unknown> = {};
      for (const setup of options.ingest.setups) {
        log(`ingest on ${setup}`);
        ingest[setup] = await cloudIngest(setup, {
          ...options.ingest,
          workers: Math.min(2, options.workers),
        });
      }
      report.results.ingest = ingest;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  endRun(report);
  return report;
}

const list = (value: string | undefined): number[] | undefined =>
  value ? value.split(',').map((v) => Number(v.trim())) : undefined;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      sizes: { type: 'string' },
      'throughput-at': { type: 'string' },
      rates: { type: 'string' },
      out: { type: 'string' },
      'quiet-load': { type: 'string', default: '0.8' },
      'profile-dir': { type: 'string' },
    },
  });
  const only = values.only ? (values.only.split(',') as Measurement[]) : FULL.only;
  const bad = only.find((m) => !MEASUREMENTS.includes(m));
  if (bad) throw new Error(`--only: unknown measurement ${bad} (one of ${MEASUREMENTS.join(', ')})`);
  const options: CapacityOptions = {
    ...FULL,
    only,
    sizes: list(values.sizes) ?? FULL.sizes,
    throughputAt: list(values['throughput-at']) ?? FULL.throughputAt,
    rates: list(values.rates) ?? FULL.rates,
    ...(values['profile-dir'] ? { profileDir: values['profile-dir'] } : {}),
  };
  const save = (report: CapacityReport) => {
    const out = resolve(
      values.out ?? join('docs', 'benchmarks', `capacity-${report.startedAt.slice(0, 10)}.json`),
    );
    mkdirSync(join(out, '..'), { recursive: true });
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    return out;
  };
  const report = await runCapacity(options, Number(values['quiet-load']), save);
  log(`written ${save(report)} after ${report.durationS} s`);
}

if (import.meta.main) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
