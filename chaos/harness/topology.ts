import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  freePort,
  type SystemProcess,
  spawnBroker,
  spawnEntry,
  waitForHealth,
} from '../../tests/support/process.ts';
import { type RedisService, startRedis } from '../../tests/support/services.ts';
import { CloudApi } from './cloud-api.ts';

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
    const proc = this.proc;
    if (!proc || !this.running) return;
    proc.child.kill(signal);
    await proc.exited;
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
}

/**
 * Redis, `brokers` processes of `npm run broker` (REDIS_URL), and one cloud (`npm start` with BROKER_URL on
 * the first broker, its store SQLite in its own DATA_DIR), each a separate process killable on its own.
 * The brokers check gateway secrets in the cloud's SQLite registry, read-only.
 */
export class Topology {
  readonly redis: RedisService;
  readonly brokers: Node[];
  readonly brokerUrls: string[];
  readonly cloud: Node;
  readonly api: CloudApi;
  readonly cloudDataDir: string;

  private constructor(
    redis: RedisService,
    brokers: Node[],
    brokerUrls: string[],
    cloud: Node,
    api: CloudApi,
    cloudDataDir: string,
  ) {
    this.redis = redis;
    this.brokers = brokers;
    this.brokerUrls = brokerUrls;
    this.cloud = cloud;
    this.api = api;
    this.cloudDataDir = cloudDataDir;
  }

  static async start(options: TopologyOptions): Promise<Topology> {
    const password = randomBytes(18).toString('base64url');
    const cloudDataDir = join(options.workDir, 'cloud');
    mkdirSync(cloudDataDir, { recursive: true });
    const redis = await startRedis();
    const shared = { REDIS_URL: redis.url, MQTT_SERVICE_PASSWORD: password };
    const brokers: Node[] = [];
    const brokerUrls: string[] = [];
    try {
      for (let i = 0; i < options.brokers; i++) {
        const port = await freePort();
        const env = {
          ...shared,
          MQTT_PORT: String(port),
          DATA_DIR: join(options.workDir, `broker-${i + 1}`),
          GATEWAY_REGISTRY: `sqlite:${join(cloudDataDir, 'cloud.db')}`,
          BROKER_ID: `broker-${i + 1}`,
        };
        const node = new Node(`broker-${i + 1}`, () => spawnBroker(env, 30_000));
        await node.start();
        brokers.push(node);
        brokerUrls.push(`mqtt://127.0.0.1:${port}`);
      }
      const httpPort = await freePort();
      const url = `http://127.0.0.1:${httpPort}`;
      const cloudEnv = {
        ...shared,
        HTTP_PORT: String(httpPort),
        DATA_DIR: cloudDataDir,
        BROKER_URL: brokerUrls[0] as string,
        CLOUD_ID: 'cloud-1',
        SIM_HOMES: '0',
      };
      const cloud = new Node('cloud', async () => {
        const proc = spawnEntry(SYSTEM_MAIN, cloudEnv);
        await waitForHealth(`${url}/api/health`, proc, 60_000);
        return proc;
      });
      await cloud.start();
      return new Topology(redis, brokers, brokerUrls, cloud, new CloudApi(url), cloudDataDir);
    } catch (err) {
      for (const b of brokers) await b.kill('SIGTERM');
      await redis.stop();
      throw err;
    }
  }

  get storePath(): string {
    return join(this.cloudDataDir, 'cloud.db');
  }

  async stop(): Promise<void> {
    this.cloud.resume();
    await this.cloud.kill('SIGTERM');
    for (const b of this.brokers) await b.kill('SIGTERM');
    await this.redis.stop();
  }
}
