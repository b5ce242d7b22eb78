import { createServer, type Server, Socket } from 'node:net';

/** What the link does to bytes right now. */
export interface LinkFaults {
  /** Milliseconds every chunk waits, each way (order kept). */
  delayMs: number;
  /** Bytes per second each way per connection; 0 for no limit. */
  bytesPerS: number;
}

const CLEAN: LinkFaults = { delayMs: 0, bytesPerS: 0 };

/**
 * A TCP proxy between gateways and a broker, breaking the link on demand: `cut()` resets every open
 * connection and refuses new ones until `heal()`; `degrade()` delays and throttles both ways.
 * It relays bytes only; it never reads MQTT.
 */
export class ChaosProxy {
  readonly #target: { host: string; port: number };
  readonly #server: Server;
  readonly #pairs = new Set<[Socket, Socket]>();
  #faults: LinkFaults = CLEAN;
  #cut = false;
  /** Connections the proxy refused or reset (a cut in progress). */
  resets = 0;

  private constructor(target: { host: string; port: number }) {
    this.#target = target;
    this.#server = createServer((client) => this.#accept(client));
  }

  /** Listens on a free port of 127.0.0.1 in front of `targetUrl` (`mqtt://host:port`). */
  static async start(targetUrl: string): Promise<ChaosProxy> {
    const url = new URL(targetUrl);
    const proxy = new ChaosProxy({ host: url.hostname, port: Number(url.port) });
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once('error', reject);
      proxy.#server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get url(): string {
    const address = this.#server.address();
    return `mqtt://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  get connections(): number {
    return this.#pairs.size;
  }

  /** Resets every connection and refuses new ones until `heal`. */
  cut(): void {
    this.#cut = true;
    for (const [a, b] of this.#pairs) {
      a.resetAndDestroy();
      b.resetAndDestroy();
      this.resets += 1;
    }
    this.#pairs.clear();
  }

  degrade(faults: Partial<LinkFaults>): void {
    this.#faults = { ...this.#faults, ...faults };
  }

  /** A clean link again: new connections are accepted, no delay, no throttle. */
  heal(): void {
    this.#cut = false;
    this.#faults = CLEAN;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    if (this.#cut) {
      this.resets += 1;
      client.resetAndDestroy();
      return;
    }
    const upstream = new Socket();
    const pair: [Socket, Socket] = [client, upstream];
    this.#pairs.add(pair);
    const end = () => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    upstream.connect(this.#target.port, this.#target.host);
    this.#relay(client, upstream);
    this.#relay(upstream, client);
  }

  /**
   * Copies `from` to `to` in order through a queue: each chunk leaves no sooner than `delayMs` after it
   * arrived (latency, pipelined), and the throttle spaces chunks by their size.
   */
  #relay(from: Socket, to: Socket): void {
    const queue: { chunk: Buffer; at: number }[] = [];
    let busy = false;
    const pump = async () => {
      if (busy) return;
      busy = true;
      while (queue.length > 0) {
        const { chunk, at } = queue.shift() as { chunk: Buffer; at: number };
        const { delayMs, bytesPerS } = this.#faults;
        const dueIn = at + delayMs - Date.now();
        if (dueIn > 0) await sleep(dueIn);
        if (bytesPerS > 0) await sleep((chunk.length / bytesPerS) * 1000);
        if (to.destroyed) break;
        if (!to.write(chunk)) await new Promise((r) => to.once('drain', r).once('close', r));
      }
      busy = false;
    };
    from.on('data', (chunk: Buffer) => {
      queue.push({ chunk, at: Date.now() });
      void pump();
    });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
