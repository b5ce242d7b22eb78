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
import type { DeviceContext, Registry } from '../domain/registry.ts';
import type { StatusStore } from '../domain/status-store.ts';
import type { VitalsHistory } from '../domain/vitals-history.ts';
import type { CloudMetrics } from '../metrics.ts';
import type { VitalsSink } from '../vitals/influx-sink.ts';

const subjectOf = ({ gatewayId, deviceId, elderId, householdId, region }: DeviceContext) => ({
  gatewayId,
  deviceId,
  elderId,
  householdId,
  region,
});

export interface IngestDeps {
  registry: Registry;
  alerts: AlertService;
  status: StatusStore;
  vitals: VitalsHistory;
  /** Gets each new vitals reading after it is committed (the InfluxDB copy); never blocks ingest. */
  vitalsSink?: VitalsSink | null;
  metrics: CloudMetrics;
  logger: Logger;
  clock?: () => number;
}

/**
 * Turns gateway messages into stored facts: one dispatcher, one small handler per message kind.
 * The broker validated the payload already; the cloud validates again and trusts nothing.
 * When `handle` resolves, what it did is committed, and only then does the MQTT link acknowledge the
 * message; the link hands over one message at a time, in arrival order.
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

  /**
   * Stores what a message says. Answers the id of a device event once it is settled (committed, a
   * duplicate, or refused for good), which the link then acknowledges to the brokers' journal; else null.
   */
  async handle(topic: string, payload: Uint8Array): Promise<string | null> {
    const parsed = parseTopic(topic);
    if (parsed === null || parsed.kind === 'feedback') {
      this.#drop('topic', { topic });
      return null;
    }
    const decoded = decodePayload(parsed.kind, payload);
    if (!decoded.ok) {
      this.#drop(decoded.reason, { gatewayId: parsed.gatewayId, detail: decoded.detail });
      return null;
    }
    this.#d.metrics.ingested.inc({ kind: parsed.kind });
    const at = new Date(this.#now()).toISOString();
    switch (parsed.kind) {
      case 'device-event':
        await this.#event(parsed, decoded.value as EventEnvelope, at);
        return (decoded.value as EventEnvelope).id;
      case 'device-vitals':
        await this.#vitals(parsed, decoded.value as VitalsEnvelope, at);
        break;
      case 'device-state':
        await this.#deviceState(parsed, decoded.value as DeviceState, at);
        break;
      case 'gateway-state':
        await this.#gatewayState(parsed.gatewayId, decoded.value as GatewayState, at);
        break;
    }
    return null;
  }

  async #context(
    gatewayId: string,
    deviceId: string,
    what: Record<string, unknown>,
  ): Promise<DeviceContext | null> {
    const ctx = await this.#d.registry.deviceContext(gatewayId, deviceId);
    if (ctx === null) this.#drop('unknown_gateway', { gatewayId, ...what });
    return ctx;
  }

  async #event(
    topic: ParsedTopic & { deviceId: string },
    event: EventEnvelope,
    receivedAt: string,
  ): Promise<void> {
    const ctx = await this.#context(topic.gatewayId, topic.deviceId, { eventId: event.id });
    if (ctx === null) return;
    if (ctx.deviceKind === null)
      this.#log.warn({ gatewayId: ctx.gatewayId, deviceId: ctx.deviceId }, 'event from unregistered device');
    const outcome = await this.#d.alerts.ingestEvent(ctx, event, receivedAt);
    if (outcome.duplicate) {
      this.#d.metrics.duplicates.inc();
      this.#log.debug({ gatewayId: ctx.gatewayId, eventId: event.id }, 'duplicate event');
    }
  }

  async #vitals(
    topic: ParsedTopic & { deviceId: string },
    vitals: VitalsEnvelope,
    receivedAt: string,
  ): Promise<void> {
    const ctx = await this.#context(topic.gatewayId, topic.deviceId, {});
    if (ctx === null) return;
    if (!(await this.#d.vitals.record(ctx.gatewayId, ctx.deviceId, ctx.elderId || null, vitals))) return;
    this.#d.vitalsSink?.write(ctx, vitals);
    const { id, ts, ...readings } = vitals;
    await this.#d.alerts.ingest(
      { kind: 'vitals', subject: subjectOf(ctx), eventId: id, at: Date.parse(ts), readings },
      receivedAt,
    );
  }

  async #deviceState(
    topic: ParsedTopic & { deviceId: string },
    state: DeviceState,
    receivedAt: string,
  ): Promise<void> {
    const ctx = await this.#context(topic.gatewayId, topic.deviceId, {});
    if (ctx === null) return;
    await this.#d.status.deviceState(ctx.gatewayId, ctx.deviceId, state, receivedAt);
    const input = {
      kind: 'device-state' as const,
      subject: subjectOf(ctx),
      online: state.online,
      at: Date.parse(state.ts),
    };
    await this.#d.alerts.ingest(
      state.battery === undefined ? input : { ...input, battery: state.battery },
      receivedAt,
    );
  }

  async #gatewayState(gatewayId: string, state: GatewayState, receivedAt: string): Promise<void> {
    const ctx = await this.#context(gatewayId, '', {});
    if (ctx === null) return;
    await this.#d.status.gatewayState(gatewayId, state, receivedAt);
    const input = {
      kind: 'gateway-state' as const,
      subject: subjectOf(ctx),
      online: state.state === 'online',
      at: Date.parse(state.ts),
    };
    await this.#d.alerts.ingest(input, receivedAt);
  }

  #drop(reason: string, detail: Record<string, unknown>): void {
    this.#d.metrics.ingestDropped.inc({ reason });
    this.#log.warn({ ...detail, reason }, 'message dropped');
  }
}
