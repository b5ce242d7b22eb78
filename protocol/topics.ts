import { EVENT_ID_PATTERN, isId } from './ids.ts';

const eventIdRe = new RegExp(EVENT_ID_PATTERN);

/** Every MQTT topic of the contract lives under this root (CONTRACT §3). */
export const TOPIC_ROOT = 'eldercare/v1';

export type TopicKind = 'gateway-state' | 'device-event' | 'device-vitals' | 'device-state' | 'feedback';

export type ParsedTopic =
  | { kind: 'gateway-state'; gatewayId: string }
  | { kind: 'device-event' | 'device-vitals' | 'device-state'; gatewayId: string; deviceId: string }
  | { kind: 'feedback'; gatewayId: string };

export const topics = {
  gatewayState: (gw: string) => `${TOPIC_ROOT}/${gw}/state`,
  deviceEvent: (gw: string, dev: string) => `${TOPIC_ROOT}/${gw}/devices/${dev}/event`,
  deviceVitals: (gw: string, dev: string) => `${TOPIC_ROOT}/${gw}/devices/${dev}/vitals`,
  deviceState: (gw: string, dev: string) => `${TOPIC_ROOT}/${gw}/devices/${dev}/state`,
  feedback: (gw: string) => `${TOPIC_ROOT}/${gw}/cmd/feedback`,
  /** What a gateway may subscribe to: its own command tree. */
  gatewayCommands: (gw: string) => `${TOPIC_ROOT}/${gw}/cmd/#`,
  /** What the cloud subscribes to: everything gateways publish. */
  cloudIngest: [
    `${TOPIC_ROOT}/+/state`,
    `${TOPIC_ROOT}/+/devices/+/event`,
    `${TOPIC_ROOT}/+/devices/+/vitals`,
    `${TOPIC_ROOT}/+/devices/+/state`,
  ],
} as const;

/**
 * Where the cloud acknowledges the events it has committed, so the brokers' journal lets go of them:
 * `{"acks":[[gatewayId, eventId], …]}`. Only the cloud may publish it; nothing subscribes. An explicit
 * acknowledgement, not the MQTT PUBACK: with several cloud instances each receives every event and only
 * the one owning the gateway's partition commits it, so another's PUBACK says nothing about the event.
 */
export const JOURNAL_ACK_TOPIC = '$eldercare/journal-ack';

export interface JournalAck {
  acks: [gatewayId: string, eventId: string][];
}

/** The acknowledgements of a journal-ack payload; null when it is not one (never throws). */
export function parseJournalAck(payload: Buffer | string): JournalAck['acks'] | null {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString());
  } catch {
    return null;
  }
  const acks = (value as { acks?: unknown } | null)?.acks;
  if (!Array.isArray(acks) || acks.length > 1000) return null;
  const ok = acks.every(
    (a) =>
      Array.isArray(a) &&
      a.length === 2 &&
      typeof a[0] === 'string' &&
      typeof a[1] === 'string' &&
      isId(a[0]) &&
      eventIdRe.test(a[1]),
  );
  return ok ? (acks as JournalAck['acks']) : null;
}

const deviceKinds: Record<string, 'device-event' | 'device-vitals' | 'device-state'> = {
  event: 'device-event',
  vitals: 'device-vitals',
  state: 'device-state',
};

/** Parses a concrete topic (no wildcards) of the contract; null for anything else. */
export function parseTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts[0] !== 'eldercare' || parts[1] !== 'v1') return null;
  const gatewayId = parts[2];
  if (gatewayId === undefined || !isId(gatewayId)) return null;
  if (parts.length === 4 && parts[3] === 'state') return { kind: 'gateway-state', gatewayId };
  if (parts.length === 5 && parts[3] === 'cmd' && parts[4] === 'feedback')
    return { kind: 'feedback', gatewayId };
  if (parts.length === 6 && parts[3] === 'devices') {
    const deviceId = parts[4];
    const kind = deviceKinds[parts[5] ?? ''];
    if (deviceId === undefined || !isId(deviceId) || kind === undefined) return null;
    return { kind, gatewayId, deviceId };
  }
  return null;
}

/** True when `topic` lies in gateway `gw`'s command tree (`eldercare/v1/{gw}/cmd/...`). */
export function isGatewayCommandTopic(topic: string, gw: string): boolean {
  return topic.startsWith(`${TOPIC_ROOT}/${gw}/cmd/`);
}

/** A gateway's last will: its state topic, retained `offline`, so the cloud learns when it drops. */
export function gatewayWill(gw: string, ts: string = new Date().toISOString()) {
  return {
    topic: topics.gatewayState(gw),
    payload: Buffer.from(JSON.stringify({ state: 'offline', ts })),
    qos: 1 as const,
    retain: true,
  };
}
