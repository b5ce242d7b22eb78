import type { Logger } from 'pino';
import {
  type Availability,
  parseAvailability,
  parseZigbeeState,
  ZIGBEE2MQTT_DEFAULT_BASE,
  zigbeeTopics,
} from '../codecs/zigbee2mqtt.ts';
import type { DeviceConfig } from '../config.ts';
import type { BridgeLink, BridgeMessage } from '../transports/zigbee2mqtt.ts';
import { pressEvent } from './code-action.ts';
import type { Clock, DeviceDriver, EdgeSink } from './device.ts';
import { ZigbeeChanges } from './zigbee-changes.ts';

export const DEFAULT_BRIDGE_GRACE_S = 15;

export interface ZigbeeDeps {
  sink: EdgeSink;
  logger: Logger;
  clock: Clock;
  link: BridgeLink;
  /** Gives the link back (the last device of a bridge closes its connection). */
  release: () => Promise<void>;
}

/**
 * A Zigbee sensor or button behind a local zigbee2mqtt bridge (DEVICE-PROTOCOLS §5.3). Field changes
 * become contract events (`ZigbeeChanges`), with the configured `room` as `data.room`. Online while the
 * bridge says so (`…/availability`, `bridge/state`); a bridge broker or bridge that is gone longer than
 * `bridgeGraceS` is a device problem, reported offline, and online again when it returns.
 */
export class ZigbeeDriver implements DeviceDriver {
  readonly id: string;
  readonly #d: ZigbeeDeps;
  readonly #log: Logger;
  readonly #changes: ZigbeeChanges;
  readonly #room: string | undefined;
  readonly #graceMs: number;
  readonly #topics: { state: string; availability: string; bridge: string };
  #availability: Availability | null = null;
  #bridgeOnline: boolean | null = null;
  #seenState = false;
  #reported: boolean | null = null;
  #battery: number | undefined;
  #grace: NodeJS.Timeout | undefined;

  constructor(device: DeviceConfig, deps: ZigbeeDeps) {
    if (device.transport.type !== 'zigbee2mqtt')
      throw new Error(`device ${device.id}: not a zigbee2mqtt device`);
    const base = device.transport.baseTopic ?? ZIGBEE2MQTT_DEFAULT_BASE;
    this.id = device.id;
    this.#d = deps;
    this.#log = deps.logger.child({ deviceId: device.id, kind: device.kind });
    this.#room = device.room;
    this.#graceMs = (device.bridgeGraceS ?? DEFAULT_BRIDGE_GRACE_S) * 1000;
    this.#changes = new ZigbeeChanges(
      new Map(Object.entries(device.actions ?? {}).map(([name, action]) => [name, pressEvent(action)])),
    );
    this.#topics = {
      state: zigbeeTopics.device(base, device.transport.friendlyName),
      availability: zigbeeTopics.availability(base, device.transport.friendlyName),
      bridge: zigbeeTopics.bridgeState(base),
    };
  }

  start(): void {
    this.#d.link.on('message', this.#onMessage);
    this.#d.link.on('up', this.#evaluate);
    this.#d.link.on('down', this.#evaluate);
    this.#d.link.want(Object.values(this.#topics));
    this.#evaluate();
  }

  async stop(): Promise<void> {
    this.#d.clock.clearTimeout(this.#grace);
    this.#grace = undefined;
    this.#d.link.off('message', this.#onMessage);
    this.#d.link.off('up', this.#evaluate);
    this.#d.link.off('down', this.#evaluate);
    await this.#d.release();
  }

  readonly #onMessage = (m: BridgeMessage): void => {
    if (m.topic === this.#topics.state) {
      this.#state(m);
      return;
    }
    const isBridge = m.topic === this.#topics.bridge;
    if (!isBridge && m.topic !== this.#topics.availability) return;
    const a = parseAvailability(m.payload);
    if (!a.ok) {
      this.#log.warn({ error: a.error, topic: m.topic }, 'zigbee availability not understood');
      return;
    }
    if (isBridge) this.#bridgeOnline = a.value === 'online';
    else this.#availability = a.value;
    this.#evaluate();
  };

  #state(m: BridgeMessage): void {
    const parsed = parseZigbeeState(m.payload);
    if (!parsed.ok) {
      this.#log.warn({ error: parsed.error }, 'zigbee state message not understood');
      return;
    }
    const state = parsed.value;
    if (state.skipped.length > 0)
      this.#log.warn({ fields: state.skipped }, 'zigbee fields of the wrong type skipped');
    const { events, unknownAction } = this.#changes.apply(state, m.retained);
    if (unknownAction) this.#log.info({ action: unknownAction }, 'zigbee action without a meaning ignored');
    for (const e of events) {
      const data = { ...e.data, ...(this.#room ? { room: this.#room } : {}) };
      this.#d.sink.event(this.id, e.type, Object.keys(data).length > 0 ? data : undefined);
    }
    this.#seenState = true;
    const batteryChanged = state.battery !== undefined && state.battery !== this.#battery;
    if (state.battery !== undefined) this.#battery = state.battery;
    if (batteryChanged && this.#reported === true) this.#report(true, true);
    else this.#evaluate();
  }

  /** Decides the device's state from the link, the bridge and the device's availability. */
  readonly #evaluate = (): void => {
    const bridgeGone = !this.#d.link.up || this.#bridgeOnline === false;
    if (bridgeGone) {
      // Brief outages (a bridge restart, a broker blip) are not worth a dispatcher's attention.
      if (this.#reported !== false && this.#grace === undefined)
        this.#grace = this.#d.clock.setTimeout(() => {
          this.#grace = undefined;
          this.#log.warn('zigbee bridge gone past its grace: device offline');
          this.#report(false);
        }, this.#graceMs);
      return;
    }
    this.#d.clock.clearTimeout(this.#grace);
    this.#grace = undefined;
    if (this.#availability === 'offline') this.#report(false);
    else if (this.#availability === 'online' || this.#seenState || this.#reported === false)
      this.#report(true);
  };

  /** Publishes the state on a change (or, forced, a new battery level while online). */
  #report(online: boolean, force = false): void {
    if (this.#reported === online && !force) return;
    this.#reported = online;
    this.#d.sink.state(this.id, online, this.#battery !== undefined ? { battery: this.#battery } : {});
  }
}
