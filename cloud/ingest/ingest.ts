import type { Logger } from 'pino';
import {
  type DeviceState,
  decodePayload,
  type EventEnvelope,
  type GatewayState,
  type ParsedTopic,
  parseTopic,
  type VitalsEnvelope,
} from '../../protocol/index.ts';
import type { AlertService } from '../domain/alert-service.ts';
import type { Registry } from '../domain/registry.ts';
import type { StatusStore } from '../domain/status-store.ts';
import type { CloudMetrics } from '../metrics.ts';

export interface IngestDeps {
  registry: Registry;
  alerts: AlertService;
  status: StatusStore;
  metrics: CloudMetrics;
  logger: Logger;
  clock?: () => number;
}

/**
 * Turns gateway messages into stored facts: one dispatcher, one small handler per message kind.
 * The broker validated the payload already; the cloud validates again and trusts nothing.
 * Synchronous on purpose: when `handle` returns, what it did is committed, and only then does the
 * MQTT link acknowledge the message.
 */
export class Ingest {
  readonly #d: IngestDeps;
  readonly #log: Logger;
  readonly #now: () => number;

  constructor(deps: IngestDeps) {
    this.#d = deps;
    this.#log = deps.logger.child({ component: 'ingest' });
    this.#now = deps.clock ?? Date.now;
  }

  handle(topic: string, payload: Uint8Array): void {
    const parsed = parseTopic(topic);
    if (parsed === null || parsed.kind === 'feedback') {
      this.#drop('topic', { topic });
      return;
    }
    const decoded = decodePayload(parsed.kind, payload);
    if (!decoded.ok) {
      this.#drop(decoded.reason, { gatewayId: parsed.gatewayId, detail: decoded.detail });
      return;
    }
    this.#d.metrics.ingested.inc({ kind: parsed.kind });
    const at = new Date(this.#now()).toISOString();
    const { status } = this.#d;
    switch (parsed.kind) {
      case 'device-event':
        this.#event(parsed, decoded.value as EventEnvelope, at);
        break;
      case 'device-vitals':
        this.#vitals(parsed, decoded.value as VitalsEnvelope);
        break;
      case 'device-state':
        status.deviceState(parsed.gatewayId, parsed.deviceId, decoded.value as DeviceState, at);
        break;
      case 'gateway-state':
        status.gatewayState(parsed.gatewayId, decoded.value as GatewayState, at);
        break;
    }
  }

  #event(topic: ParsedTopic & { deviceId: string }, event: EventEnvelope, receivedAt: string): void {
    const ctx = this.#d.registry.deviceContext(topic.gatewayId, topic.deviceId);
    if (ctx === null) {
      this.#drop('unknown_gateway', { gatewayId: topic.gatewayId, eventId: event.id });
      return;
    }
    if (ctx.deviceKind === null)
      this.#log.warn({ gatewayId: ctx.gatewayId, deviceId: ctx.deviceId }, 'event from unregistered device');
    const outcome = this.#d.alerts.ingestEvent(ctx, event, receivedAt);
    if (outcome.duplicate) {
      this.#d.metrics.duplicates.inc();
      this.#log.debug({ gatewayId: ctx.gatewayId, eventId: event.id }, 'duplicate event');
      return;
    }
    for (const alert of outcome.raised) {
      this.#d.metrics.alertsRaised.inc({ type: alert.type, severity: alert.severity });
      this.#d.metrics.ingestToRaised.observe(
        Math.max(0, Date.parse(alert.raisedAt) - Date.parse(alert.occurredAt)) / 1000,
      );
      this.#log.info(
        { alertId: alert.id, eventId: event.id, gatewayId: ctx.gatewayId, type: alert.type },
        'alert raised',
      );
    }
  }

  #vitals(topic: ParsedTopic & { deviceId: string }, vitals: VitalsEnvelope): void {
    const ctx = this.#d.registry.deviceContext(topic.gatewayId, topic.deviceId);
    if (ctx === null) {
      this.#drop('unknown_gateway', { gatewayId: topic.gatewayId });
      return;
    }
    this.#d.status.vitals(ctx.gatewayId, ctx.deviceId, ctx.elderId || null, vitals);
  }

  #drop(reason: string, detail: Record<string, unknown>): void {
    this.#d.metrics.ingestDropped.inc({ reason });
    this.#log.warn({ ...detail, reason }, 'message dropped');
  }
}
