import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { type EventType, type Feedback, timestamp, topics } from '../protocol/index.ts';
import type { EdgeConfig } from './config.ts';
import type { GattSource } from './devices/ble-vitals.ts';
import {
  type Clock,
  type DeviceDriver,
  type EdgeSink,
  systemClock,
  type VitalsReading,
} from './devices/device.ts';
import { createDriver } from './devices/registry.ts';
import { Outbox } from './outbox.ts';
import { openBlueZ } from './transports/ble-bluez.ts';
import { BridgeLinks } from './transports/zigbee2mqtt.ts';
import { Uplink } from './uplink.ts';

/** Events that start the SMS fallback clock when the broker does not acknowledge them in time. */
export const CRITICAL_EVENTS: ReadonlySet<EventType> = new Set(['sos', 'fall', 'smoke', 'gas']);

export interface CriticalEvent {
  id: string;
  type: EventType;
  ts: string;
  deviceId: string;
  elderName: string;
  address?: string;
}

/** The SMS fallback as the agent sees it (edge/sms provides it). */
export interface SmsWatcher {
  watch(event: CriticalEvent, afterMs: number): void;
  acknowledged(eventId: string): void;
  stop(): Promise<void>;
}

export interface AgentDeps {
  logger: Logger;
  clock?: Clock;
  /** Overrides BlueZ (tests); by default BlueZ is opened when a BLE device is configured. */
  gattSource?: GattSource | null;
  /** Builds the SMS fallback once the outbox exists (it remembers what was texted). */
  sms?: ((outbox: Outbox) => SmsWatcher) | null;
}

const newId = (): string => randomBytes(12).toString('base64url');

/**
 * The gateway agent: device drivers → sink → outbox on disk → uplink. Every event is on disk before it
 * is published and leaves only on its PUBACK; critical events not acknowledged in time go out by SMS.
 */
export class Agent implements EdgeSink {
  readonly outbox: Outbox;
  readonly uplink: Uplink;
  readonly #config: EdgeConfig;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #deps: AgentDeps;
  readonly #drivers: DeviceDriver[] = [];
  readonly #elderOf = new Map<string, string | undefined>();
  readonly #sms: SmsWatcher | null;

  constructor(config: EdgeConfig, deps: AgentDeps) {
    this.#config = config;
    this.#deps = deps;
    this.#clock = deps.clock ?? systemClock;
    this.#log = deps.logger.child({ gatewayId: config.gatewayId });
    mkdirSync(config.dataDir, { recursive: true });
    this.outbox = new Outbox(join(config.dataDir, 'outbox.db'), config.outboxLimit);
    this.uplink = new Uplink({
      ...config,
      outbox: this.outbox,
      logger: deps.logger,
      reconnectPeriodMs: config.reconnectPeriodMs,
    });
    for (const d of config.devices) this.#elderOf.set(d.id, d.elderId);
    this.#sms = deps.sms ? deps.sms(this.outbox) : null;
  }

