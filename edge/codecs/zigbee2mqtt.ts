/**
 * What a local zigbee2mqtt bridge publishes (DEVICE-PROTOCOLS §5.3): topic builders, and parsers for a
 * device's state message and its availability. Pure: no I/O, no timers; parsers never throw and answer
 * `{ ok, value | error }`. The simulated bridge (device-sims/zigbee/) builds its topics here too.
 */

export const ZIGBEE2MQTT_DEFAULT_BASE = 'zigbee2mqtt';

/** The largest state message read; zigbee2mqtt's are a few hundred bytes. */
export const ZIGBEE_MAX_PAYLOAD_BYTES = 64 * 1024;

export const zigbeeTopics = {
  device: (base: string, friendlyName: string) => `${base}/${friendlyName}`,
  availability: (base: string, friendlyName: string) => `${base}/${friendlyName}/availability`,
  bridgeState: (base: string) => `${base}/bridge/state`,
} as const;

/**
 * The boolean fields the edge understands; `true` means what zigbee2mqtt documents (contact: closed).
 * Alarms first: events of one message go out in this order, life safety before activity.
 */
export const ZIGBEE_FLAGS = [
  'smoke',
  'gas',
  'water_leak',
  'sos',
  'tamper',
  'battery_low',
  'contact',
  'occupancy',
] as const;
export type ZigbeeFlag = (typeof ZIGBEE_FLAGS)[number];

/** One state message, reduced to what the edge reads; fields the device did not send are absent. */
export interface ZigbeeState {
  flags: Partial<Record<ZigbeeFlag, boolean>>;
  /** A button's press (`emergency`, `single`, …): an event, never part of the cached state. */
  action?: string;
  /** 0-100 %. */
  battery?: number;
  /** 0-255, the link quality indicator. */
  linkquality?: number;
  /** Known fields of the wrong type (`"smoke":"yes"`), skipped; the rest of the message still counts. */
  skipped: string[];
}

export type ZigbeeParse<T> = { ok: true; value: T } | { ok: false; error: string };

export type Availability = 'online' | 'offline';

function text(payload: Uint8Array | string): ZigbeeParse<string> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > ZIGBEE_MAX_PAYLOAD_BYTES)
    return { ok: false, error: `payload of ${size} bytes exceeds ${ZIGBEE_MAX_PAYLOAD_BYTES}` };
  return { ok: true, value: typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8') };
}

function json(payload: Uint8Array | string): ZigbeeParse<unknown> {
  const t = text(payload);
  if (!t.ok) return t;
  try {
    return { ok: true, value: JSON.parse(t.value) as unknown };
  } catch {
    return { ok: false, error: `not JSON: ${JSON.stringify(t.value.slice(0, 40))}` };
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A device's state message: a JSON object with any fields. Known flags must be booleans (zigbee2mqtt
 * sends `null` for a value it has not read yet: absent); a known field of the wrong type is skipped and
 * named in `skipped`, never the whole message.
 */
export function parseZigbeeState(payload: Uint8Array | string): ZigbeeParse<ZigbeeState> {
  const parsed = json(payload);
  if (!parsed.ok) return parsed;
  const obj = parsed.value;
  if (!isRecord(obj)) return { ok: false, error: 'a state message must be a JSON object' };
  const state: ZigbeeState = { flags: {}, skipped: [] };
  for (const flag of ZIGBEE_FLAGS) {
    const v = obj[flag];
    if (typeof v === 'boolean') state.flags[flag] = v;
    else if (v !== undefined && v !== null) state.skipped.push(flag);
  }
  const { action, battery, linkquality } = obj;
  if (typeof action === 'string' && action.length > 0 && action.length <= 100) state.action = action;
  else if (action !== undefined && action !== null && action !== '') state.skipped.push('action');
  if (typeof battery === 'number' && battery >= 0 && battery <= 100) state.battery = Math.round(battery);
  else if (battery !== undefined && battery !== null) state.skipped.push('battery');
  if (typeof linkquality === 'number' && linkquality >= 0 && linkquality <= 255)
    state.linkquality = Math.round(linkquality);
  else if (linkquality !== undefined && linkquality !== null) state.skipped.push('linkquality');
  return { ok: true, value: state };
}

/** `{"state":"online"}` / `{"state":"offline"}`, or the bare strings older versions publish. */
export function parseAvailability(payload: Uint8Array | string): ZigbeeParse<Availability> {
  const t = text(payload);
  if (!t.ok) return t;
  const bare = t.value.trim();
  if (bare === 'online' || bare === 'offline') return { ok: true, value: bare };
  const parsed = json(bare);
  if (parsed.ok && isRecord(parsed.value)) {
    const s = parsed.value.state;
    if (s === 'online' || s === 'offline') return { ok: true, value: s };
  }
  return {
    ok: false,
    error: `availability must be online/offline or {"state":"online"|"offline"}, got ${JSON.stringify(bare.slice(0, 40))}`,
  };
}
