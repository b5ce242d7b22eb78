import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { Outbox } from '../../edge/outbox.ts';
import { Uplink } from '../../edge/uplink.ts';
import { type EventType, type Feedback, topics } from '../../protocol/index.ts';
import type { CloudApi } from './cloud-api.ts';

export interface ProvisionedGateway {
  id: string;
  secret: string;
  deviceId: string;
  elderId: string;
  /** Its vitals sensor, when provisioned with one. */
  vitalsDeviceId?: string;
}

const COMMUNITIES = [
  'ziyang.yanjiang.shizishan',
  'ziyang.yanjiang.liantai',
  'ziyang.anyue.yuelong',
  'ziyang.anyue.shiyang',
];

/** Every id the harness provisions has it (`hh-chaos-0001`, `gw-chaos-0001`…), apart from the demo world's. */
const PREFIX = 'chaos';
/** What the harness's gateway ids start with: the counts read back only these from the store. */
export const GATEWAY_PREFIX = `gw-${PREFIX}`;

/**
 * Registers `n` homes (household, elder, gateway with one 433 MHz bridge, and with `vitals` a vitals
 * sensor) through the admin REST API.
 */
export async function provisionGateways(
  api: CloudApi,
  n: number,
  options: { vitals?: boolean } = {},
): Promise<ProvisionedGateway[]> {
  const admin = await api.login('admin');
  const one = async (i: number): Promise<ProvisionedGateway> => {
    const id = `${PREFIX}-${String(i).padStart(4, '0')}`;
    await api.post(admin, '/api/households', {
      id: `hh-${id}`,
      region: COMMUNITIES[i % COMMUNITIES.length],
      address: `Chaos Rd ${i}`,
    });
    await api.post(admin, '/api/elders', { id: `el-${id}`, householdId: `hh-${id}`, name: `Chaos ${i}` });
    const gw = await api.post(admin, '/api/gateways', {
      id: `gw-${id}`,
      householdId: `hh-${id}`,
      devices: [
        { id: `sos-${id}`, kind: 'rf433-bridge', elderId: `el-${id}` },
        ...(options.vitals ? [{ id: `vit-${id}`, kind: 'ble-vitals', elderId: `el-${id}` }] : []),
      ],
    });
    return {
      id: `gw-${id}`,
      secret: String(gw.secret),
      deviceId: `sos-${id}`,
      elderId: `el-${id}`,
      ...(options.vitals ? { vitalsDeviceId: `vit-${id}` } : {}),
    };
  };
  const out: ProvisionedGateway[] = [];
  for (let i = 0; i < n; i += 16) {
    const batch = Array.from({ length: Math.min(16, n - i) }, (_, k) => one(i + k));
    out.push(...(await Promise.all(batch)));
  }
  return out;
}

/** One event a gateway put in its outbox: when it was really pressed, and the `ts` its clock stamped. */
export interface SentEvent {
  gatewayId: string;
  eventId: string;
  type: EventType;
  ts: string;
  pressedAt: number;
}

interface Member {
  gw: ProvisionedGateway;
  outbox: Outbox;
  uplink: Uplink;
}

/**
 * Hundreds of gateways in this process, each the real edge code: an on-disk `Outbox` (an event leaves it
 * only on its PUBACK) and an `Uplink` (a real MQTT.js client resending until acknowledged, same event id).
 */
export class Fleet {
  readonly #members: Member[] = [];
  readonly sent: SentEvent[] = [];
  /** Event ids whose PUBACK reached the gateway, with when. */
  readonly acked = new Map<string, number>();
  /** Every `cmd/feedback` each gateway received, in order. */
  readonly feedback = new Map<string, Feedback[]>();
  /** QoS 0 vitals readings handed to a connected link, and those that found no link. */
  vitalsSent = 0;
  vitalsUnsent = 0;

  /** `brokersOf(i)`: the broker URLs of gateway `i`, the first preferred (a cluster's failover list). */
  static start(gateways: ProvisionedGateway[], dir: string, brokersOf: (i: number) => string[]): Fleet {
    const fleet = new Fleet();
    mkdirSync(dir, { recursive: true });
    const logger = pino({ level: 'silent' });
    gateways.forEach((gw, i) => {
      const [broker, ...others] = brokersOf(i);
      const outbox = new Outbox(join(dir, `${gw.id}.db`));
      const uplink = new Uplink({
        gatewayId: gw.id,
        secret: gw.secret,
        broker: broker as string,
        ...(others.length > 0 ? { brokers: others } : {}),
        outbox,
        logger,
        reconnectPeriodMs: 500 + (i % 10) * 50,
      });
      uplink.on('delivered', (entry) => {
        if (entry.eventId !== null && !fleet.acked.has(entry.eventId))
          fleet.acked.set(entry.eventId, Date.now());
      });
      uplink.on('feedback', (f: Feedback) => {
        fleet.feedback.set(gw.id, [...(fleet.feedback.get(gw.id) ?? []), f]);
      });
      uplink.start();
      fleet.#members.push({ gw, outbox, uplink });
    });
    return fleet;
  }

  get size(): number {
    return this.#members.length;
  }

  get connected(): number {
    return this.#members.filter((m) => m.uplink.connected).length;
  }

  /** Events still waiting in the gateways' outboxes (not PUBACKed yet). */
  pending(): number {
    return this.#members.reduce((n, m) => n + m.outbox.pendingEvents().length, 0);
  }

  /**
   * Gateway `i` observes an event: stored in its outbox, then published. `skewMs` is how wrong its clock
   * is; `id` reuses an event id (a duplicate press record).
   */
  press(i: number, type: EventType, options: { skewMs?: number; id?: string; at?: number } = {}): SentEvent {
    const m = this.#members[i];
    if (!m) throw new Error(`no gateway ${i}`);
    const pressedAt = options.at ?? Date.now();
    const event = {
      gatewayId: m.gw.id,
      eventId: options.id ?? `chaos-${randomBytes(9).toString('base64url')}`,
      type,
      ts: new Date(pressedAt + (options.skewMs ?? 0)).toISOString(),
      pressedAt,
    };
    m.outbox.enqueue({
      topic: topics.deviceEvent(m.gw.id, m.gw.deviceId),
      payload: JSON.stringify({ id: event.eventId, ts: event.ts, type }),
      qos: 1,
      retain: false,
      kind: 'event',
      eventId: event.eventId,
    });
    m.uplink.kick();
    this.sent.push(event);
    return event;
  }

  /**
   * Every gateway with a vitals sensor sends one reading at QoS 0 (outside the outbox: loss is allowed),
   * spread over `spreadMs`; a gateway without a link at that moment counts as unsent.
   */
  async vitalsRound(spreadMs: number): Promise<void> {
    const gap = spreadMs / Math.max(1, this.#members.length);
    for (const m of this.#members) {
      const device = m.gw.vitalsDeviceId;
      if (!device) continue;
      const payload = JSON.stringify({
        id: `v-${randomBytes(9).toString('base64url')}`,
        ts: new Date().toISOString(),
        hr: 60 + Math.floor(Math.random() * 30),
        spo2: 97,
      });
      if (m.uplink.publishVolatile(topics.deviceVitals(m.gw.id, device), payload)) this.vitalsSent += 1;
      else this.vitalsUnsent += 1;
      if (gap > 0) await new Promise((r) => setTimeout(r, gap));
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.#members.map((m) => m.uplink.stop()));
    for (const m of this.#members) m.outbox.close();
  }
}
