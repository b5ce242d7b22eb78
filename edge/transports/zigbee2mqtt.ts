import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';

export interface BridgeMessage {
  topic: string;
  payload: Buffer;
  /** Delivered from the broker's retained store (on subscribe), not published just now. */
  retained: boolean;
}

/** A connection to a zigbee2mqtt bridge's broker, as a device driver sees it. */
export interface BridgeLink extends EventEmitter<{ message: [BridgeMessage]; up: []; down: [] }> {
  readonly up: boolean;
  /** Topics this link keeps subscribed, across reconnects. */
  want(topics: readonly string[]): void;
}

/**
 * One MQTT.js client to one bridge broker, shared by every zigbee device behind that bridge. `up` when
 * connected and subscribed, `down` when the connection is lost; it reconnects by itself. Read-only: the
 * agent never publishes to the bridge.
 */
export class Zigbee2MqttLink
  extends EventEmitter<{ message: [BridgeMessage]; up: []; down: [] }>
  implements BridgeLink
{
  readonly #url: string;
  readonly #log: Logger;
  readonly #reconnectPeriodMs: number;
  readonly #clientId: string;
  readonly #topics = new Set<string>();
  #client: MqttClient | null = null;
  #up = false;

  constructor(url: string, opts: { logger: Logger; reconnectPeriodMs: number; clientId: string }) {
    super();
    this.setMaxListeners(0);
    this.#url = url;
    this.#log = opts.logger.child({ component: 'zigbee2mqtt', bridge: url });
    this.#reconnectPeriodMs = opts.reconnectPeriodMs;
    this.#clientId = opts.clientId;
  }

  get up(): boolean {
    return this.#up;
  }

  want(topics: readonly string[]): void {
    const fresh = topics.filter((t) => !this.#topics.has(t));
    for (const t of fresh) this.#topics.add(t);
    if (this.#client?.connected && fresh.length > 0) this.#subscribe(fresh);
  }

  start(): void {
    const client = mqtt.connect(this.#url, {
      clientId: this.#clientId,
      clean: true,
      protocolVersion: 4,
      reconnectPeriod: this.#reconnectPeriodMs,
      connectTimeout: 5000,
    });
    this.#client = client;
    client.on('connect', () => this.#subscribe([...this.#topics]));
    client.on('close', () => {
      if (!this.#up) return;
      this.#up = false;
      this.#log.warn('bridge broker connection lost');
      this.emit('down');
    });
    client.on('error', (err) => this.#log.debug({ err: err.message }, 'bridge broker error'));
    client.on('message', (topic, payload, packet) =>
      this.emit('message', { topic, payload, retained: packet.retain }),
    );
  }

  async stop(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    this.#up = false;
    if (client) await client.endAsync(true).catch(() => {});
  }

  #subscribe(topics: string[]): void {
    const client = this.#client;
    if (!client) return;
    if (topics.length === 0) {
      this.#markUp();
      return;
    }
    client.subscribe(topics, { qos: 1 }, (err) => {
      if (err) {
        this.#log.warn({ err: err.message }, 'bridge topics not subscribed');
        return;
      }
      this.#markUp();
    });
  }

  #markUp(): void {
    if (this.#up || !this.#client?.connected) return;
    this.#up = true;
    this.#log.info('bridge broker connected');
    this.emit('up');
  }
}

/** The bridge links of one agent: one per broker URL, opened on first use, closed with the last user. */
export class BridgeLinks {
  readonly #links = new Map<string, { link: Zigbee2MqttLink; users: number }>();
  readonly #opts: { logger: Logger; reconnectPeriodMs: number; gatewayId: string };

  constructor(opts: { logger: Logger; reconnectPeriodMs: number; gatewayId: string }) {
    this.#opts = opts;
  }

  acquire(url: string): BridgeLink {
    const found = this.#links.get(url);
    if (found) {
      found.users++;
      return found.link;
    }
    const clientId = `eldercare-${this.#opts.gatewayId}-${randomBytes(4).toString('hex')}`;
    const link = new Zigbee2MqttLink(url, { ...this.#opts, clientId });
    this.#links.set(url, { link, users: 1 });
    link.start();
    return link;
  }

  async release(url: string): Promise<void> {
    const found = this.#links.get(url);
    if (!found || --found.users > 0) return;
    this.#links.delete(url);
    await found.link.stop();
  }
}
