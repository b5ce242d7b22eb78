import { createHash } from 'node:crypto';
import type { SimDevice, SimGateway } from '../mqtt-home.ts';
import type { Step } from './schema.ts';

/** A number in [0, 1) fixed by the seed and a key: the same on every run, process and worker. */
export function unit(seed: number, key: string): number {
  return createHash('sha256').update(`${seed}|${key}`).digest().readUInt32BE(0) / 4294967296;
}

/** An event or vitals id (20 id characters) fixed by the seed and a key, so two runs can be compared. */
export function derivedId(seed: number, key: string): string {
  return createHash('sha256').update(`${seed}#${key}`).digest('base64url').slice(0, 20);
}

/** Indexes (into the scenario's homes) of the homes a step happens to. */
export function stepHomes(step: Step, homes: readonly SimGateway[], where: string): number[] {
  if (step.all) return homes.map((_, i) => i);
  if (step.home !== undefined) {
    if (step.home > homes.length)
      throw new Error(`${where}: home ${step.home}, but there are ${homes.length}`);
    return [step.home - 1];
  }
  if (step.gateway !== undefined) {
    const i = homes.findIndex((g) => g.id === step.gateway);
    if (i < 0) throw new Error(`${where}: gateway ${step.gateway} is not one of the scenario's homes`);
    return [i];
  }
  const i = homes.findIndex((g) => g.devices.some((d) => d.elderId === step.elder));
  if (i < 0) throw new Error(`${where}: no home of the scenario has a device of elder ${step.elder}`);
  return [i];
}

const FALL = ['mr60fda1', 'mr60fda2'];
const BUTTON = ['rf433-bridge', 'zigbee'];
const VITALS = ['ble-vitals', 'mr60bha1', 'mr60bha2'];
const WEARABLE = ['ble-vitals'];

/** The device kinds that would report a step, best first. */
function kindsFor(step: Step): string[] {
  switch (step.do) {
    case 'sos':
    case 'sos_cancel':
    case 'checkin':
    case 'service_request':
      return BUTTON;
    case 'fall':
    case 'fall_cleared':
    case 'presence':
    case 'absence':
    case 'motion':
      return FALL;
    case 'vitals':
      return 'spo2' in step.from ? WEARABLE : VITALS;
    case 'wearable_fall':
    case 'wearable_decoy':
    case 'wearable_off':
    case 'wearable_on':
      return WEARABLE;
    case 'battery_drain':
    case 'low_battery':
      return [...WEARABLE, ...BUTTON];
    case 'door_open':
    case 'door_closed':
    case 'smoke':
    case 'gas':
    case 'water_leak':
    case 'tamper':
      return ['zigbee', ...BUTTON];
    default:
      return [];
  }
}

/**
 * The device a step speaks through in one home: the one the step names, else the elder's (or the
 * home's) first device of a fitting kind. Undefined for steps about the whole gateway (power, network).
 */
export function stepDevice(step: Step, home: SimGateway, where: string): SimDevice | undefined {
  if (step.do === 'power_cut' || step.do === 'power_restore' || step.do === 'network_flap') return undefined;
  if (step.device !== undefined) {
    const named = home.devices.find((d) => d.id === step.device);
    if (!named) throw new Error(`${where}: ${home.id} has no device ${step.device}`);
    return named;
  }
  const own = step.elder ? home.devices.filter((d) => d.elderId === step.elder) : home.devices;
  const kinds = kindsFor(step);
  for (const kind of kinds) {
    const found = own.find((d) => d.kind === kind) ?? home.devices.find((d) => d.kind === kind && !d.elderId);
    if (found) return found;
  }
  if (kinds.length === 0 && own[0]) return own[0];
  throw new Error(`${where}: ${home.id} has no ${kinds.join(' or ')} device for "${step.do}"`);
}

/** The device that reports a home's background vitals, if it has one. */
export function vitalsDevice(home: SimGateway): SimDevice | undefined {
  for (const kind of VITALS) {
    const found = home.devices.find((d) => d.kind === kind);
    if (found) return found;
  }
  return undefined;
}
