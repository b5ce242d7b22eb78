import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import {
  type EventType,
  type Feedback,
  gatewayWill,
  timestamp,
  topics,
  type VitalsEnvelope,
} from '../protocol/index.ts';

export interface SimDevice {
  id: string;
  kind: string;
  elderId?: string;
}
export interface SimGateway {
  id: string;
  secret: string;
  devices: SimDevice[];
}

/** A fresh event id: 16 id characters, unique enough for a simulator. */
export function newEventId(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * One simulated home speaking MQTT directly, as its gateway would: birth `online`, will `offline`,
 * device states, vitals, and events on demand. Used by the fleet simulator and by tests.
 */
export class SimulatedHome {
  readonly gateway: SimGateway;
  readonly feedback: Feedback[] = [];
  #client: MqttClient | null = null;
  readonly #battery = new Map<string, number>();

  constructor(gateway: SimGateway) {
    this.gateway = gateway;
  }

  /** Connected and not closed (it may be between reconnects). */
  get isConnected(): boolean {
    return this.#client !== null;
  }

  get client(): MqttClient {
    if (!this.#client) throw new Error(`${this.gateway.id} is not connected`);
    return this.#client;
  }

  async connect(brokerUrl: string): Promise<void> {
    const gw = this.gateway.id;
    const client = await mqtt.connectAsync(brokerUrl, {
      username: gw,
      password: this.gateway.secret,
      clientId: `sim-${gw}`,
      clean: true,
      reconnectPeriod: 1000,
      protocolVersion: 4,
      will: gatewayWill(gw),
    });
    this.#client = client;
    client.on('message', (_topic, payload) => {
      try {
        this.feedback.push(JSON.parse(payload.toString()) as Feedback);
      } catch {
        // feedback that is not JSON is the cloud's bug; a gateway ignores it
      }
    });
    await client.subscribeAsync(topics.gatewayCommands(gw), { qos: 1 });
    await client.publishAsync(topics.gatewayState(gw), JSON.stringify({ state: 'online', ts: timestamp() }), {
      qos: 1,
      retain: true,
    });
    await this.heartbeat();
  }

  /** Every device reports itself online (retained device state), as gateways do periodically. */
  async heartbeat(): Promise<void> {
    for (const device of this.gateway.devices) {
      const battery = this.#battery.get(device.id) ?? 60 + Math.floor(Math.random() * 40);
      this.#battery.set(device.id, battery);
      const state = { ts: timestamp(), online: true, battery };
      await this.client.publishAsync(topics.deviceState(this.gateway.id, device.id), JSON.stringify(state), {
        qos: 1,
        retain: true,
      });
    }
  }

  /** Publishes one event (QoS 1) and resolves on its PUBACK; returns the event id. */
  async event(
    type: EventType,
    options: { deviceId?: string; id?: string; ts?: string; data?: Record<string, unknown> } = {},
  ): Promise<string> {
    const device = options.deviceId ?? this.#deviceFor(type);
    const id = options.id ?? newEventId();
    const payload = {
      id,
      ts: options.ts ?? timestamp(),
      type,
      ...(options.data ? { data: options.data } : {}),
    };
    await this.client.publishAsync(topics.deviceEvent(this.gateway.id, device), JSON.stringify(payload), {
      qos: 1,
    });
    return id;
  }

  async vitals(reading: Omit<VitalsEnvelope, 'id' | 'ts'>, deviceId?: string): Promise<void> {
    const device =
      deviceId ?? this.gateway.devices.find((d) => d.kind === 'ble-vitals' || d.kind === 'mr60bha1')?.id;
    if (!device) return;
    const payload: VitalsEnvelope = { id: newEventId(), ts: timestamp(), ...reading };
    await this.client.publishAsync(topics.deviceVitals(this.gateway.id, device), JSON.stringify(payload), {
      qos: 0,
    });
  }

  async close(): Promise<void> {
    await this.#client?.endAsync();
    this.#client = null;
  }

  #deviceFor(type: EventType): string {
    const kinds: Partial<Record<EventType, string>> = {
      sos: 'rf433-bridge',
      sos_cancel: 'rf433-bridge',
      checkin: 'rf433-bridge',
      service_request: 'rf433-bridge',
      fall: 'mr60fda1',
    };
    const wanted = kinds[type];
    const device = this.gateway.devices.find((d) => d.kind === wanted) ?? this.gateway.devices[0];
    if (!device) throw new Error(`${this.gateway.id} has no devices`);
    return device.id;
  }
}
