import { EventEmitter } from 'node:events';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { decodePayload, type Feedback, gatewayWill, timestamp, topics } from '../protocol/index.ts';
import type { Outbox, OutboxEntry } from './outbox.ts';

export interface UplinkOptions {
  gatewayId: string;
  secret: string;
  broker: string;
  /** Further brokers of a cluster: MQTT.js moves to the next one each time a connection fails. */
  brokers?: readonly string[];
  outbox: Outbox;
  logger: Logger;
  reconnectPeriodMs?: number;
  /** How many messages may await their PUBACK at once. */
  window?: number;
  /** Seconds between `online` heartbeats on the gateway's state topic; the cloud's silence rule needs them. */
  heartbeatS?: number;
}

interface UplinkEvents {
  delivered: [OutboxEntry];
  feedback: [Feedback];
  connected: [];
  disconnected: [];
}

/**
 * The gateway's MQTT connection: birth `online` and will `offline` on its state topic, its own `cmd/`
 * tree subscribed, and the outbox drained in order whenever connected. An entry leaves the outbox only
 * when its PUBACK arrives; anything in flight when the link drops is published again (the cloud makes at
 * most one alert per event id).
 */
export class Uplink extends EventEmitter<UplinkEvents> {
  readonly #o: UplinkOptions;
  readonly #log: Logger;
  readonly #inflight = new Set<number>();
  #client: MqttClient | null = null;
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(options: UplinkOptions) {
    super();
    this.#o = options;
    this.#log = options.logger.child({ component: 'uplink', gatewayId: options.gatewayId });
  }

  get connected(): boolean {
    return this.#client?.connected ?? false;
  }

  start(): void {
    const gw = this.#o.gatewayId;
    const client = mqtt.connect(this.#o.broker, {
      ...(this.#o.brokers?.length ? { servers: brokerServers([this.#o.broker, ...this.#o.brokers]) } : {}),
      username: gw,
      password: this.#o.secret,
      clientId: gw,
      clean: true,
      protocolVersion: 4,
      reconnectPeriod: this.#o.reconnectPeriodMs ?? 2000,
      reconnectOnConnackError: true,
      connectTimeout: 15_000,
      will: gatewayWill(gw),
    });
    this.#client = client;
    client.on('connect', () => this.#onConnect(client));
    client.on('close', () => {
      clearInterval(this.#heartbeat);
      // What MQTT.js had in flight is resent from the outbox on the next connect.
      this.#inflight.clear();
      this.emit('disconnected');
    });
    client.on('error', (err) => this.#log.warn({ err: err.message }, 'uplink error'));
    client.on('message', (topic, payload) => this.#onMessage(topic, payload));
  }

  /** Something new is in the outbox: publish it now if the link is up. */
  kick(): void {
    if (this.#client?.connected) this.#drain(this.#client);
  }

  /**
   * Publishes at QoS 0 at once, outside the outbox, when the link is up (telemetry whose loss the contract
   * allows, e.g. vitals at QoS 0); false when there is no link, and nothing is kept.
   */
  publishVolatile(topic: string, payload: string | Buffer): boolean {
    const client = this.#client;
    if (!client?.connected) return false;
    client.publish(topic, payload, { qos: 0 });
    return true;
  }

  async stop(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    clearInterval(this.#heartbeat);
    if (!client) return;
    if (client.connected) {
      const offline = JSON.stringify({ state: 'offline', ts: timestamp() });
      await client
        .publishAsync(topics.gatewayState(this.#o.gatewayId), offline, { qos: 1, retain: true })
        .catch(() => {});
    }
    await client.endAsync(true);
  }

  #onConnect(client: MqttClient): void {
    const gw = this.#o.gatewayId;
    this.#log.info({ pending: this.#o.outbox.size() }, 'uplink connected');
    // `online` only once subscribed: the cloud resends the gateway's alert feedback when it sees it.
    client.subscribe(topics.gatewayCommands(gw), { qos: 1 }, (err) => {
      if (err) this.#log.error({ err: err.message }, 'cannot subscribe to commands');
      if (!client.connected) return;
      client.publish(topics.gatewayState(gw), JSON.stringify({ state: 'online', ts: timestamp() }), {
        qos: 1,
        retain: true,
      });
    });
    // MQTT.js resends its own in-flight messages on reconnect; ours are replayed from the outbox instead.
    this.#inflight.clear();
    this.emit('connected');
    this.#drain(client);
  }

  #drain(client: MqttClient): void {
    const window = this.#o.window ?? 32;
    if (this.#inflight.size >= window) return;
    const entries = this.#o.outbox.peek(window + this.#inflight.size);
    for (const entry of entries) {
      if (this.#inflight.size >= window || !client.connected) break;
      if (this.#inflight.has(entry.seq)) continue;
      this.#inflight.add(entry.seq);
      client.publish(entry.topic, entry.payload, { qos: 1, retain: entry.retain }, (err) => {
        if (!this.#inflight.delete(entry.seq) || err) return;
        this.#o.outbox.remove(entry.seq);
        this.emit('delivered', entry);
        this.#drain(client);
      });
    }
  }

  #onMessage(topic: string, payload: Buffer): void {
    if (topic !== topics.feedback(this.#o.gatewayId)) return;
    const decoded = decodePayload('feedback', payload);
    if (!decoded.ok) {
      this.#log.warn({ detail: decoded.detail }, 'feedback dropped');
      return;
    }
    this.emit('feedback', decoded.value);
  }
}

/** MQTT.js's failover list from broker URLs (`mqtt://host:port`, `mqtts://…`), in the order given. */
export function brokerServers(
  urls: readonly string[],
): { host: string; port: number; protocol: 'mqtt' | 'mqtts' }[] {
  return urls.map((u) => {
    const url = new URL(u);
    const protocol = url.protocol === 'mqtts:' ? 'mqtts' : 'mqtt';
    return { host: url.hostname, port: Number(url.port) || (protocol === 'mqtts' ? 8883 : 1883), protocol };
  });
}
