/**
 * A simulated zigbee2mqtt bridge: a real MQTT broker (Aedes) on a port of its own, publishing what a
 * bridge publishes (DEVICE-PROTOCOLS §5.3): each device's whole state as JSON on `<base>/<name>` (with
 * `linkquality`, `battery`, and `action` only in the message of a press, as zigbee2mqtt never caches
 * it), retained availability on `<base>/<name>/availability`, and a retained `<base>/bridge/state`.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import { type Availability, ZIGBEE2MQTT_DEFAULT_BASE, zigbeeTopics } from '../../edge/codecs/zigbee2mqtt.ts';

export const ZIGBEE_SIM_KINDS = ['smoke', 'gas', 'leak', 'door', 'motion', 'button'] as const;
export type ZigbeeSimKind = (typeof ZIGBEE_SIM_KINDS)[number];

export interface ZigbeeSimDevice {
  friendlyName: string;
  kind: ZigbeeSimKind;
}

/** The bridge's devices when none are given: one of each kind, named by room. */
export const DEFAULT_ZIGBEE_DEVICES: readonly ZigbeeSimDevice[] = [
  { friendlyName: 'kitchen_smoke', kind: 'smoke' },
  { friendlyName: 'kitchen_gas', kind: 'gas' },
  { friendlyName: 'bathroom_leak', kind: 'leak' },
  { friendlyName: 'front_door', kind: 'door' },
  { friendlyName: 'hall_motion', kind: 'motion' },
  { friendlyName: 'bedside_button', kind: 'button' },
];

/** What each kind of device reports when all is well (zigbee2mqtt's exposes for such devices). */
const IDLE: Record<ZigbeeSimKind, Record<string, unknown>> = {
  smoke: { smoke: false, tamper: false, battery_low: false, battery: 100 },
  gas: { gas: false, tamper: false },
  leak: { water_leak: false, battery_low: false, battery: 100, voltage: 3045 },
  door: { contact: true, battery: 91, voltage: 2995 },
  motion: { occupancy: false, illuminance: 120, battery: 88 },
  button: { battery: 100, voltage: 3000 },
};

export interface ZigbeeBridgeOptions {
  port?: number;
  host?: string;
  baseTopic?: string;
  devices?: readonly ZigbeeSimDevice[];
}

interface SimState {
  kind: ZigbeeSimKind;
  state: Record<string, unknown>;
  availability: Availability;
}

export class ZigbeeBridgeSim {
  readonly baseTopic: string;
  readonly #host: string;
  readonly #devices = new Map<string, SimState>();
  #port: number;
  #aedes: Aedes | null = null;
  #server: Server | null = null;
  readonly #sockets = new Set<Socket>();
  #linkquality = 120;

  private constructor(options: ZigbeeBridgeOptions) {
    this.baseTopic = options.baseTopic ?? ZIGBEE2MQTT_DEFAULT_BASE;
    this.#host = options.host ?? '127.0.0.1';
    this.#port = options.port ?? 0;
    for (const d of options.devices ?? DEFAULT_ZIGBEE_DEVICES) {
      this.#devices.set(d.friendlyName, { kind: d.kind, state: { ...IDLE[d.kind] }, availability: 'online' });
    }
  }

  /** Starts the broker and publishes the bridge's state, every device's availability and state. */
  static async start(options: ZigbeeBridgeOptions = {}): Promise<ZigbeeBridgeSim> {
    const bridge = new ZigbeeBridgeSim(options);
    await bridge.restart();
    return bridge;
  }

  get url(): string {
    return `mqtt://${this.#host}:${this.#port}`;
  }

  get running(): boolean {
    return this.#server !== null;
  }

  get devices(): ZigbeeSimDevice[] {
    return [...this.#devices].map(([friendlyName, d]) => ({ friendlyName, kind: d.kind }));
  }

  /** The first device of a kind, or the named one; throws naming what exists. */
  device(nameOrKind: string): string {
    if (this.#devices.has(nameOrKind)) return nameOrKind;
    const found = [...this.#devices].find(([, d]) => d.kind === nameOrKind)?.[0];
    if (found) return found;
    throw new Error(
      `no zigbee device "${nameOrKind}"; the bridge has ${[...this.#devices.keys()].join(', ')}`,
    );
  }

  /** Changes fields of a device and publishes its whole state, as a real device report does. */
  async set(name: string, fields: Record<string, unknown>): Promise<void> {
    const d = this.#get(name);
    Object.assign(d.state, fields);
    await this.#publishState(name, d.state);
  }

  /** The device reports again with nothing changed (a periodic check-in). */
  async report(name: string): Promise<void> {
    await this.#publishState(name, this.#get(name).state);
  }

  /** A button press: one message with `action`; the cached state stays without it. */
  async press(name: string, action = 'emergency'): Promise<void> {
    await this.#publishState(name, { ...this.#get(name).state, action });
  }

  /** Availability as zigbee2mqtt publishes it (retained); `legacy` uses the bare string of older versions. */
  async availability(name: string, state: Availability, legacy = false): Promise<void> {
    const d = this.#get(name);
    d.availability = state;
    const payload = legacy ? state : JSON.stringify({ state });
    await this.#publish(zigbeeTopics.availability(this.baseTopic, name), payload, true);
  }

  /** Publishes anything on a device's state topic (tests of what the edge does with bad input). */
  async raw(name: string, payload: string | Buffer): Promise<void> {
    await this.#publish(zigbeeTopics.device(this.baseTopic, name), payload, false);
  }

  /** The whole bridge goes away: broker closed, every connection cut. `restart` brings it back on its port. */
  async kill(): Promise<void> {
    const server = this.#server;
    const aedes = this.#aedes;
    this.#server = null;
    this.#aedes = null;
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
  }

  async restart(): Promise<void> {
    if (this.#server) return;
    const aedes = await Aedes.createBroker({ id: 'zigbee2mqtt-sim' });
    const server = createServer((socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
      aedes.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, this.#host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#port = (server.address() as { port: number }).port;
    this.#aedes = aedes;
    this.#server = server;
    await this.#publish(zigbeeTopics.bridgeState(this.baseTopic), JSON.stringify({ state: 'online' }), true);
    for (const [name, d] of this.#devices) {
      await this.#publish(
        zigbeeTopics.availability(this.baseTopic, name),
        JSON.stringify({ state: d.availability }),
        true,
      );
    }
  }

  async stop(): Promise<void> {
    await this.kill();
  }

  #get(name: string): SimState {
    const d = this.#devices.get(name);
    if (!d)
      throw new Error(`no zigbee device "${name}"; the bridge has ${[...this.#devices.keys()].join(', ')}`);
    return d;
  }

  async #publishState(name: string, state: Record<string, unknown>): Promise<void> {
    // Link quality wanders a little, as a real radio's does, so no two reports are byte-identical.
    this.#linkquality = 100 + ((this.#linkquality + 7) % 50);
    const payload = JSON.stringify({ ...state, linkquality: this.#linkquality });
    await this.#publish(zigbeeTopics.device(this.baseTopic, name), payload, false);
  }

  #publish(topic: string, payload: string | Buffer, retain: boolean): Promise<void> {
    const aedes = this.#aedes;
    if (!aedes) return Promise.reject(new Error('the simulated bridge is not running'));
    return new Promise((resolve, reject) =>
      aedes.publish(
        {
          cmd: 'publish',
          topic,
          payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
          qos: 1,
          retain,
          dup: false,
        },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  }
}
