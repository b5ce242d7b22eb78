import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import Type from 'typebox';
import { Compile } from 'typebox/compile';
import { DEVICE_KINDS, ID_PATTERN, SERVICE_KINDS } from '../protocol/index.ts';

const Id = Type.String({ pattern: ID_PATTERN });

/** What a 433 MHz code means: an event type, or a service request with its service (`service_request:meal`). */
const CODE_ACTIONS = [
  'sos',
  'sos_cancel',
  'checkin',
  'service_request:meal',
  'service_request:visit',
  'service_request:chat',
  'service_request:other',
] as const;
/** The same, as an object: `{"type":"service_request","service":"meal"}` or `{"type":"sos"}`. */
const CodeAction = Type.Union([
  Type.Enum(CODE_ACTIONS),
  Type.Object(
    { type: Type.Enum(['sos', 'sos_cancel', 'checkin'] as const) },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('service_request'), service: Type.Enum(SERVICE_KINDS) },
    { additionalProperties: false },
  ),
]);
export type CodeAction = Type.Static<typeof CodeAction>;

const SerialTransport = Type.Object({
  type: Type.Literal('serial'),
  path: Type.String({ minLength: 1 }),
  baudRate: Type.Integer({ minimum: 300, maximum: 4_000_000 }),
});
const BleTransport = Type.Object({
  type: Type.Literal('ble'),
  address: Type.String({ pattern: '^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$' }),
});
const ZigbeeTransport = Type.Object({
  type: Type.Literal('zigbee2mqtt'),
  url: Type.String({ pattern: '^mqtts?://' }),
  baseTopic: Type.Optional(Type.String({ minLength: 1 })),
  friendlyName: Type.String({ minLength: 1 }),
});

const Device = Type.Object({
  id: Id,
  kind: Type.Enum(DEVICE_KINDS),
  elderId: Type.Optional(Id),
  transport: Type.Union([SerialTransport, BleTransport, ZigbeeTransport]),
  codes: Type.Optional(Type.Record(Type.String({ pattern: '^[0-9A-Fa-f]{6}$' }), CodeAction)),
  /** Seconds of silence after which the device is reported offline (default 180; radars send a keep-alive a minute). */
  silentAfterS: Type.Optional(Type.Integer({ minimum: 10, maximum: 86_400 })),
  /** A 433 MHz code the bridge transmits when an alert of this home is acknowledged (a sounder or lamp by the bed). */
  feedbackCode: Type.Optional(Type.String({ pattern: '^[0-9A-Fa-f]{6}$' })),
  /** zigbee: the room the sensor is in; events carry it as `data.room` (the alert names it). */
  room: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  /** zigbee: what a button's `action` means, besides `emergency`/`sos` → sos (e.g. `"single": "service_request:meal"`). */
  actions: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 100 }), CodeAction)),
  /** zigbee: seconds the bridge's broker (or the bridge) may be gone before the device is reported offline (default 15). */
  bridgeGraceS: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
});

export const EdgeConfigSchema = Type.Object({
  gatewayId: Id,
  secret: Type.String({ minLength: 8 }),
  broker: Type.String({ pattern: '^(mqtt|mqtts|ws|wss)://' }),
  /** Further brokers of a cluster, tried in turn after `broker` when the one in use cannot be reached. */
  brokers: Type.Optional(
    Type.Array(Type.String({ pattern: '^(mqtt|mqtts)://[^/?#]+$' }), { minItems: 1, maxItems: 10 }),
  ),
  dataDir: Type.String({ minLength: 1 }),
  devices: Type.Array(Device, { maxItems: 64 }),
  // Extensions of CONTRACT §5, all optional:
  /** Elders of this home, so an SMS can name them without the cloud. */
  elders: Type.Optional(
    Type.Record(Id, Type.Object({ name: Type.String(), address: Type.Optional(Type.String()) })),
  ),
  /** Seconds a critical event may wait for the broker's PUBACK before the SMS fallback fires (default 60). */
  smsFallbackAfterS: Type.Optional(Type.Integer({ minimum: 5, maximum: 86_400 })),
  sms: Type.Optional(
    Type.Object({
      port: Type.String({ minLength: 1 }),
      baudRate: Type.Optional(Type.Integer({ minimum: 300, maximum: 4_000_000 })),
      numbers: Type.Array(Type.String({ pattern: '^\\+?[0-9]{6,15}$' }), { minItems: 1, maxItems: 10 }),
    }),
  ),
  /** A program run on every cmd/feedback, with ALERT_ID, ALERT_STATE and ALERT_TS in its environment. */
  feedbackCommand: Type.Optional(Type.String({ minLength: 1 })),
  /** Pending vitals and states kept on disk while offline; events are never dropped (default 10000). */
  outboxLimit: Type.Optional(Type.Integer({ minimum: 100, maximum: 10_000_000 })),
  /** Seconds between vitals messages of one device; readings in between are folded (default 10). */
  vitalsEveryS: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
  reconnectPeriodMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 600_000 })),
  /** Seconds between the gateway's `online` heartbeats (default 300); the cloud flags 30 min of silence. */
  heartbeatS: Type.Optional(Type.Integer({ minimum: 10, maximum: 3600 })),
});
export type EdgeConfig = Type.Static<typeof EdgeConfigSchema>;
export type DeviceConfig = EdgeConfig['devices'][number];

const check = Compile(EdgeConfigSchema);

/** A bad edge configuration; the message names the file and the failing field. */
export class EdgeConfigError extends Error {}

/** Validates a parsed config; `dataDir` is resolved against `baseDir` (the config file's folder). */
export function parseEdgeConfig(value: unknown, baseDir: string, source = 'config'): EdgeConfig {
  if (!check.Check(value)) {
    const first = check.Errors(value)[0];
    throw new EdgeConfigError(`${source}: ${first?.instancePath || '/'} ${first?.message ?? 'is invalid'}`);
  }
  const ids = new Set<string>();
  for (const [i, d] of value.devices.entries()) {
    if (ids.has(d.id)) throw new EdgeConfigError(`${source}: /devices/${i}/id ${d.id} is used twice`);
    ids.add(d.id);
    if (d.kind === 'rf433-bridge' && !d.codes)
      throw new EdgeConfigError(`${source}: /devices/${i}/codes is required for rf433-bridge`);
    if ((d.kind === 'zigbee') !== (d.transport.type === 'zigbee2mqtt'))
      throw new EdgeConfigError(
        `${source}: /devices/${i}/transport ${d.kind === 'zigbee' ? 'must be zigbee2mqtt for a zigbee device' : 'zigbee2mqtt is only for zigbee devices'}`,
      );
  }
  if (
    value.sms &&
    value.devices.some((d) => d.transport.type === 'serial' && d.transport.path === value.sms?.port)
  ) {
    throw new EdgeConfigError(`${source}: /sms/port is also a device's serial port`);
  }
  return { ...value, dataDir: isAbsolute(value.dataDir) ? value.dataDir : resolve(baseDir, value.dataDir) };
}

export function loadEdgeConfig(path: string): EdgeConfig {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (err) {
    throw new EdgeConfigError(`${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw new EdgeConfigError(`${path}: is not JSON (${(err as Error).message})`);
  }
  return parseEdgeConfig(value, resolve(path, '..'), path);
}
