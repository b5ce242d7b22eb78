import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import {
  type Alert,
  decodePayload,
  type Feedback,
  JOURNAL_ACK_TOPIC,
  type JournalAck,
  parseTopic,
  topics,
} from '../../protocol/index.ts';
import type { AlertService } from '../domain/alert-service.ts';
import type { Ingest } from './ingest.ts';

/** Alerts resolved this recently are resent to a gateway that comes back online; older ones are not. */
const FEEDBACK_RESEND_RESOLVED_MS = 3_600_000;

/** A retained `online` this recent is a reconnect the cloud missed while it was away itself. */
const RECENT_ONLINE_MS = 120_000;

/**
 * Is this a gateway coming online: a live `online` state, or a retained one (a copy kept for this cloud
 * while it was away, or the broker's retained state on subscribe) stamped within the last two minutes?
 * Old retained states are not: a cloud restart must not resend every gateway's feedback.
 */
export function cameOnline(topic: string, payload: Buffer, retained: boolean, now = Date.now()): boolean {
  if (parseTopic(topic)?.kind !== 'gateway-state') return false;
  const decoded = decodePayload('gateway-state', payload);
  if (!decoded.ok || decoded.value.state !== 'online') return false;
  return !retained || Math.abs(now - Date.parse(decoded.value.ts)) < RECENT_ONLINE_MS;
}

/**
 * The feedback of an alert's current state, `ts` being when that state began: the same message whether
 * it is sent live or resent to a gateway coming back online, so the gateway can tell a repeat.
 */
function feedbackOf(
  alert: Pick<Alert, 'id' | 'state' | 'raisedAt' | 'acknowledgedAt' | 'resolvedAt'>,
): Feedback {
  const ts = alert.resolvedAt ?? alert.acknowledgedAt ?? alert.raisedAt;
  return { alertId: alert.id, state: alert.state, ts };
}

export interface MqttLinkOptions {
  url: string;
  username: string;
  password: string;
  clientId: string;
  /**
   * false: a persistent session (a broker cluster), so messages wait in the shared store while the cloud
   * moves brokers.
   */
  clean?: boolean;
  ingest: Ingest;
  /**
   * Does this instance handle the gateway's messages (it holds the gateway's partition lease)? Messages of
   * the others' gateways are passed by: neither stored nor acknowledged to the journal. Unset: all.
   */
  owns?: (gatewayId: string) => boolean;
  alerts: AlertService;
  logger: Logger;
}

/** Journal acknowledgements wait this long for company, so the broker removes many per commit. */
const ACK_WINDOW_MS = 20;
const ACKS_PER_MESSAGE = 500;

/**
 * The cloud's connection to the broker, as an ordinary MQTT client. An event is handed to ingest's group
 * commit and the next packet is taken at once (MQTT.js sends PUBACK when `handleMessage` calls back, and
 * hands over the next packet only then), so the events that arrive while a batch commits share the next
 * transaction; each committed event is then acknowledged to the brokers' journal on JOURNAL_ACK_TOPIC, so
 * the journal keeps, and replays, what no cloud has stored. A state message is PUBACKed after its commit.
 * A vitals reading is handed to ingest's group commit and the next packet is taken at once (while the
 * queue has room), so an SOS behind a burst of readings is read, and stored, without waiting for them.
 * Alert changes go back to the gateway as `cmd/feedback`.
 */
export class MqttLink {
  readonly #o: MqttLinkOptions;
  readonly #log: Logger;
  #client: MqttClient | null = null;
  #unsubscribe: (() => void) | null = null;
  #acks: [string, string][] = [];
  #ackTimer: NodeJS.Timeout | null = null;

