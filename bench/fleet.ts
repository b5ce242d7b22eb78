import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type {
  BurstReport,
  ConnectReport,
  PublishReport,
  WorkerReply,
  WorkerRequest,
  WorkerSetup,
} from './fleet-protocol.ts';
import type { Population } from './population.ts';

export interface FleetOptions {
  population: Population;
  /** Loopback brokers' ports: worker w connects to 127.0.0.1:ports[w mod n]. */
  ports: number[];
  /** Worker processes; each plays every n-th gateway of the population, from a source address of its own. */
  workers: number;
}

/** CONNECTs in flight per worker (a storm as fast as the broker takes it), and the gateways' keepalive (s). */
const WINDOW = 50;
const KEEPALIVE_S = 60;

class Worker {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  #next = 1;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(setup: WorkerSetup) {
    this.child = fork(join(import.meta.dirname, 'fleet-worker.ts'), [JSON.stringify(setup)], {
      execPath: process.execPath,
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.ready = new Promise((resolve, reject) => {
      this.#pending.set(0, { resolve: () => resolve(), reject });
      this.child.once('exit', (code) => {
        for (const p of this.#pending.values()) p.reject(new Error(`fleet worker exited (${code})`));
        this.#pending.clear();
      });
    });
    this.child.on('message', (reply: WorkerReply) => {
      const pending = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (reply.ok) pending?.resolve(reply.result);
      else pending?.reject(new Error(reply.error));
    });
  }

  ask<T>(request: WorkerRequest): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, request });
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.disconnect();
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  }
}

export interface FleetConnectResult extends ConnectReport {
  /** Gateways connected in this step per second of wall time. */
  perSecond: number;
}

/**
 * Simulated gateways of one population spread over worker processes, each on a loopback source
 * address of its own (127.0.0.2, 127.0.0.3…), so neither files nor ephemeral ports run out.
 */
export class Fleet {
  readonly #workers: Worker[];

  private constructor(workers: Worker[]) {
    this.#workers = workers;
  }

  static async start(options: FleetOptions): Promise<Fleet> {
    const { population, workers } = options;
    const list = Array.from(
      { length: workers },
      (_, w) =>
        new Worker({
          host: '127.0.0.1',
          port: options.ports[w % options.ports.length] as number,
          localAddress: `127.0.0.${w + 2}`,
          prefix: population.prefix,
          key: population.key,
          offset: w,
          stride: workers,
          count: population.count,
          window: WINDOW,
          keepalive: KEEPALIVE_S,
        }),
    );
    const fleet = new Fleet(list);
    try {
      await Promise.all(list.map((w) => w.ready));
    } catch (err) {
      await fleet.close();
      throw err;
    }
    return fleet;
  }

  /** Connects the first `upTo` gateways of the population (those not connected yet), as fast as it goes. */
  async connect(upTo: number): Promise<FleetConnectResult> {
    const started = performance.now();
    const reports = await Promise.all(
      this.#workers.map((w) => w.ask<ConnectReport>({ cmd: 'connect', upTo })),
    );
    const ms = performance.now() - started;
    const connected = sum(reports.map((r) => r.connected));
    return {
      connected,
      failed: sum(reports.map((r) => r.failed)),
      ms: Math.round(ms),
      perSecond: ms > 0 ? Math.round((connected / ms) * 1000) : 0,
      latencyP50Ms: Math.max(...reports.map((r) => r.latencyP50Ms)),
      latencyP99Ms: Math.max(...reports.map((r) => r.latencyP99Ms)),
      firstError: reports.find((r) => r.firstError)?.firstError ?? null,
    };
  }

  /** QoS 0 vitals at `ratePerS` in all, split evenly over the workers, for `seconds` (`tag`: unique ids). */
  async publish(ratePerS: number, seconds: number, tag?: string): Promise<PublishReport> {
    const share = ratePerS / this.#workers.length;
    const reports = await Promise.all(
      this.#workers.map((w, i) =>
        w.ask<PublishReport>({
          cmd: 'publish',
          ratePerS: share,
          seconds,
          ...(tag ? { tag: `${tag}w${i}` } : {}),
        }),
      ),
    );
    return {
      sent: sum(reports.map((r) => r.sent)),
      bufferedBytes: sum(reports.map((r) => r.bufferedBytes)),
      ms: Math.max(...reports.map((r) => r.ms)),
    };
  }

  /** Every connected gateway publishes `vitals` readings and `events` events at once, QoS 1. */
  async burst(vitals: number, events: number, tag: string): Promise<BurstReport> {
    return sumBursts(
      await Promise.all(this.#workers.map((w) => w.ask<BurstReport>({ cmd: 'burst', vitals, events, tag }))),
    );
  }

  /** One SOS (QoS 1, id `<tag>-<index>`) from each connected gateway with index < upTo, over `spreadMs`. */
  async sos(upTo: number, spreadMs: number, tag: string): Promise<BurstReport> {
    return sumBursts(
      await Promise.all(this.#workers.map((w) => w.ask<BurstReport>({ cmd: 'sos', upTo, spreadMs, tag }))),
    );
  }

  /** Drops every connection without DISCONNECT, as a network blip would. */
  async drop(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.ask({ cmd: 'drop' })));
  }

  /** Resident memory of the worker processes together. */
  async rss(): Promise<number> {
    return sum(
      await Promise.all(this.#workers.map(async (w) => (await w.ask<{ rss: number }>({ cmd: 'rss' })).rss)),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.close()));
  }
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** The workers' reports of one burst as one: counts add up, the time is the slowest worker's. */
function sumBursts(reports: BurstReport[]): BurstReport {
  return {
    published: sum(reports.map((r) => r.published)),
    acked: sum(reports.map((r) => r.acked)),
    ms: Math.max(...reports.map((r) => r.ms)),
  };
}
