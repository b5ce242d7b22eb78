import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Outbox } from '../edge/outbox.ts';
import { brokerServers, Uplink } from '../edge/uplink.ts';
import { type Alert, topics } from '../protocol/index.ts';
import { freePort } from './support/process.ts';
import { demoGateway, eventually, TestSystem, tempDir } from './support/system.ts';

describe('an edge gateway with several brokers of a cluster', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await TestSystem.start();
  });
  afterAll(async () => {
    await sys?.stop();
  });

  it('broker URLs become MQTT.js failover servers in the order given, with default ports', () => {
    expect(brokerServers(['mqtt://a.example:1884', 'mqtts://b.example', 'mqtt://c.example'])).toEqual([
      { host: 'a.example', port: 1884, protocol: 'mqtt' },
      { host: 'b.example', port: 8883, protocol: 'mqtts' },
      { host: 'c.example', port: 1883, protocol: 'mqtt' },
    ]);
  });

  it('when its first broker cannot be reached it moves to the next, and its SOS becomes an alert', async () => {
    const gw = demoGateway('gw-0005');
    const dead = `mqtt://127.0.0.1:${await freePort()}`;
    const outbox = new Outbox(join(await tempDir('edge-failover-'), 'outbox.db'));
    const uplink = new Uplink({
      gatewayId: gw.id,
      secret: gw.secret,
      broker: dead,
      brokers: [sys.system.mqttUrl],
      outbox,
      logger: pino({ level: 'silent' }),
      reconnectPeriodMs: 200,
    });
    const eventId = 'failover-sos-0001';
    const device = gw.devices.find((d) => d.kind === 'rf433-bridge')?.id ?? gw.devices[0]?.id ?? 'dev';
    outbox.enqueue({
      topic: topics.deviceEvent(gw.id, device),
      payload: JSON.stringify({ id: eventId, ts: new Date().toISOString(), type: 'sos' }),
      qos: 1,
      retain: false,
      kind: 'event',
      eventId,
    });
    uplink.start();
    try {
      const token = await sys.login('admin');
      const alert = await eventually(
        async () =>
          (await sys.api<Alert[]>(token, 'GET', '/api/alerts')).body.find((a) => a.eventId === eventId),
        10_000,
        'the alert of the SOS sent through the second broker',
      );
      expect(alert).toMatchObject({ gatewayId: gw.id, type: 'sos' });
      expect(uplink.connected).toBe(true);
    } finally {
      await uplink.stop();
      outbox.close();
    }
  });
});
