import { connect, type Socket } from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

/**
 * One MQTT 3.1.1 connection over a bare socket: mqtt-packet's encoder and parser, no client library, so
 * one process holds thousands of gateways (an MQTT.js client costs far more memory and timers).
 */
export interface WireOptions {
  host: string;
  port: number;
  /** Source address (127.0.0.2…): each has its own ~28,000 ephemeral ports. */
  localAddress?: string;
  clientId: string;
  username: string;
  password: string;
  keepalive: number;
  will?: { topic: string; payload: Buffer; qos: 0 | 1; retain: boolean };
}

export class WireClient {
  readonly socket: Socket;
  /** Called for every PUBLISH the broker sends (a subscriber's messages). */
  onPublish: ((topic: string, payload: Buffer) => void) | null = null;
  /** PUBACKs received for our QoS 1 publishes. */
  acked = 0;
  #nextId = 1;
  #waiting = new Map<string, (packet: Packet) => void>();
  #closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (packet: Packet) => this.#packet(packet));
    parser.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => parser.parse(chunk));
    socket.on('close', () => {
      this.#closed = true;
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Connects and waits for the CONNACK; rejects on refusal, a closed socket or the timeout. */
  static open(options: WireOptions): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({
        host: options.host,
        port: options.port,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      });
      socket.setNoDelay(true);
      const client = new WireClient(socket);
      const fail = (err: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      const timer = setTimeout(() => fail(new Error('connect timed out')), 30_000);
      socket.once('error', fail);
      socket.once('close', () => fail(new Error('closed before CONNACK')));
      client.#waiting.set('connack', (packet) => {
        clearTimeout(timer);
        socket.removeListener('error', fail);
        socket.removeAllListeners('close');
        socket.on('close', () => {
          client.#closed = true;
        });
        socket.on('error', () => {});
        const code = (packet as { returnCode?: number }).returnCode ?? 0;
        if (code === 0) resolve(client);
        else fail(new Error(`CONNACK ${code}`));
      });
      socket.write(
        mqttPacket.generate({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clientId: options.clientId,
          clean: true,
          keepalive: options.keepalive,
          username: options.username,
          password: Buffer.from(options.password),
          ...(options.will ? { will: options.will } : {}),
        }),
      );
    });
  }

  /** Subscribes and waits for the SUBACK; answers the granted QoS (128: refused). */
  subscribe(topic: string, qos: 0 | 1): Promise<number> {
    const messageId = this.#id();
    const acked = this.#wait(`suback:${messageId}`);
    this.socket.write(mqttPacket.generate({ cmd: 'subscribe', messageId, subscriptions: [{ topic, qos }] }));
    return acked.then((p) => (p as { granted: number[] }).granted[0] ?? 128);
  }

  /** Writes a PUBLISH; QoS 1 ones count in `acked` when their PUBACK arrives. False when buffered. */
  publish(topic: string, payload: Buffer, qos: 0 | 1, retain = false): boolean {
    const packet =
      qos === 0
        ? { cmd: 'publish' as const, topic, payload, qos: 0 as const, retain, dup: false }
        : {
            cmd: 'publish' as const,
            topic,
            payload,
            qos: 1 as const,
            retain,
            dup: false,
            messageId: this.#id(),
          };
    return this.write(mqttPacket.generate(packet));
  }

  /** Writes bytes already encoded (a QoS 0 PUBLISH made once and sent many times). */
  write(bytes: Buffer): boolean {
    return this.#closed ? false : this.socket.write(bytes);
  }

  ping(): void {
    this.write(PINGREQ);
  }

  /** Drops the connection without DISCONNECT (a network blip: the broker publishes the will). */
  destroy(): void {
    this.socket.destroy();
  }

  #id(): number {
    const id = this.#nextId;
    this.#nextId = id >= 65_535 ? 1 : id + 1;
    return id;
  }

  #wait(key: string): Promise<Packet> {
    return new Promise((resolve) => this.#waiting.set(key, resolve));
  }

  #packet(packet: Packet): void {
    switch (packet.cmd) {
      case 'publish':
        this.onPublish?.(packet.topic, packet.payload as Buffer);
        if (packet.qos === 1 && packet.messageId !== undefined)
          this.write(mqttPacket.generate({ cmd: 'puback', messageId: packet.messageId }));
        return;
      case 'puback':
        this.acked++;
        return;
      case 'connack':
        this.#settle('connack', packet);
        return;
      case 'suback':
        this.#settle(`suback:${packet.messageId}`, packet);
        return;
      default:
        return;
    }
  }

  #settle(key: string, packet: Packet): void {
    const waiter = this.#waiting.get(key);
    this.#waiting.delete(key);
    waiter?.(packet);
  }
}

const PINGREQ = mqttPacket.generate({ cmd: 'pingreq' });

/** A QoS 0 PUBLISH encoded once, to be written many times. */
export function encodedPublish(topic: string, payload: Buffer): Buffer {
  return mqttPacket.generate({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false });
}
