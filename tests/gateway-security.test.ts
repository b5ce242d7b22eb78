import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Alert, timestamp, topics } from '../protocol/index.ts';
import { demoGateway, eventually, TestSystem } from './support/system.ts';

async function refusal(url: string, options: mqtt.IClientOptions): Promise<string> {
  try {
    const client = await mqtt.connectAsync(url, { ...options, reconnectPeriod: 0, connectTimeout: 3000 });
    await client.endAsync();
    return 'connected';
  } catch (err) {
    return (err as Error).message;
  }
}

async function metric(sys: TestSystem, name: string): Promise<number> {
  const text = await (await fetch(`${sys.http}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('every gateway is authenticated and every topic guarded', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await TestSystem.start();
  });
  afterAll(async () => {
    await sys.stop();
  });

  it('a gateway with a wrong secret is refused at CONNECT', async () => {
    expect(await refusal(sys.system.mqttUrl, { username: 'gw-0001', password: 'not-the-secret' })).toMatch(
      /Bad username or password/,
    );
  });

  it('an unknown gateway is refused at CONNECT', async () => {
    expect(
      await refusal(sys.system.mqttUrl, { username: 'gw-9999', password: demoGateway('gw-0001').secret }),
    ).toMatch(/Bad username or password/);
  });

  it('an anonymous client is refused at CONNECT', async () => {
    expect(await refusal(sys.system.mqttUrl, {})).toMatch(/Not authorized/);
  });

  it('a client posing as the cloud service with a guessed password is refused', async () => {
    expect(await refusal(sys.system.mqttUrl, { username: 'svc:cloud', password: 'guess' })).toMatch(
      /Bad username or password/,
    );
  });

  it('a gateway cannot publish into another gateway’s topics nor into its own cmd/, and nothing of it reaches the cloud', async () => {
    const sup = await sys.login('sup-city');
    const intruder = await sys.home('gw-0003');
    const forged = { id: 'forged-event-001', ts: timestamp(), type: 'sos' };
    await intruder.client.publishAsync(topics.deviceEvent('gw-0004', 'gw-0004-sos'), JSON.stringify(forged), {
      qos: 1,
    });
    await intruder.client.publishAsync(
      topics.feedback('gw-0003'),
      JSON.stringify({ alertId: 'x', state: 'resolved', ts: timestamp() }),
      { qos: 1 },
    );
    // A legitimate event afterwards proves the connection went on and everything before it was processed.
    const ok = await intruder.event('sos');
    await eventually(
      async () => (await sys.api<Alert[]>(sup, 'GET', '/api/alerts')).body.some((a) => a.eventId === ok),
      2000,
      'own SOS',
    );
    const { body } = await sys.api<Alert[]>(sup, 'GET', '/api/alerts');
    expect(body.some((a) => a.eventId === 'forged-event-001')).toBe(false);
    expect(await metric(sys, 'mqtt_acl_denied_total{action="publish"}')).toBeGreaterThanOrEqual(2);
  });

  it('a gateway cannot subscribe to another gateway’s commands or to everything (SUBACK 128)', async () => {
    const snoop = await sys.home('gw-0005');
    const filters = [topics.feedback('gw-0006'), 'eldercare/v1/#', '#', topics.feedback('gw-0005')];
    const granted = await new Promise<number[]>((resolve) => {
      snoop.client.subscribe(filters, { qos: 1 }, (err, grants) => {
        // MQTT.js reports a 128 as an error carrying the SUBACK packet.
        const packet = (err as { packet?: { granted: number[] } } | null)?.packet;
        resolve(packet ? packet.granted : (grants ?? []).map((g) => g.qos));
      });
    });
    expect(granted).toEqual([128, 128, 128, 1]);
    expect(snoop.client.connected).toBe(true);
  });

  it('a gateway never receives another gateway’s feedback', async () => {
    const token = await sys.login('sup-city');
    const victim = await sys.home('gw-0006');
    const other = await sys.home('gw-0007');
    const id = await victim.event('sos');
    const alert = await eventually(
      async () => (await sys.api<Alert[]>(token, 'GET', '/api/alerts')).body.find((a) => a.eventId === id),
      2000,
    );
    await sys.api(token, 'POST', `/api/alerts/${alert.id}/ack`, {});
    await eventually(
      () => victim.feedback.some((f) => f.alertId === alert.id && f.state === 'acknowledged'),
      2000,
      'victim feedback',
    );
    expect(other.feedback.some((f) => f.alertId === alert.id)).toBe(false);
  });

  it('a gateway flooding vitals is throttled and counted, while its SOS still goes through', async () => {
    const sup = await sys.login('sup-city');
    const home = await sys.home('gw-0015');
    await Promise.all(Array.from({ length: 400 }, () => home.vitals({ hr: 70 })));
    const id = await home.event('sos');
    await eventually(
      async () => (await sys.api<Alert[]>(sup, 'GET', '/api/alerts')).body.some((a) => a.eventId === id),
      3000,
      'SOS after the flood',
    );
    expect(await metric(sys, 'mqtt_messages_dropped_total{reason="rate_limit"}')).toBeGreaterThan(100);
  });
});
