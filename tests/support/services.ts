import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DebianPackage, ensureDebianPackages, PACKAGES } from './debian.ts';
import { freePort } from './process.ts';

/**
 * Real services the tests start from Debian's packages, each on a free port of 127.0.0.1 in a temp dir of
 * its own. To add one (redis, postgres…): describe it as a `ServiceSpec` and give it a `start…` function
 * like `startVictoriaMetrics` below; `ServiceProcess` does the rest.
 */
export interface ServiceSpec {
  /** Short name for messages and the temp dir. */
  name: string;
  /** The Debian package that brings it: installed as root, else the test stops naming it. */
  package: DebianPackage;
  /** The program to run (default: the file `PACKAGES` lists for the package). */
  command?: string;
  /** Its arguments, given its port and its own directory. */
  args(port: number, dir: string): string[];
  /** True once it answers on `port`; polled until then. */
  ready(port: number): Promise<boolean>;
  startTimeoutMs?: number;
}

/** One service process: `stop` and `restart` keep its port and data (outage tests); `dispose` removes both. */
export class ServiceProcess {
  readonly spec: ServiceSpec;
  readonly port: number;
  readonly dir: string;
  #child: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();
  #output = '';

  private constructor(spec: ServiceSpec, port: number, dir: string) {
    this.spec = spec;
    this.port = port;
    this.dir = dir;
  }

  static async start(spec: ServiceSpec): Promise<ServiceProcess> {
    ensureDebianPackages(spec.package);
    const service = new ServiceProcess(
      spec,
      await freePort(),
      await mkdtemp(join(tmpdir(), `eldercare-${spec.name}-`)),
    );
    try {
      await service.restart();
    } catch (err) {
      await service.dispose();
      throw err;
    }
    return service;
  }

  get running(): boolean {
    return this.#child !== null;
  }

  /** Everything it printed, for failure messages. */
  output(): string {
    return this.#output;
  }

  /** Starts it (again) on the same port and directory, and waits until it answers. */
  async restart(): Promise<void> {
    if (this.#child) throw new Error(`${this.spec.name} is already running`);
    const child = spawn(
      this.spec.command ?? PACKAGES[this.spec.package],
      this.spec.args(this.port, this.dir),
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.#child = child;
    const keep = (d: Buffer) => {
      this.#output = (this.#output + d.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.#exited = new Promise((resolve) =>
      child.once('exit', () => {
        if (this.#child === child) this.#child = null;
        resolve();
      }),
    );
    const timeoutMs = this.spec.startTimeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.#child !== child) throw new Error(`${this.spec.name} exited at start:\n${this.#output}`);
      if (await this.spec.ready(this.port).catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${this.spec.name} did not answer within ${timeoutMs} ms:\n${this.#output}`);
  }

  /** Stops it (SIGTERM, then SIGKILL after 10 s) and waits until it has exited; keeps its directory. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await this.kill('SIGTERM');
    clearTimeout(killer);
  }

  /** Sends `signal` (a crash: SIGKILL) and waits until it has exited; keeps its port and directory. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.#child;
    if (!child) return;
    child.kill(signal);
    await this.#exited;
  }

  async dispose(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** One exported series of VictoriaMetrics: its labels, and its samples in time order. */
export interface ExportedSeries {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

export interface VictoriaMetrics {
  service: ServiceProcess;
  /** Base URL, e.g. for INFLUX_URL (it takes the InfluxDB v2 write API at `/api/v2/write`). */
  url: string;
  /** Every raw sample (flushed first) of the series matching a selector, e.g. `{__name__=~"vitals_.*"}`. */
  exportSeries(selector: string): Promise<ExportedSeries[]>;
}

/**
 * Debian's `victoria-metrics`, with a one-month retention and fresh points visible after 1 s
 * (by default queries hide the last 30 s).
 */
export async function startVictoriaMetrics(): Promise<VictoriaMetrics> {
  const service = await ServiceProcess.start({
    name: 'victoria-metrics',
    package: 'victoria-metrics',
    args: (port, dir) => [
      `-storageDataPath=${dir}`,
      `-httpListenAddr=127.0.0.1:${port}`,
      '-retentionPeriod=1',
      '-search.latencyOffset=1s',
    ],
    ready: async (port) => (await fetch(`http://127.0.0.1:${port}/health`)).ok,
  });
  const url = `http://127.0.0.1:${service.port}`;
  return {
    service,
    url,
    async exportSeries(selector) {
      // Recent rows become searchable only after a few seconds unless flushed.
      await fetch(`${url}/internal/force_flush`);
      const res = await fetch(`${url}/api/v1/export`, {
        method: 'POST',
        body: new URLSearchParams({ 'match[]': selector }),
      });
      if (!res.ok) throw new Error(`victoria-metrics export: ${res.status} ${await res.text()}`);
      return (await res.text())
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as ExportedSeries);
    },
  };
}

export interface RedisService {
  service: ServiceProcess;
  url: string;
  stop(): Promise<void>;
}

/** True when a Redis answers PING on `port`. */
function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

/**
 * A real Debian redis-server, with the AOF fsynced on every write (what the broker cluster's journal needs
 * to keep an acknowledged event through a Redis crash).
 */
export async function startRedis(): Promise<RedisService> {
  const service = await ServiceProcess.start({
    name: 'redis',
    package: 'redis-server',
    args: (port, dir) => [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
      '--daemonize',
      'no',
    ],
    ready: redisAnswers,
  });
  return { service, url: `redis://127.0.0.1:${service.port}`, stop: () => service.dispose() };
}