  async start(): Promise<void> {
    const needsBle = this.#config.devices.some((d) => d.kind === 'ble-vitals');
    const gattSource =
      this.#deps.gattSource !== undefined
        ? this.#deps.gattSource
        : needsBle
          ? await openBlueZ(this.#log)
          : null;
    const driverDeps = {
      sink: this,
      logger: this.#log,
      clock: this.#clock,
      vitalsEveryMs: (this.#config.vitalsEveryS ?? 10) * 1000,
      gattSource,
      bridges: new BridgeLinks({
        logger: this.#log,
        reconnectPeriodMs: this.#config.reconnectPeriodMs ?? 1000,
        gatewayId: this.#config.gatewayId,
      }),
    };
    for (const device of this.#config.devices) {
      const driver = createDriver(device, driverDeps);
      if (driver) this.#drivers.push(driver);
    }
    this.uplink.on('delivered', (entry) => {
      if (entry.kind === 'event' && entry.eventId) this.#sms?.acknowledged(entry.eventId);
    });
    this.uplink.on('feedback', (f) => this.#feedback(f));
    this.#rewatchPending();
    for (const driver of this.#drivers) driver.start();
    this.uplink.start();
    this.#log.info({ devices: this.#drivers.length, pending: this.outbox.size() }, 'agent started');
  }

  async stop(): Promise<void> {
    await Promise.all(this.#drivers.map((d) => d.stop().catch(() => {})));
    await this.#sms?.stop();
    await this.uplink.stop();
    this.outbox.close();
  }

  event(deviceId: string, type: EventType, data?: Record<string, unknown>): void {
    const id = newId();
    const ts = timestamp(this.#clock.now());
    const payload = JSON.stringify({ id, ts, type, ...(data ? { data } : {}) });
    const topic = topics.deviceEvent(this.#config.gatewayId, deviceId);
    this.outbox.enqueue(
      { topic, payload, qos: 1, retain: false, kind: 'event', eventId: id },
      this.#clock.now(),
    );
    this.#log.info({ deviceId, eventId: id, type }, 'event queued');
    if (CRITICAL_EVENTS.has(type))
      this.#watch({ id, type, ts, deviceId, ...this.#who(deviceId) }, this.#smsAfterMs());
    this.uplink.kick();
  }

  vitals(deviceId: string, reading: VitalsReading): void {
    const payload = JSON.stringify({ id: newId(), ts: timestamp(this.#clock.now()), ...reading });
    const topic = topics.deviceVitals(this.#config.gatewayId, deviceId);
    this.#enqueueShedding({ topic, payload, qos: 1, retain: false, kind: 'vitals', eventId: null });
  }

  state(deviceId: string, online: boolean, extra: { battery?: number; rssi?: number } = {}): void {
    const payload = JSON.stringify({ ts: timestamp(this.#clock.now()), online, ...extra });
    this.#log.info({ deviceId, online }, 'device state');
    this.#enqueueShedding({
      topic: topics.deviceState(this.#config.gatewayId, deviceId),
      payload,
      qos: 1,
      retain: true,
      kind: 'state',
      eventId: null,
    });
  }

  #enqueueShedding(entry: Parameters<Outbox['enqueue']>[0]): void {
    const { shed } = this.outbox.enqueue(entry, this.#clock.now());
    if (shed > 0) this.#log.warn({ shed }, 'outbox full: oldest vitals/states shed');
    this.uplink.kick();
  }

  #who(deviceId: string): { elderName: string; address?: string } {
    const elderId = this.#elderOf.get(deviceId);
    const elder = elderId ? this.#config.elders?.[elderId] : Object.values(this.#config.elders ?? {})[0];
    return {
      elderName: elder?.name ?? elderId ?? this.#config.gatewayId,
      ...(elder?.address ? { address: elder.address } : {}),
    };
  }

  #smsAfterMs(): number {
    return (this.#config.smsFallbackAfterS ?? 60) * 1000;
  }

  #watch(event: CriticalEvent, afterMs: number): void {
    if (this.#sms && !this.outbox.smsAlreadySent(event.id)) this.#sms.watch(event, afterMs);
  }

  /** After a restart, critical events still waiting for their PUBACK keep their SMS deadline. */
  #rewatchPending(): void {
    for (const entry of this.outbox.pendingEvents()) {
      const event = JSON.parse(entry.payload) as { id: string; ts: string; type: EventType };
      if (!CRITICAL_EVENTS.has(event.type)) continue;
      const deviceId = entry.topic.split('/')[4] ?? '';
      const remaining = Math.max(0, entry.createdAt + this.#smsAfterMs() - this.#clock.now());
      this.#watch(
        { id: event.id, type: event.type, ts: event.ts, deviceId, ...this.#who(deviceId) },
        remaining,
      );
    }
  }

  #feedback(feedback: Feedback): void {
    this.#log.info({ alertId: feedback.alertId, state: feedback.state }, 'feedback from the centre');
    for (const driver of this.#drivers) driver.feedback?.(feedback);
    const command = this.#config.feedbackCommand;
    if (!command) return;
    const child = spawn(command, {
      shell: true,
      stdio: 'ignore',
      env: { ...process.env, ALERT_ID: feedback.alertId, ALERT_STATE: feedback.state, ALERT_TS: feedback.ts },
    });
    child.on('error', (err) => this.#log.warn({ err: err.message }, 'feedback command failed'));
  }
}
