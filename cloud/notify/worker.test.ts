import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database.ts';
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
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(answer: () => Promise<SendResult>) {
  const dir = mkdtempSync(join(tmpdir(), 'worker-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'cloud.db'));
  const registry = new Registry(db);
  registry.insertRegion({ id: 'c', name: 'C', level: 'city', parent: null });
  registry.insertRegion({ id: 'c.d', name: 'D', level: 'district', parent: 'c' });
  registry.insertRegion({ id: 'c.d.x', name: 'X', level: 'community', parent: 'c.d' });
  registry.insertHousehold({ id: 'hh-1', region: 'c.d.x', address: 'No. 1' });
  registry.insertElder({ id: 'el-1', householdId: 'hh-1', name: 'Elder' });
  registry.insertGateway({ id: 'gw-1', householdId: 'hh-1', secretHash: 'x', devices: [] });
  registry.insertUser({
    username: 'daughter',
    passwordHash: 'x',
    role: 'family',
    scope: 'c.d.x',
    elderIds: ['el-1'],
  });
  const clock = { now: T0 };
  const outbox = new NotificationOutbox(db, 'secret');
  outbox.setPrefs('daughter', { push: false, webhook: 'https://sms.example/hook', severities: ['critical'] });
  const alerts = new AlertService(db, {
    clock: () => clock.now,
    inTransaction: (c, now) => outbox.plan(c, now),
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
  alerts.ingestEvent(
    ctx,
    { id: 'event-0001', ts: new Date(T0).toISOString(), type: 'sos' },
    new Date(T0).toISOString(),
  );
  const alertId =
    alerts.store.listForUser({ username: 'x', role: 'admin', scope: 'c', elderIds: [] })[0]?.id ?? '';
  return { alerts, outbox, worker, sent, clock, alertId };
}

describe('the notification worker', () => {
  it('a delivered notification is recorded on the row and on the alert timeline, and never sent again', async () => {
    const { worker, sent, outbox, alerts, alertId } = setup(async () => 'delivered');
    await worker.beat();
    await worker.beat();
    expect(sent).toHaveLength(1);
    expect(outbox.ofAlert(alertId).map((n) => n.status)).toEqual(['delivered']);
    expect(alerts.store.timeline(alertId).map((e) => e.action)).toContain('notified');
  });

  it('a failed send is retried with backoff, not at once', async () => {
    let fail = true;
    const { worker, sent, clock, outbox, alertId } = setup(async () => {
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
    expect(outbox.ofAlert(alertId)[0]).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('a target that is gone is a failure on the timeline, never "notified"', async () => {
    const { worker, alerts, outbox, alertId } = setup(async () => 'gone');
    await worker.beat();
    const actions = alerts.store.timeline(alertId).map((e) => e.action);
    expect(actions).toContain('notify_failed');
    expect(actions).not.toContain('notified');
    expect(outbox.ofAlert(alertId)[0]?.status).toBe('failed');
  });
});
