import { createConnection } from 'node:net';
import mqtt, { type IClientOptions, MqttClient } from 'mqtt';
import { gatewayWill, timestamp, topics } from '../../protocol/index.ts';
import type { SimGateway } from '../mqtt-home.ts';

/**
 * One scenario home's MQTT connection, as its gateway would hold it: birth `online` (retained), will
 * `offline`. A power cut or a network drop ends the socket without DISCONNECT, so the broker publishes
 * the will; while the link is down publishes wait here (a gateway's outbox) and go out in order once
 * it is back. A power cut drops nothing here: the plan already left out what a dead gateway cannot send.
 */
export class HomeLink {
  readonly gateway: SimGateway;
  readonly #url: string;
  readonly #localAddress: string | undefined;
  #client: MqttClient | null = null;
  /** Bumped by every drop, so a connect that finishes after a later drop does not bring the link up. */
  #generation = 0;
  #closed = false;
  #waiting: (() => void)[] = [];

  constructor(gateway: SimGateway, url: string, localAddress?: string) {
    this.gateway = gateway;
    this.#url = url;
    this.#localAddress = localAddress;
  }

  get up(): boolean {
    return this.#client !== null;
  }

  async connect(): Promise<void> {
    const gw = this.gateway.id;
    const generation = this.#generation;
    const client = await connectFrom(this.#url, this.#localAddress, {
      username: gw,
      password: this.gateway.secret,
      clientId: `scn-${gw}`,
      clean: true,
      reconnectPeriod: 1000,
      protocolVersion: 4,
      connectTimeout: 30_000,
      will: gatewayWill(gw),
    });
    await client.publishAsync(topics.gatewayState(gw), JSON.stringify({ state: 'online', ts: timestamp() }), {
      qos: 1,
      retain: true,
    });
    if (generation !== this.#generation || this.#closed) {
      await client.endAsync(true);
      return;
    }
    this.#client = client;
    for (const resume of this.#waiting.splice(0)) resume();
  }

  /** Drops the socket as a dead line would (the broker then sends the will). */
  async drop(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    this.#generation++;
    await client?.endAsync(true);
  }

  /** Publishes once the link is up; resolves on the PUBACK for QoS 1. */
  async publish(topic: string, payload: string, qos: 0 | 1, retain = false): Promise<void> {
    while (!this.#client) {
      if (this.#closed) throw new Error(`${this.gateway.id} is closed`);
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    await this.#client.publishAsync(topic, payload, { qos, retain });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const resume of this.#waiting.splice(0)) resume();
    const client = this.#client;
    this.#client = null;
    await client?.endAsync();
  }
}

/**
 * MQTT.js's TCP transport takes no source address, so a worker's connections are built here with
 * `net.createConnection({localAddress})` and handed to an MqttClient (reconnects use the same builder).
 */
async function connectFrom(url: string, localAddress: string | undefined, options: IClientOptions) {
  if (!localAddress) return mqtt.connectAsync(url, options);
  const { protocol, hostname, port } = new URL(url);
  if (protocol !== 'mqtt:' && protocol !== 'tcp:')
    throw new Error(`a source address needs an mqtt:// broker URL, not ${protocol}`);
  const host = hostname === 'localhost' ? '127.0.0.1' : hostname;
  const build = () => createConnection({ host, port: Number(port) || 1883, localAddress });
  const client = new MqttClient(build, { ...options, protocol: 'mqtt', host, port: Number(port) || 1883 });
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error) => {
      client.end(true);
      reject(err);
    };
    client.once('connect', () => {
      client.off('error', fail);
      resolve();
    });
    client.once('error', fail);
  });
  return client;
}
