import Type from 'typebox';
import { Compile } from 'typebox/compile';
import { EVENT_ID_PATTERN, ID_PATTERN, isTimestamp, TIMESTAMP_PATTERN } from './ids.ts';
import type { TopicKind } from './topics.ts';

/** A payload larger than this is dropped and counted (CONTRACT §3). */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

export const EVENT_TYPES = [
  'sos',
  'sos_cancel',
  'fall',
  'fall_cleared',
  'presence',
  'absence',
  'motion',
  'door_open',
  'door_closed',
  'wearable_off',
  'wearable_on',
  'low_battery',
  'tamper',
  'checkin',
  'smoke',
  'gas',
  'water_leak',
  'service_request',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const SERVICE_KINDS = ['meal', 'visit', 'chat', 'other'] as const;

const Ts = Type.String({ pattern: TIMESTAMP_PATTERN });
const EventId = Type.String({ pattern: EVENT_ID_PATTERN });

export const GatewayStatePayload = Type.Object({
  state: Type.Union([Type.Literal('online'), Type.Literal('offline')]),
  ts: Ts,
});

export const EventPayload = Type.Object({
  id: EventId,
  ts: Ts,
  type: Type.Enum(EVENT_TYPES),
  data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

export const VitalsPayload = Type.Object({
  id: EventId,
  ts: Ts,
  hr: Type.Optional(Type.Number({ minimum: 0, maximum: 300 })),
  spo2: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  rr: Type.Optional(Type.Number({ minimum: 0, maximum: 120 })),
  temp: Type.Optional(Type.Number({ minimum: 20, maximum: 45 })),
  sys: Type.Optional(Type.Number({ minimum: 0, maximum: 300 })),
  dia: Type.Optional(Type.Number({ minimum: 0, maximum: 300 })),
});

export const DeviceStatePayload = Type.Object({
  ts: Ts,
  online: Type.Boolean(),
  battery: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  rssi: Type.Optional(Type.Integer()),
});

export const FeedbackPayload = Type.Object({
  alertId: Type.String({ pattern: ID_PATTERN }),
  state: Type.Union([Type.Literal('open'), Type.Literal('acknowledged'), Type.Literal('resolved')]),
  ts: Ts,
});

export type GatewayState = Type.Static<typeof GatewayStatePayload>;
export type EventEnvelope = Type.Static<typeof EventPayload> & { type: EventType };
export type VitalsEnvelope = Type.Static<typeof VitalsPayload>;
export type DeviceState = Type.Static<typeof DeviceStatePayload>;
export type Feedback = Type.Static<typeof FeedbackPayload>;

/** The payload type carried by each kind of contract topic. */
export interface PayloadByTopic {
  'gateway-state': GatewayState;
  'device-event': EventEnvelope;
  'device-vitals': VitalsEnvelope;
  'device-state': DeviceState;
  feedback: Feedback;
}

const validators = {
  'gateway-state': Compile(GatewayStatePayload),
  'device-event': Compile(EventPayload),
  'device-vitals': Compile(VitalsPayload),
  'device-state': Compile(DeviceStatePayload),
  feedback: Compile(FeedbackPayload),
};

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; reason: DropReason; detail: string };
/** Why a payload was dropped; used as the `reason` label of the drop counter. */
export type DropReason = 'too_large' | 'not_json' | 'schema';

/**
 * Decodes and validates the payload of a contract topic. Never throws: bad input gives a reason and a
 * one-line detail naming the failing field.
 */
export function decodePayload<K extends TopicKind>(
  kind: K,
  payload: Uint8Array | string,
): DecodeResult<PayloadByTopic[K]> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > MAX_PAYLOAD_BYTES)
    return { ok: false, reason: 'too_large', detail: `${size} bytes > ${MAX_PAYLOAD_BYTES}` };
  let value: unknown;
  try {
    value = JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'));
  } catch (err) {
    // V8's message quotes part of the input, which may be anything: only the position is kept (it is logged).
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    return { ok: false, reason: 'not_json', detail: at ? `not JSON at position ${at}` : 'not JSON' };
  }
  const validator = validators[kind];
  if (!validator.Check(value)) {
    const first = validator.Errors(value)[0];
    const where = first ? `${first.instancePath || '/'} ${first.message}` : 'invalid';
    return { ok: false, reason: 'schema', detail: where };
  }
  const ts = (value as { ts: string }).ts;
  if (!isTimestamp(ts)) return { ok: false, reason: 'schema', detail: `/ts is not a real instant: ${ts}` };
  return { ok: true, value: value as PayloadByTopic[K] };
}
