import { isGatewayCommandTopic, JOURNAL_ACK_TOPIC, parseTopic, TOPIC_ROOT } from '../protocol/index.ts';

/** Who is on the other end of an MQTT connection, decided once at CONNECT. */
export type Principal = { kind: 'gateway'; gatewayId: string } | { kind: 'service'; name: string };

/**
 * May `principal` publish to `topic`? The whole publish ACL of CONTRACT §3 in one pure function:
 * a gateway publishes only gateway→cloud topics under its own id, never into `cmd/`; a service (the
 * cloud) publishes only `cmd/` topics to gateways, and its journal acknowledgements.
 */
export function canPublish(principal: Principal, topic: string): boolean {
  if (topic === JOURNAL_ACK_TOPIC) return principal.kind === 'service';
  const parsed = parseTopic(topic);
  if (parsed === null) return false;
  if (principal.kind === 'service') return parsed.kind === 'feedback';
  return parsed.kind !== 'feedback' && parsed.gatewayId === principal.gatewayId;
}

/**
 * May `principal` subscribe to `filter`? A gateway only to filters inside its own `cmd/` tree, with no
 * wildcard above it (a gateway id never holds `+` or `#`); a service to anything under the contract's root.
 */
export function canSubscribe(principal: Principal, filter: string): boolean {
  if (principal.kind === 'service')
    return filter === `${TOPIC_ROOT}/#` || filter.startsWith(`${TOPIC_ROOT}/`);
  const prefix = `${TOPIC_ROOT}/${principal.gatewayId}/cmd`;
  return filter === prefix || isGatewayCommandTopic(filter, principal.gatewayId);
}
