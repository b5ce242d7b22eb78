import type { Logger } from 'pino';
import {
  type HomeSimulatorPort,
  type SimAction,
  type SimHomeState,
  SimRefusedError,
} from '../cloud/domain/sim-panel.ts';
import { type SimGateway, SimulatedHome } from '../device-sims/mqtt-home.ts';

export interface PanelGateway extends SimGateway {
  householdId: string;
}

interface PanelHome {
  home: SimulatedHome;
  powered: boolean;
}

const FALL_RADARS = ['mr60fda1', 'mr60fda2'];
/** Where the panel's home sensors are: the demo homes' kit has no Zigbee devices of its own. */
const SIM_ROOMS = { smoke: 'kitchen', gas: 'kitchen', water_leak: 'bathroom', door_open: 'hall' } as const;
/** A wristband measures everything; a breathing radar has no SpO2. */
const DEVICE_KINDS_FOR: Partial<Record<SimAction, string[]>> = {
  fall: FALL_RADARS,
  fall_cleared: FALL_RADARS,
  vitals_high: ['ble-vitals', 'mr60bha1', 'mr60bha2'],
  vitals_low_spo2: ['ble-vitals'],
};

/**
 * The tester's simulator panel: one MQTT connection per demo home, opened on first use and kept.
 * Each connection has a client id of its own (`panel-<gw>`), so it never takes over the session of
 * the fleet simulator or of a test's home for the same gateway (they would throw each other out in
 * turn). A power cut drops the socket without DISCONNECT, so the broker publishes the home's will.
 */
export class HomeSimulator implements HomeSimulatorPort {
  readonly #gateways: Map<string, PanelGateway>;
  readonly #homes = new Map<string, PanelHome>();
  /** One action at a time per home: a power cut must not overtake the connect before it. */
  readonly #queues = new Map<string, Promise<unknown>>();
  readonly #log: Logger;
  #brokerUrl: string | null = null;

  constructor(options: { gateways: PanelGateway[]; logger: Logger }) {
    this.#gateways = new Map(options.gateways.map((g) => [g.id, g]));
    this.#log = options.logger.child({ component: 'sim-panel' });
  }

  /** Homes connect lazily, once the broker's address is known. */
  start(brokerUrl: string): void {
    this.#brokerUrl = brokerUrl;
  }

  homes(): SimHomeState[] {
    return [...this.#gateways.values()].map((g) => {
      const entry = this.#homes.get(g.id);
      return {
        gatewayId: g.id,
        householdId: g.householdId,
        connected: entry?.home.client.connected ?? false,
        powered: entry?.powered ?? true,
      };
    });
  }

  act(gatewayId: string, action: SimAction): Promise<{ eventId?: string }> {
    const previous = this.#queues.get(gatewayId) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() => this.#perform(gatewayId, action));
    this.#queues.set(gatewayId, next);
    return next;
  }

  /** Waits for actions under way, then disconnects every home cleanly (no will). */
  async stop(): Promise<void> {
    this.#brokerUrl = null;
    await Promise.allSettled(this.#queues.values());
    // A home whose power is cut has no connection left; closing it again is a no-op in MQTT.js.
    await Promise.allSettled([...this.#homes.values()].map((entry) => entry.home.close()));
    this.#homes.clear();
  }

  async #perform(gatewayId: string, action: SimAction): Promise<{ eventId?: string }> {
    const gateway = this.#gateways.get(gatewayId);
    if (!gateway) throw new SimRefusedError('ERR_NOT_FOUND', `no simulated home ${gatewayId}`);
    // Refused before connecting: a home without the device should not come online for nothing.
    const deviceId = this.#deviceFor(gateway, action);
    const entry = await this.#connected(gateway);
    if (action === 'power_cut') return this.#cut(entry);
    if (action === 'power_restore') return this.#restore(entry);
    if (!entry.powered)
      throw new SimRefusedError('ERR_NO_POWER', `${gatewayId} has no power; restore it first`);
    const { home } = entry;
    switch (action) {
      case 'sos':
        return { eventId: await home.event('sos') };
      case 'fall':
      case 'fall_cleared':
        // The radar that sees the fall also sees the elder get up.
        return { eventId: await home.event(action, deviceId ? { deviceId } : {}) };
      case 'vitals_high':
        await home.vitals({ hr: 150 }, deviceId);
        return {};
      case 'vitals_low_spo2':
        await home.vitals({ spo2: 84 }, deviceId);
        return {};
      case 'smoke':
      case 'gas':
      case 'water_leak':
      case 'door_open':
        return { eventId: await home.event(action, { data: { room: SIM_ROOMS[action] } }) };
      case 'service_request':
        return { eventId: await home.event('service_request', { data: { service: 'meal' } }) };
    }
  }

  /** The home of `gateway`, connected on first use (birth `online`, device states). */
  async #connected(gateway: PanelGateway): Promise<PanelHome> {
    const known = this.#homes.get(gateway.id);
    if (known) return known;
    const home = new SimulatedHome(gateway);
    await home.connect(this.#urlFor(gateway.id));
    const entry = { home, powered: true };
    this.#homes.set(gateway.id, entry);
    this.#log.info({ gatewayId: gateway.id }, 'simulated home connected');
    return entry;
  }

  async #cut(entry: PanelHome): Promise<{ eventId?: string }> {
    if (!entry.powered) return {};
    entry.powered = false;
    // Forced end destroys the socket without a DISCONNECT packet: to the broker the line just went
    // dead, so it publishes the will (`offline`, retained). A clean end would suppress the will.
    await entry.home.client.endAsync(true);
    this.#log.info({ gatewayId: entry.home.gateway.id }, 'simulated power cut');
    return {};
  }

  async #restore(entry: PanelHome): Promise<{ eventId?: string }> {
    if (entry.powered) return {};
    await entry.home.connect(this.#urlFor(entry.home.gateway.id));
    entry.powered = true;
    this.#log.info({ gatewayId: entry.home.gateway.id }, 'simulated power restored');
    return {};
  }

  /** The device an action speaks through, when it needs a particular kind. */
  #deviceFor(gateway: PanelGateway, action: SimAction): string | undefined {
    const kinds = DEVICE_KINDS_FOR[action];
    if (!kinds) return undefined;
    const device = gateway.devices.find((d) => kinds.includes(d.kind));
    if (!device)
      throw new SimRefusedError('ERR_NO_DEVICE', `${gateway.id} has no device of kind ${kinds.join(' or ')}`);
    return device.id;
  }

  /** MQTT.js takes a `clientId` in the URL's query over the one in its options. */
  #urlFor(gatewayId: string): string {
    if (!this.#brokerUrl) throw new Error('the simulator panel is not started');
    const url = new URL(this.#brokerUrl);
    url.searchParams.set('clientId', `panel-${gatewayId}`);
    return url.toString();
  }
}