  constructor(options: MqttLinkOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'mqtt-link' });
  }

  /** Resolves once connected and subscribed. */
  async start(): Promise<void> {
    const client = mqtt.connect(this.#o.url, {
      username: this.#o.username,
      password: this.#o.password,
      clientId: this.#o.clientId,
      clean: this.#o.clean ?? true,
      reconnectPeriod: 1000,
      reconnectOnConnackError: true,
      protocolVersion: 4,
    });
    this.#client = client;
    // A clean session loses a QoS 1 message in flight with the connection anyway, so acknowledging a
    // reading before its batch commits loses nothing more; a persistent session would have it redelivered.
    const earlyAck = (qos: number) => qos === 0 || (this.#o.clean ?? true);
    client.handleMessage = (packet, done) => {
      const parsed = parseTopic(packet.topic);
      const gatewayId = parsed?.gatewayId;
      if (gatewayId !== undefined && this.#o.owns && !this.#o.owns(gatewayId)) return done();
      // Whether or not its state is stored: the alerts to resend are in the store already, and a gateway
      // whose state write failed still came back listening.
      if (
        parsed?.kind === 'gateway-state' &&
        gatewayId !== undefined &&
        cameOnline(packet.topic, packet.payload as Buffer, packet.retain)
      )
        this.#resendFeedback(client, gatewayId);
      // A vitals reading is stored in a batch, not at once.
      if (parsed?.kind === 'device-vitals' && earlyAck(packet.qos)) {
        this.#o.ingest.handle(packet.topic, packet.payload as Buffer).catch((err: unknown) => {
          this.#log.error({ err, topic: packet.topic }, 'vitals reading not stored');
        });
        void this.#o.ingest.room().then(() => done());
        return;
      }
      // Passed on, not torn down: an event stays in the brokers' journal (no journal ack was sent) and
      // comes back within seconds; a reading or state is lost alone, where a reconnect would lose every
      // QoS 0 message in flight.
      const failed = (err: unknown) =>
        this.#log.error({ err, topic: packet.topic }, 'ingest failed; an event is replayed by the journal');
      if (parsed?.kind === 'device-event') {
        // Group commit: the next packet is taken while this event waits for its batch, so the events that
        // arrive during a commit share the next one. What makes an event safe is the journal ack, sent
        // after its commit: the broker journaled it before its PUBACK to the gateway and replays it until
        // acknowledged, so our PUBACK to the broker may go first.
        this.#o.ingest.handle(packet.topic, packet.payload as Buffer).then((eventId) => {
          if (eventId !== null && gatewayId !== undefined) this.#ack(gatewayId, eventId);
        }, failed);
        void this.#o.ingest.room().then(() => done());
        return;
      }
      // Anything else (a state; a reading whose PUBACK must wait for its commit: stored at once, not in a
      // window): PUBACKed after its commit, and the next packet is taken only then.
      void this.#o.ingest
        .handle(packet.topic, packet.payload as Buffer, { flush: true })
        .catch(failed)
        .then(() => done());
    };
    client.on('error', (err) => this.#log.warn({ err: err.message }, 'mqtt error'));
    const subscribed = new Promise<void>((resolve) => {
      client.on('connect', () => {
        this.#log.info('connected to broker');
        // One filter per SUBSCRIBE: Aedes 1.2 with aedes-persistence-redis never answers a persistent
        // session's SUBSCRIBE of several filters (each waits on the same broadcast key).
        Promise.all(topics.cloudIngest.map((topic) => client.subscribeAsync(topic, { qos: 1 }))).then(
          () => resolve(),
          (err: unknown) => this.#log.error({ err }, 'subscribe failed'),
        );
      });
    });
    this.#unsubscribe = this.#o.alerts.onChange((_change, alert) => {
      client.publish(topics.feedback(alert.gatewayId), JSON.stringify(feedbackOf(alert)), { qos: 1 });
    });
    await subscribed;
  }

  /**
   * A gateway has just come (back) online: feedback published while it was away went nowhere (it keeps
   * no session), so the current state of each of its alerts that is unresolved or was resolved within
   * the hour is sent again, `ts` being when that state began. Off the ingest path: it neither waits for
   * the state's commit nor delays the next message.
   */
  #resendFeedback(client: MqttClient, gatewayId: string): void {
    const since = new Date(Date.now() - FEEDBACK_RESEND_RESOLVED_MS).toISOString();
    this.#o.alerts.store.forFeedback(gatewayId, since).then(
      (alerts) => {
        for (const alert of alerts)
          client.publish(topics.feedback(gatewayId), JSON.stringify(feedbackOf(alert)), { qos: 1 });
      },
      (err: unknown) => this.#log.warn({ err, gatewayId }, 'feedback resend failed'),
    );
  }

  /**
   * Acknowledges committed events to the journal, gathered for ACK_WINDOW_MS (or 500) into one message:
   * the broker removes them in one commit. A late ack costs nothing (the journal replays only entries
   * unacknowledged for 10 s); a lost one, a replay that is a counted duplicate.
   */
  #ack(gatewayId: string, eventId: string): void {
    this.#acks.push([gatewayId, eventId]);
    if (this.#acks.length >= ACKS_PER_MESSAGE) this.#sendAcks();
    else this.#ackTimer ??= setTimeout(() => this.#sendAcks(), ACK_WINDOW_MS);
  }

  #sendAcks(): void {
    if (this.#ackTimer !== null) clearTimeout(this.#ackTimer);
    this.#ackTimer = null;
    while (this.#acks.length > 0) {
      const acks = this.#acks.splice(0, ACKS_PER_MESSAGE);
      // QoS 0: an ack lost on the way means a replay, which is a counted duplicate and acked again.
      this.#client?.publish(JOURNAL_ACK_TOPIC, JSON.stringify({ acks } satisfies JournalAck), { qos: 0 });
    }
  }

  async stop(): Promise<void> {
    this.#sendAcks();
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    await this.#client?.endAsync();
    this.#client = null;
  }
}
