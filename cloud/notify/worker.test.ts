import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { type StoreEngine, storeEngines } from '../../tests/support/stores.ts';
import { AlertService } from '../domain/alert-service.ts';
import { type DeviceContext, Registry } from '../domain/registry.ts';
import { NotificationOutbox } from './outbox.ts';
import type { ChannelSender, NotificationMessage, SendResult } from './types.ts';
import { NotificationWorker } from './worker.ts';

const T0 = Date.UTC(2026, 10, 22, 2, 0, 0);
const ctx: DeviceContext = {
  gatewayId: 'gw-1',
  deviceId: 'dev-1',
  deviceKind: 'rf433-bridge',
  householdId: 'hh-1',
  region: 'c.d.x',
  elderId: 'el-1',
};
const ENGINES = storeEngines();

async function setup(engine: StoreEngine, answer: () => Promise<SendResult>) {
  const db = await engine.open();
  const registry = new Registry(db);
  await registry.insertRegion({ id: 'c', name: 'C', level: 'city', parent: null });
  await registry.insertRegion({ id: 'c.d', name: 'D', level: 'district', parent: 'c' });
  await registry.insertRegion({ id: 'c.d.x', name: 'X', level: 'community', parent: 'c.d' });
  await registry.insertHousehold({ id: 'hh-1', region: 'c.d.x', address: 'No. 1' });
  await registry.insertElder({ id: 'el-1', householdId: 'hh-1', name: 'Elder' });
  await registry.insertGateway({ id: 'gw-1', householdId: 'hh-1', secretHash: 'x', devices: [] });
  await registry.insertUser({
    username: 'daughter',
    passwordHash: 'x',
    role: 'family',
    scope: 'c.d.x',
    elderIds: ['el-1'],
  });
  const clock = { now: T0 };
  const outbox = new NotificationOutbox(db, 'secret');
  await outbox.setPrefs('daughter', {
    push: false,
    webhook: 'https://sms.example/hook',
    severities: ['critical'],
  });
  const alerts = new AlertService(db, {
    clock: () => clock.now,
    inTransaction: (tx, c, now) => outbox.in(tx).plan(c, now),
  });
  const sent: NotificationMessage[] = [];
  const webhook: ChannelSender = {
    send: async (_t, m) => {
      sent.push(m);
      return answer();
    },
  };
  const worker = new NotificationWorker({
    outbox,
    alerts,
    channels: { webhook },
    logger: pino({ level: 'silent' }),
  });
  await alerts.ingestEvent(
    ctx,
    { id: 'event-0001', ts: new Date(T0).toISOString(), type: 'sos' },
    new Date(T0).toISOString(),
  );
  const alertId =
    (await alerts.store.listForUser({ username: 'x', role: 'admin', scope: 'c', elderIds: [] }))[0]?.id ?? '';
  return { alerts, outbox, worker, sent, clock, alertId };
}

describe.each(ENGINES)('the notification worker and its outbox, on $name', (engine) => {
  it('a delivered notification is recorded on the row and on the alert timeline, and never sent again', async () => {
    const { worker, sent, outbox, alerts, alertId } = await setup(engine, async () => 'delivered');
    await worker.beat();
    await worker.beat();
    expect(sent).toHaveLength(1);
    expect((await outbox.ofAlert(alertId)).map((n) => n.status)).toEqual(['delivered']);
    expect((await alerts.store.timeline(alertId)).map((e) => e.action)).toContain('notified');
  });

  it('a failed send is retried with backoff, not at once', async () => {
    let fail = true;
    const { worker, sent, clock, outbox, alertId } = await setup(engine, async () => {
      if (fail) throw new Error('down');
      return 'delivered';
    });
    await worker.beat();
    await worker.beat();
    expect(sent).toHaveLength(1);
    fail = false;
    clock.now = T0 + 5_000;
    await worker.beat();
    expect(sent).toHaveLength(2);
    expect((await outbox.ofAlert(alertId))[0]).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('a target that is gone is a failure on the timeline, never "notified"', async () => {
    const { worker, alerts, outbox, alertId } = await setup(engine, async () => 'gone');
    await worker.beat();
    const actions = (await alerts.store.timeline(alertId)).map((e) => e.action);
    expect(actions).toContain('notify_failed');
    expect(actions).not.toContain('notified');
    expect((await outbox.ofAlert(alertId))[0]?.status).toBe('failed');
  });

  it('the notification is planned in the alert’s transaction, once, and a resolve cancels the chain still pending', async () => {
    const { outbox, alerts, alertId } = await setup(engine, async () => 'delivered');
    const planned = await outbox.ofAlert(alertId);
    expect(planned.map((n) => [n.recipient, n.channel, n.status])).toEqual([
      ['daughter', 'webhook', 'pending'],
    ]);
    await alerts.resolve(
      alertId,
      { username: 'op', role: 'operator', scope: 'c', elderIds: [] },
      'false_alarm',
    );
    expect((await outbox.ofAlert(alertId)).map((n) => n.status)).toEqual(['cancelled']);
  });

  it('family members, preferences and push subscriptions are read back as stored', async () => {
    const { outbox } = await setup(engine, async () => 'delivered');
    await outbox.subscribe('daughter', 'https://push.example/1', {
      p256dh: 'p'.repeat(20),
      auth: 'a'.repeat(10),
    });
    expect(await outbox.pushEndpoints('daughter')).toEqual(['https://push.example/1']);
    expect(await outbox.pushKeys('https://push.example/1')).toEqual({
      p256dh: 'p'.repeat(20),
      auth: 'a'.repeat(10),
    });
    expect((await outbox.family('el-1')).map((m) => [m.username, m.prefs.webhook])).toEqual([
      ['daughter', 'https://sms.example/hook'],
    ]);
    expect(await outbox.family('el-10')).toEqual([]);
    await outbox.unsubscribe('https://push.example/1');
    expect(await outbox.pushKeys('https://push.example/1')).toBeNull();
  });
});
