import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Alert, type Feedback, timestamp } from '../protocol/index.ts';
import { eventually, TestSystem, world } from './support/system.ts';

const ALERT_FIELDS = [
  'id',
  'type',
  'severity',
  'state',
  'elderId',
  'householdId',
  'region',
  'gatewayId',
  'deviceId',
  'eventId',
  'occurredAt',
  'receivedAt',
  'raisedAt',
  'escalationLevel',
];
const T_FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('one SOS press from a home gateway to the operator and back', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await TestSystem.start();
  });
  afterAll(async () => {
    await sys.stop();
  });

  it('an SOS published by a gateway reaches an in-scope operator as alert:raised within a second, with every contract field', async () => {
    const operator = await sys.dispatcher('op-shizishan');
    const home = await sys.home('gw-0001');
    const ts = timestamp(Date.now() - 1500);
    const sentAt = Date.now();
    const eventId = await home.event('sos', { ts });
    const alert = await eventually(
      () => operator.raised.find((a) => a.eventId === eventId),
      1000,
      'alert:raised',
    );
    expect(Date.now() - sentAt).toBeLessThan(1000);
    for (const field of ALERT_FIELDS) expect(alert).toHaveProperty(field);
    const household = world.households.find((h) => h.id === 'hh-0001');
    expect(alert).toMatchObject({
      type: 'sos',
      severity: 'critical',
      state: 'open',
      gatewayId: 'gw-0001',
      deviceId: 'gw-0001-sos',
      householdId: 'hh-0001',
      region: household?.region,
      elderId: 'el-0001',
      occurredAt: ts,
      escalationLevel: 0,
    });
    for (const t of [alert.occurredAt, alert.receivedAt, alert.raisedAt]) expect(t).toMatch(T_FORMAT);
    expect(Date.parse(alert.raisedAt)).toBeGreaterThanOrEqual(Date.parse(alert.receivedAt));
  });

  it('the same event id delivered four times, one of them after a reconnect, makes exactly one alert', async () => {
    const token = await sys.login('op-shizishan');
    const home = await sys.home('gw-0002');
    const id = 'dup-press-0001';
    const ts = timestamp();
    await home.event('sos', { id, ts });
    await home.event('sos', { id, ts });
    await home.event('sos', { id, ts });
    await home.close();
    const again = await sys.home('gw-0002');
    await again.event('sos', { id, ts });
    await eventually(
      async () => {
        const metrics = await (await fetch(`${sys.http}/metrics`)).text();
        return /ingest_duplicate_events_total 3/.test(metrics);
      },
      3000,
      'three duplicates counted',
    );
    const { body: alerts } = await sys.api<Alert[]>(token, 'GET', '/api/alerts');
    const sup = await sys.login('sup-city');
    const { body: all } = await sys.api<Alert[]>(sup, 'GET', '/api/alerts');
    expect(all.filter((a) => a.eventId === id)).toHaveLength(1);
    expect(alerts.filter((a) => a.eventId === id).length).toBeLessThanOrEqual(1);
  });

  it('acknowledging stores who and when, pushes alert:updated, and tells the gateway by cmd/feedback', async () => {
    const operator = await sys.dispatcher('op-shizishan');
    const token = await sys.login('op-shizishan');
    const home = await sys.home('gw-0001');
    // Resolve whatever the first test left open, so this press raises a fresh alert.
    const { body: open } = await sys.api<Alert[]>(token, 'GET', '/api/alerts?state=open');
    for (const a of open)
      await sys.api(token, 'POST', `/api/alerts/${a.id}/resolve`, { outcome: 'false_alarm' });
    const eventId = await home.event('sos');
    const raised = await eventually(() => operator.raised.find((a) => a.eventId === eventId), 2000, 'raised');
    const before = Date.now();
    const ack = await sys.api<Alert>(token, 'POST', `/api/alerts/${raised.id}/ack`, { note: '已电话联系' });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ id: raised.id, state: 'acknowledged', acknowledgedBy: 'op-shizishan' });
    expect(Date.parse(ack.body.acknowledgedAt ?? '')).toBeGreaterThanOrEqual(before - 5);
    const stored = await sys.api<Alert>(token, 'GET', `/api/alerts/${raised.id}`);
    expect(stored.body).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'op-shizishan' });
    const pushed = await eventually(
      () => operator.updated.find((a) => a.id === raised.id && a.state === 'acknowledged'),
      1000,
      'updated',
    );
    expect(pushed.acknowledgedBy).toBe('op-shizishan');
    const feedback = await eventually(
      () => home.feedback.find((f: Feedback) => f.alertId === raised.id && f.state === 'acknowledged'),
      2000,
      'cmd/feedback',
    );
    expect(feedback.ts).toMatch(T_FORMAT);
  });

  it('acknowledging twice keeps the first operator, and acknowledging a resolved alert answers 409', async () => {
    const token = await sys.login('op-shizishan');
    const sup = await sys.login('sup-yanjiang');
    const home = await sys.home('gw-0001');
    const { body: open } = await sys.api<Alert[]>(token, 'GET', '/api/alerts?state=acknowledged');
    for (const a of open)
      await sys.api(token, 'POST', `/api/alerts/${a.id}/resolve`, { outcome: 'assisted' });
    const eventId = await home.event('sos');
    const alert = await eventually(
      async () => {
        const { body } = await sys.api<Alert[]>(token, 'GET', '/api/alerts?state=open');
        return body.find((a) => a.eventId === eventId);
      },
      2000,
      'alert listed',
    );
    await sys.api(token, 'POST', `/api/alerts/${alert.id}/ack`, {});
    const second = await sys.api<Alert>(sup, 'POST', `/api/alerts/${alert.id}/ack`, {});
    expect(second.status).toBe(200);
    expect(second.body.acknowledgedBy).toBe('op-shizishan');
    const resolved = await sys.api<Alert>(sup, 'POST', `/api/alerts/${alert.id}/resolve`, {
      outcome: 'assisted',
      note: '邻居已到场',
    });
    expect(resolved.body).toMatchObject({
      state: 'resolved',
      resolvedBy: 'sup-yanjiang',
      outcome: 'assisted',
    });
    const late = await sys.api<{ code: string }>(token, 'POST', `/api/alerts/${alert.id}/ack`, {});
    expect(late.status).toBe(409);
    const bad = await sys.api<{ message: string }>(token, 'POST', `/api/alerts/${alert.id}/resolve`, {
      outcome: 'nonsense',
    });
    expect(bad.status).toBe(400);
  });

  it('an alert acknowledged while its gateway is offline has its feedback sent again when the gateway comes back online', async () => {
    const token = await sys.login('sup-city');
    const away = await sys.home('gw-0002');
    // An SOS of an elder with an unresolved alert only repeats it: start from none.
    for (const a of (await sys.api<Alert[]>(token, 'GET', '/api/alerts')).body)
      if (a.gatewayId === 'gw-0002' && a.state !== 'resolved')
        await sys.api(token, 'POST', `/api/alerts/${a.id}/resolve`, { outcome: 'false_alarm' });
    const eventId = await away.event('sos');
    const raised = await eventually(
      async () =>
        (await sys.api<Alert[]>(token, 'GET', '/api/alerts')).body.find((a) => a.eventId === eventId),
      3000,
      'raised',
    );
    await away.close();
    // Every feedback the broker forwards to gw-0002, seen inside the broker.
    const aedes = sys.system.broker?.aedes;
    if (!aedes) throw new Error('the test system has no in-process broker');
    const published: Feedback[] = [];
    const topic = 'eldercare/v1/gw-0002/cmd/feedback';
    const onFeedback = (packet: { payload: Buffer | string }, done: () => void): void => {
      published.push(JSON.parse(packet.payload.toString()) as Feedback);
      done();
    };
    aedes.subscribe(topic, onFeedback, () => {});
    try {
      const ack = await sys.api<Alert>(token, 'POST', `/api/alerts/${raised.id}/ack`, {});
      expect(ack.status).toBe(200);
      const acknowledged = (f: Feedback) => f.alertId === raised.id && f.state === 'acknowledged';
      // Published while the gateway was away and kept no session: this one went nowhere.
      await eventually(() => published.some(acknowledged), 3000, 'the live feedback, to nobody');
      const back = await sys.home('gw-0002');
      const feedback = await eventually(
        () => back.feedback.find(acknowledged),
        3000,
        'feedback resent on the online state',
      );
      expect(feedback.ts).toBe(ack.body.acknowledgedAt);
      expect(published.filter(acknowledged)).toHaveLength(2);
    } finally {
      aedes.unsubscribe(topic, onFeedback, () => {});
    }
  });
});
