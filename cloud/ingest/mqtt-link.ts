import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { type Feedback, topics } from '../../protocol/index.ts';
import type { AlertService } from '../domain/alert-service.ts';
import type { Ingest } from './ingest.ts';

export interface MqttLinkOptions {
  url: string;
  username: string;
  password: string;
  clientId: string;
  /**
   * false: a persistent session (a broker cluster), so messages wait in the shared store while the cloud
   * moves brokers, and the broker that delivered a message knows it again at the PUBACK.
   */
  clean?: boolean;
  ingest: Ingest;
  alerts: AlertService;
  logger: Logger;
}

/**
 * The cloud's connection to the broker, as an ordinary MQTT client. Each message is acknowledged only
 * after `Ingest.handle` has committed it (MQTT.js sends PUBACK when `handleMessage` calls back), so the
 * broker's journal keeps what the cloud has not stored. MQTT.js hands over the next packet only after
 * that callback: messages are handled one at a time, in arrival order. Alert changes go back to the
 * gateway as `cmd/feedback`.
 */
export class MqttLink {
  readonly #o: MqttLinkOptions;
  readonly #log: Logger;
  #client: MqttClient | null = null;
  #unsubscribe: (() => void) | null = null;

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
    client.handleMessage = (packet, done) => {
      this.#o.ingest.handle(packet.topic, packet.payload as Buffer).then(
        () => done(),
        (err: unknown) => {
          // Not acknowledged: the broker journal still holds it and replays it when we resubscribe.
          this.#log.error({ err, topic: packet.topic }, 'ingest failed; message left unacknowledged');
          client.stream.destroy();
        },
      );
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
      const feedback: Feedback = { alertId: alert.id, state: alert.state, ts: new Date().toISOString() };
      client.publish(topics.feedback(alert.gatewayId), JSON.stringify(feedback), { qos: 1 });
    });
    await subscribed;
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    await this.#client?.endAsync();
    this.#client = null;
  }
}
