import type { EventType } from '../../protocol/index.ts';
import type { ZigbeeFlag, ZigbeeState } from '../codecs/zigbee2mqtt.ts';
import type { PressEvent } from './code-action.ts';

/** Flags whose `true` is an alarm: raised on a false → true edge, and on first sight when already true. */
const ALARMS: Partial<Record<ZigbeeFlag, EventType>> = {
  smoke: 'smoke',
  gas: 'gas',
  water_leak: 'water_leak',
  sos: 'sos',
  tamper: 'tamper',
};

/** A battery at or below this is low even when the device sends no `battery_low` (as the BLE wearables). */
export const ZIGBEE_LOW_BATTERY_PCT = 15;

/** Button actions that mean an emergency without any configuration (IAS ACE emergency, SOS buttons). */
export const DEFAULT_ACTIONS: ReadonlyMap<string, PressEvent> = new Map([
  ['emergency', { type: 'sos' }],
  ['sos', { type: 'sos' }],
]);

export interface ZigbeeChange {
  type: EventType;
  data?: Record<string, unknown>;
}

/**
 * Turns a zigbee2mqtt device's state messages, each repeating the whole state, into contract events on
 * *changes*. The first sight of a field sets its baseline without an event, except an alarm already on
 * (smoke:true at boot is a fire, not a baseline). contact true → false is `door_open`, false → true
 * `door_closed`; occupancy false → true is `motion`. `action` is a press, not state: zigbee2mqtt never
 * caches it, so a retained message's action is an old press and is ignored. Pure: no I/O, no clock.
 */
export class ZigbeeChanges {
  readonly #known: Partial<Record<ZigbeeFlag, boolean>> = {};
  readonly #actions: ReadonlyMap<string, PressEvent>;
  #low: boolean | undefined;

  constructor(actions: ReadonlyMap<string, PressEvent> = new Map()) {
    this.#actions = new Map([...DEFAULT_ACTIONS, ...actions]);
  }

  /** Events this message makes, in a fixed order; `unknownAction` names a press nothing is mapped to. */
  apply(state: ZigbeeState, retained: boolean): { events: ZigbeeChange[]; unknownAction?: string } {
    const events: ZigbeeChange[] = [];
    for (const [flag, now] of Object.entries(state.flags) as [ZigbeeFlag, boolean][]) {
      const before = this.#known[flag];
      this.#known[flag] = now;
      const alarm = ALARMS[flag];
      if (alarm) {
        if (now && before !== true) events.push({ type: alarm });
      } else if (flag === 'contact') {
        if (before !== undefined && before !== now) events.push({ type: now ? 'door_closed' : 'door_open' });
      } else if (flag === 'occupancy') {
        if (before === false && now) events.push({ type: 'motion' });
      }
    }
    const low = this.#lowBattery(state);
    if (low !== undefined) {
      if (low && this.#low !== true)
        events.push({
          type: 'low_battery',
          ...(state.battery !== undefined ? { data: { battery: state.battery } } : {}),
        });
      this.#low = low;
    }
    if (state.action === undefined || retained) return { events };
    const press = this.#actions.get(state.action);
    if (!press) return { events, unknownAction: state.action };
    events.push(press.data ? { type: press.type, data: { ...press.data } } : { type: press.type });
    return { events };
  }

  #lowBattery(state: ZigbeeState): boolean | undefined {
    const flag = state.flags.battery_low;
    const byLevel = state.battery === undefined ? undefined : state.battery <= ZIGBEE_LOW_BATTERY_PCT;
    if (flag === undefined) return byLevel;
    return flag || byLevel === true;
  }
}
