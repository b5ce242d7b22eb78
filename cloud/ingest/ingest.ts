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
import { GroupCommit } from './group-commit.ts';

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

/** A device event waiting for its batch's transaction. */
interface QueuedEvent {
  gatewayId: string;
  deviceId: string;
  event: EventEnvelope;
  receivedAt: string;
}

/** A vitals reading waiting for its batch's transaction. */
interface QueuedReading {
  gatewayId: string;
  deviceId: string;
  vitals: VitalsEnvelope;
  receivedAt: string;
}

type Stored = [DeviceContext, VitalsEnvelope];

/**
 * Turns gateway messages into stored facts: one dispatcher, one small handler per message kind.
 * The broker validated the payload already; the cloud validates again and trusts nothing.
 * When `handle` resolves, what it did is committed, and only then does the MQTT link acknowledge an event
 * to the brokers' journal (a state: its PUBACK). Events are group-committed (the events that arrive while
 * one transaction commits are the next one, up to 500; no timer), states are each their own transaction,
 * all in arrival order. Vitals readings are stored in batches (group commit: raw rows, minute aggregates
 * and rule state of up to 500 readings in one transaction), and a batch does not start while an event or
 * state is in flight: the priority lane, so an SOS never waits behind a vitals backlog. Alerts a reading
 * raises are told after its batch commits.
 */
export class Ingest {
  readonly #d: IngestDeps;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #vitalsBatch: GroupCommit<QueuedReading>;
  readonly #eventBatch: GroupCommit<QueuedEvent>;
  /** Events and states being handled, and who waits for there to be none. */
  #urgent = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(deps: IngestDeps) {
    this.#d = deps;
    this.#log = deps.logger.child({ component: 'ingest' });
    this.#now = deps.clock ?? Date.now;
    // Readings: a 20 ms window; events: none (classic group commit). Both 500 a transaction, 10,000 queued.
    this.#vitalsBatch = new GroupCommit(
      (batch) => this.#storeVitals(batch),
      {},
      () => this.#urgentDone(),
    );
    this.#eventBatch = new GroupCommit((batch) => this.#storeEvents(batch), { windowMs: 0 });
  }

  /**
   * Resolves when the queues have room: the link takes no more messages from the broker till then.
   */
  async room(): Promise<void> {
    await this.#vitalsBatch.room();
    await this.#eventBatch.room();
  }

  /** Stores the events and readings still queued (at shutdown, after the link stopped). */
  async stop(): Promise<void> {
    await this.#eventBatch.stop();
    await this.#vitalsBatch.stop();
  }

  /**
   * Stores what a message says. Answers the id of a device event once it is settled (committed, a
   * duplicate, or refused for good), which the link then acknowledges to the brokers' journal; else null.
   * A vitals reading resolves when its batch commits; `flush`: without waiting for the batch's window.
   * Events are group-committed in arrival order (several may be in flight: the link need not wait); a
   * state message waits until the events before it are committed, so per gateway the order holds.
   */
  async handle(
    topic: string,
    payload: Uint8Array,
    options: { flush?: boolean } = {},
  ): Promise<string | null> {
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
    if (parsed.kind === 'device-vitals') {
      const reading = { gatewayId: parsed.gatewayId, deviceId: parsed.deviceId, receivedAt: at };
      await this.#vitalsBatch.add({ ...reading, vitals: decoded.value as VitalsEnvelope }, options.flush);
      return null;
    }
    this.#urgent++;
    try {
      if (parsed.kind === 'device-event') {
        const event = decoded.value as EventEnvelope;
        const { gatewayId, deviceId } = parsed;
        await this.#eventBatch.add({ gatewayId, deviceId, event, receivedAt: at });
        return event.id;
      }
      await this.#eventBatch.flush();
      switch (parsed.kind) {
        case 'device-state':
          await this.#deviceState(parsed, decoded.value as DeviceState, at);
          break;
        case 'gateway-state':
          await this.#gatewayState(parsed.gatewayId, decoded.value as GatewayState, at);
          break;
      }
      return null;
    } finally {
      if (--this.#urgent === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
    }
  }

  /** Resolves when no event or state is being handled. */
  #urgentDone(): Promise<void> {
    if (this.#urgent === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
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

  /**
   * One transaction for a batch of events (classic group commit: whatever arrived while the previous batch
   * committed), each looked up and run through the rules in arrival order. Their alerts are told after the
   * commit. A batch that fails is stored again event by event (GroupCommit), so one bad event is refused
   * alone and stays in the brokers' journal; the others are committed and acknowledged.
   */
  async #storeEvents(batch: QueuedEvent[]): Promise<void> {
    // Devices found by the attempt that committed (an attempt overwrites the last one's).
    const unregistered = new Set<QueuedEvent>();
    const outcomes = await this.#d.alerts.ingestEventsWith(batch, async (tx, item) => {
      const ctx = await this.#d.registry.in(tx).deviceContext(item.gatewayId, item.deviceId);
      if (ctx?.deviceKind === null) unregistered.add(item);
      else unregistered.delete(item);
      return ctx === null ? null : { ctx, event: item.event, receivedAt: item.receivedAt };
    });
    this.#d.metrics.eventBatch.observe(batch.length);
    outcomes.forEach((outcome, i) => {
      const { gatewayId, deviceId, event } = batch[i] as QueuedEvent;
      if (outcome === null) this.#drop('unknown_gateway', { gatewayId, eventId: event.id });
      else if (outcome.duplicate) {
        this.#d.metrics.duplicates.inc();
        this.#log.debug({ gatewayId, eventId: event.id }, 'duplicate event');
      } else if (unregistered.has(batch[i] as QueuedEvent))
        this.#log.warn({ gatewayId, deviceId }, 'event from unregistered device');
    });
  }

  /**
   * One transaction for a batch of readings: each reading's raw row and minute aggregates, and the rules
   * it wakes. A resend (an id already stored) changes nothing. The InfluxDB copy gets the new readings
   * after the commit.
   */
  async #storeVitals(batch: QueuedReading[]): Promise<void> {
    const { stored, unknown } = await this.#d.alerts.batch(async (tx, ingest) => {
      const registry = this.#d.registry.in(tx);
      const history = this.#d.vitals.in(tx);
      const attempt = { stored: [] as Stored[], unknown: [] as string[] };
      for (const { gatewayId, deviceId, vitals, receivedAt } of batch) {
        const ctx = await registry.deviceContext(gatewayId, deviceId);
        if (ctx === null) {
          attempt.unknown.push(gatewayId);
          continue;
        }
        if (!(await history.record(ctx.gatewayId, ctx.deviceId, ctx.elderId || null, vitals))) continue;
        attempt.stored.push([ctx, vitals]);
        const { id, ts, ...readings } = vitals;
        await ingest(
          { kind: 'vitals', subject: subjectOf(ctx), eventId: id, at: Date.parse(ts), readings },
          receivedAt,
        );
      }
      return attempt;
    });
    this.#d.metrics.vitalsBatch.observe(batch.length);
    for (const gatewayId of unknown) this.#drop('unknown_gateway', { gatewayId });
    for (const [ctx, vitals] of stored) this.#d.vitalsSink?.write(ctx, vitals);
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
