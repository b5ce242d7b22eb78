import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type PostgresServer, startPostgres } from '../tests/support/postgres.ts';
import {
  type SystemProcess,
  spawnBroker,
  spawnEntry,
  stopProcess,
  waitForHealth,
} from '../tests/support/process.ts';
import { type RedisService, startRedis } from '../tests/support/services.ts';

/**
 * `npm run cluster`: the city topology on one machine. Redis and PostgreSQL from Debian's packages (in a
 * temp dir, on free ports), two broker processes sharing Redis, two cloud processes sharing PostgreSQL
 * and Redis, each cloud on its own broker, and simulated homes spread over both brokers.
 * The same service starters as the tests; everything made here is removed at exit.
 */
export interface ClusterOptions {
  /** First MQTT port; the second broker listens on the next one. */
  mqttPort: number;
  /** First HTTP port; the second cloud listens on the next one. */
  httpPort: number;
  /** Simulated homes, spread over the brokers; 0 for none. */
  homes: number;
  /** Extra environment of every cloud (ESCALATE_AFTER_S, LOG_LEVEL…). */
  cloudEnv?: Record<string, string>;
}

export interface Cluster {
  brokers: { url: string; proc: SystemProcess }[];
  clouds: { url: string; proc: SystemProcess; dataDir: string }[];
  redisUrl: string;
  databaseUrl: string;
  servicePassword: string;
  /** Kills one process at once (chaos and failover tests). */
  kill(proc: SystemProcess, signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Keys that sign family links and Web Push must be the same on every cloud: the first cloud makes them in
 * its DATA_DIR, and each further cloud gets a copy before it starts.
 */
export function shareCloudKeys(firstDataDir: string, dataDir: string): void {
  for (const key of ['notify.key', 'vapid.json']) {
    const first = join(firstDataDir, key);
    if (existsSync(first)) copyFileSync(first, join(dataDir, key));
  }
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'eldercare-cluster-'));
  const servicePassword = randomBytes(18).toString('base64url');
  const procs: SystemProcess[] = [];
  let redis: RedisService | null = null;
  let postgres: PostgresServer | null = null;
  const kill = (proc: SystemProcess, signal: NodeJS.Signals = 'SIGKILL') => stopProcess(proc, signal);
  const stop = async () => {
    for (const proc of [...procs].reverse()) await kill(proc, 'SIGTERM');
    await redis?.stop();
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    redis = await startRedis();
    postgres = await startPostgres();
    const databaseUrl = await postgres.newDatabase('eldercare');
    const shared = { REDIS_URL: redis.url, MQTT_SERVICE_PASSWORD: servicePassword };
    const brokers: Cluster['brokers'] = [];
    for (const [i, name] of ['a', 'b'].entries()) {
      const port = options.mqttPort + i;
      const proc = await spawnBroker({
        ...shared,
        MQTT_PORT: String(port),
        DATA_DIR: join(dir, `broker-${name}`),
        GATEWAY_REGISTRY: databaseUrl,
        BROKER_ID: `broker-${name}`,
      });
      procs.push(proc);
      brokers.push({ url: `mqtt://127.0.0.1:${port}`, proc });
    }
    const clouds: Cluster['clouds'] = [];
    for (const [i, broker] of brokers.entries()) {
      const dataDir = join(dir, `cloud-${i + 1}`);
      mkdirSync(dataDir, { recursive: true });
      if (i > 0) shareCloudKeys(join(dir, 'cloud-1'), dataDir);
      const port = options.httpPort + i;
      const proc = spawnEntry(join(import.meta.dirname, '..', 'system', 'main.ts'), {
        ...shared,
        ...options.cloudEnv,
        HTTP_PORT: String(port),
        DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        BROKER_URL: broker.url,
        CLOUD_ID: `cloud-${i + 1}`,
        SIM_HOMES: '0',
      });
      procs.push(proc);
      const url = `http://127.0.0.1:${port}`;
      // One after the other: the first migrates and seeds the shared database.
      await waitForHealth(`${url}/api/health`, proc, 60_000);
      clouds.push({ url, proc, dataDir });
    }
    if (options.homes > 0) {
      const sims = spawnEntry(join(import.meta.dirname, '..', 'device-sims', 'main.ts'), {}, [
        'fleet',
        '--homes',
        String(options.homes),
        '--broker',
        brokers.map((b) => b.url).join(','),
      ]);
      procs.push(sims);
    }
    return { brokers, clouds, redisUrl: redis.url, databaseUrl, servicePassword, kill, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'mqtt-port': { type: 'string', default: '1883' },
      'http-port': { type: 'string', default: '8080' },
      homes: { type: 'string', default: '20' },
    },
  });
  console.log('Starting Redis, PostgreSQL, two brokers and two clouds…');
  const cluster = await startCluster({
    mqttPort: Number(values['mqtt-port']),
    httpPort: Number(values['http-port']),
    homes: Number(values.homes),
    cloudEnv: { LOG_LEVEL: 'warn' },
  });
  console.log(`\nEldercare cluster is up.
  Dashboards: ${cluster.clouds.map((c) => `${c.url}/`).join('  ')}
  Brokers:    ${cluster.brokers.map((b) => b.url).join('  ')}
  Redis:      ${cluster.redisUrl}
  PostgreSQL: ${cluster.databaseUrl}
  Simulated homes: ${values.homes}, spread over both brokers
  Demo logins as for npm start (device-sims/fixtures/demo-world.json). Ctrl-C stops everything.`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    cluster.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] === import.meta.filename) {
  main().catch((err: unknown) => {
    console.error(`error: ${(err as Error).message ?? err}`);
    process.exit(1);
  });
}
