import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { shareCloudKeys } from '../../scripts/cluster.ts';
import { type PostgresServer, startPostgres } from '../../tests/support/postgres.ts';
import {
  freePort,
  type SystemProcess,
  spawnBroker,
  spawnEntry,
  stopProcess,
  waitForHealth,
} from '../../tests/support/process.ts';
import { type RedisService, startRedis } from '../../tests/support/services.ts';
import { CloudApi } from './cloud-api.ts';
import { ChaosProxy } from './proxy.ts';
import { ALERTS_SQL, querySqlite, type StoredAlert } from './report.ts';

const SYSTEM_MAIN = join(import.meta.dirname, '..', '..', 'system', 'main.ts');

/** A process the harness may kill, pause and start again on the same port and data. */
export class Node {
  readonly name: string;
  readonly #start: () => Promise<SystemProcess>;
  proc: SystemProcess | null = null;
  /** Output of the earlier lives of this node (a crash message, a disk-full error). */
  history = '';

  constructor(name: string, start: () => Promise<SystemProcess>) {
    this.name = name;
    this.#start = start;
  }

  get running(): boolean {
    return this.proc !== null && this.proc.child.exitCode === null && this.proc.child.signalCode === null;
  }

  output(): string {
    return this.history + (this.proc?.output() ?? '');
  }

  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running`);
    if (this.proc) this.history += this.proc.output();
    this.proc = await this.#start();
  }

  /** Sends `signal` (SIGKILL by default) and waits for the exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.proc) await stopProcess(this.proc, signal);
  }

  pause(): void {
    this.proc?.child.kill('SIGSTOP');
  }

  resume(): void {
    this.proc?.child.kill('SIGCONT');
  }
}

export interface TopologyOptions {
  workDir: string;
  /** Broker processes sharing Redis (1: a cluster of one). */
  brokers: number;
  /** Cloud processes (default 1), cloud i on broker i mod `brokers`, each its own CLOUD_ID. */
  clouds?: number;
  /** The cloud's store on a throwaway PostgreSQL (DATABASE_URL; the brokers read secrets from it too). */
  postgres?: boolean;
  /** The first cloud reaches its broker through a `ChaosProxy` (`topo.cloudLink`). */
  cloudLinkProxy?: boolean;
  /** Extra environment of every cloud (ESCALATE_AFTER_S…). */
  cloudEnv?: Record<string, string>;
}

/**
 * Redis, `brokers` processes of `npm run broker` (REDIS_URL), and one or more clouds (`npm start` with
 * BROKER_URL), each a separate process killable on its own. The store is SQLite in the first cloud's
 * DATA_DIR (the brokers read gateway secrets from it, read-only), or with `postgres` one PostgreSQL
 * database shared by every cloud (leases split the work; see docs/architecture.md, Cloud cluster).
 */
export class Topology {
  readonly redis: RedisService;
  readonly brokers: Node[];
  readonly brokerUrls: string[];
  readonly clouds: Node[];
  readonly apis: CloudApi[];
  readonly cloudDataDir: string;
  readonly postgres: { server: PostgresServer; url: string } | null;
  /** The proxy on the first cloud's broker link, with `cloudLinkProxy`. */
  readonly cloudLink: ChaosProxy | null;

  private constructor(
    parts: Pick<
      Topology,
      'redis' | 'brokers' | 'brokerUrls' | 'clouds' | 'apis' | 'cloudDataDir' | 'postgres' | 'cloudLink'
    >,
  ) {
    this.redis = parts.redis;
    this.brokers = parts.brokers;
    this.brokerUrls = parts.brokerUrls;
    this.clouds = parts.clouds;
    this.apis = parts.apis;
    this.cloudDataDir = parts.cloudDataDir;
    this.postgres = parts.postgres;
    this.cloudLink = parts.cloudLink;
  }

  static async start(options: TopologyOptions): Promise<Topology> {
    const password = randomBytes(18).toString('base64url');
    const cloudDataDir = join(options.workDir, 'cloud');
    mkdirSync(cloudDataDir, { recursive: true });
    const redis = await startRedis();
    const shared = { REDIS_URL: redis.url, MQTT_SERVICE_PASSWORD: password };
    const brokers: Node[] = [];
    const brokerUrls: string[] = [];
    const clouds: Node[] = [];
    let postgres: Topology['postgres'] = null;
    let cloudLink: ChaosProxy | null = null;
    try {
      if (options.postgres) {
        const server = await startPostgres();
        postgres = { server, url: await server.newDatabase('eldercare') };
      }
      const registry = postgres ? postgres.url : `sqlite:${join(cloudDataDir, 'cloud.db')}`;
      for (let i = 0; i < options.brokers; i++) {
        const port = await freePort();
        const env = {
          ...shared,
          MQTT_PORT: String(port),
          DATA_DIR: join(options.workDir, `broker-${i + 1}`),
          GATEWAY_REGISTRY: registry,
          BROKER_ID: `broker-${i + 1}`,
        };
        const node = new Node(`broker-${i + 1}`, () => spawnBroker(env, 30_000));
        await node.start();
        brokers.push(node);
        brokerUrls.push(`mqtt://127.0.0.1:${port}`);
      }
      if (options.cloudLinkProxy) cloudLink = await ChaosProxy.start(brokerUrls[0] as string);
      const apis: CloudApi[] = [];
      for (let i = 0; i < (options.clouds ?? 1); i++) {
        const dataDir = i === 0 ? cloudDataDir : join(options.workDir, `cloud-${i + 1}`);
        mkdirSync(dataDir, { recursive: true });
        if (i > 0) shareCloudKeys(cloudDataDir, dataDir);
        const httpPort = await freePort();
        const url = `http://127.0.0.1:${httpPort}`;
        const brokerUrl =
          i === 0 && cloudLink ? cloudLink.url : (brokerUrls[i % brokerUrls.length] as string);
        const cloudEnv = {
          ...shared,
          ...options.cloudEnv,
          HTTP_PORT: String(httpPort),
          DATA_DIR: dataDir,
          BROKER_URL: brokerUrl,
          CLOUD_ID: `cloud-${i + 1}`,
          SIM_HOMES: '0',
          ...(postgres ? { DATABASE_URL: postgres.url } : {}),
        };
        const cloud = new Node(`cloud-${i + 1}`, async () => {
          const proc = spawnEntry(SYSTEM_MAIN, cloudEnv);
          await waitForHealth(`${url}/api/health`, proc, 60_000);
          return proc;
        });
        // One after the other: the first migrates and seeds the store.
        await cloud.start();
        clouds.push(cloud);
        apis.push(new CloudApi(url));
      }
      return new Topology({ redis, brokers, brokerUrls, clouds, apis, cloudDataDir, postgres, cloudLink });
    } catch (err) {
      for (const c of clouds) await c.kill('SIGTERM');
      for (const b of brokers) await b.kill('SIGTERM');
      await cloudLink?.close();
      await postgres?.server.stop();
      await redis.stop();
      throw err;
    }
  }

  /** The first cloud. */
  get cloud(): Node {
    return this.clouds[0] as Node;
  }

  /** The first cloud's API. */
  get api(): CloudApi {
    return this.apis[0] as CloudApi;
  }

  /** The SQLite store (without `postgres`). */
  get storePath(): string {
    return join(this.cloudDataDir, 'cloud.db');
  }

  /** Every alert of the gateways whose ids start with `gatewayPrefix`, from whichever store the clouds use. */
  readAlerts(gatewayPrefix: string): Promise<StoredAlert[]> {
    return this.query<StoredAlert>(ALERTS_SQL, [gatewayPrefix]);
  }

  /** One statement on the store: PostgreSQL with `postgres`, else the SQLite file read-only. */
  async query<T>(sql: string, params: (string | number)[] = []): Promise<T[]> {
    if (!this.postgres) return querySqlite<T>(this.storePath, sql, params);
    const client = new pg.Client({ connectionString: this.postgres.url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  async stop(): Promise<void> {
    for (const c of this.clouds) {
      c.resume();
      await c.kill('SIGTERM');
    }
    for (const b of this.brokers) await b.kill('SIGTERM');
    await this.cloudLink?.close();
    await this.postgres?.server.stop();
    await this.redis.stop();
  }
}
