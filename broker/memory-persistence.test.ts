import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { indexedMemoryPersistence } from './memory-persistence.ts';

/** Aedes on port 0 with the indexed persistence, real MQTT.js clients. */
describe('retained messages in the indexed memory persistence', () => {
  let aedes: Aedes;
  let server: Server;
  let url: string;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    aedes = await Aedes.createBroker({ persistence: indexedMemoryPersistence() });
    server = createServer((socket) => aedes.handle(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const address = server.address();
    url = `mqtt://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync()));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const connect = async (): Promise<MqttClient> => {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    clients.push(client);
    return client;
  };
  /** Subscribes and collects what arrives within a short wait (retained messages come right after SUBACK). */
  const received = async (filters: string[], qos: 0 | 1 = 1): Promise<IPublishPacket[]> => {
    const client = await connect();
    const got: IPublishPacket[] = [];
    client.on('message', (_topic, _payload, packet) => got.push(packet));
    await client.subscribeAsync(filters, { qos });
    await new Promise((resolve) => setTimeout(resolve, 150));
    return got;
  };

  it('delivers a retained message to a later subscriber with the retain flag and its QoS, lowered for a QoS 0 subscription to its topic', async () => {
    const gateway = await connect();
    await gateway.publishAsync('t1/gw-1/state', '{"state":"online"}', { qos: 1, retain: true });
    const [atQos1] = await received(['t1/+/state'], 1);
    expect(atQos1?.topic).toBe('t1/gw-1/state');
    expect(atQos1?.payload.toString()).toBe('{"state":"online"}');
    expect(atQos1?.retain).toBe(true);
    expect(atQos1?.qos).toBe(1);
    // Aedes lowers the QoS of a retained message only for a subscription naming its exact topic (its own
    // delivery path, the same with its stock persistence).
    const atQos0 = await received(['t1/gw-1/state'], 0);
    expect(atQos0.map((p) => [p.topic, p.qos, p.retain])).toEqual([['t1/gw-1/state', 0, true]]);
  });

  it('keeps only the latest retained message of a topic and deletes it on an empty payload', async () => {
    const gateway = await connect();
    await gateway.publishAsync('t2/gw-1/state', 'first', { qos: 1, retain: true });
    await gateway.publishAsync('t2/gw-1/state', 'second', { qos: 1, retain: true });
    expect((await received(['t2/#'])).map((p) => p.payload.toString())).toEqual(['second']);
    await gateway.publishAsync('t2/gw-1/state', '', { qos: 1, retain: true });
    expect(await received(['t2/#'])).toEqual([]);
  });

  it('sends a topic once to a SUBSCRIBE whose filters overlap, and no $ topic to a filter starting with a wildcard', async () => {
    const gateway = await connect();
    await gateway.publishAsync('t3/gw-9/state', 'online', { qos: 1, retain: true });
    await gateway.publishAsync('$t3/gw-9/state', 'hidden', { qos: 1, retain: true });
    const got = await received(['t3/#', 't3/+/state', '+/gw-9/state']);
    expect(got.map((p) => p.topic)).toEqual(['t3/gw-9/state']);
    expect((await received(['$t3/#'])).map((p) => p.payload.toString())).toEqual(['hidden']);
  });

  it('forwards a live retained publish to a subscriber already there without the retain flag', async () => {
    const listener = await connect();
    const got: IPublishPacket[] = [];
    listener.on('message', (_t, _p, packet) => got.push(packet));
    await listener.subscribeAsync('t4/#', { qos: 1 });
    const gateway = await connect();
    await gateway.publishAsync('t4/gw-1/state', 'online', { qos: 1, retain: true });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(got.map((p) => [p.topic, p.retain])).toEqual([['t4/gw-1/state', false]]);
  });
});
