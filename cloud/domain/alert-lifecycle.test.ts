import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventEnvelope, EventType } from '../../protocol/index.ts';
import { openDatabase } from '../db/database.ts';
import type { AnyRule } from '../rules/rule.ts';
import { sosRule } from '../rules/sos.ts';
import { AlertService } from './alert-service.ts';
import { type DeviceContext, Registry } from './registry.ts';
import type { User } from './scope.ts';

const T0 = Date.UTC(2026, 10, 22, 2, 0, 0);
const operator: User = { username: 'op-1', role: 'operator', scope: 'city.d1.c1', elderIds: [] };
const ctx: DeviceContext = {
  gatewayId: 'gw-1',
  deviceId: 'dev-1',
  deviceKind: 'rf433-bridge',
  householdId: 'hh-1',
  region: 'city.d1.c1',
  elderId: 'el-1',
};

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A cloud store with one home, and an alert service on a clock the test moves. */
function world(path?: string): {
  db: DatabaseSync;
  path: string;
  clock: { now: number };
  alerts: AlertService;
} {
  let file = path;
  if (!file) {
    const dir = mkdtempSync(join(tmpdir(), 'lifecycle-'));
    dirs.push(dir);
    file = join(dir, 'cloud.db');
  }
  const db = openDatabase(file);
  const registry = new Registry(db);
  if (registry.isEmpty()) {
    registry.insertRegion({ id: 'city', name: 'City', level: 'city', parent: null });
    registry.insertRegion({ id: 'city.d1', name: 'D1', level: 'district', parent: 'city' });
    registry.insertRegion({ id: 'city.d1.c1', name: 'C1', level: 'community', parent: 'city.d1' });
    registry.insertHousehold({ id: 'hh-1', region: 'city.d1.c1', address: 'No. 1' });
    registry.insertElder({ id: 'el-1', householdId: 'hh-1', name: 'Elder', profile: { livesAlone: true } });
    registry.insertGateway({
      id: 'gw-1',
      householdId: 'hh-1',
      secretHash: 'x',
      devices: [{ id: 'dev-1', kind: 'rf433-bridge', elderId: 'el-1' }],
    });
  }
  const clock = { now: T0 };
  const alerts = new AlertService(db, {
    clock: () => clock.now,
    escalateAfterS: 60,
    ruleOverrides: { fall: { graceS: 30 } },
  });
  return { db, path: file, clock, alerts };
}

let n = 0;
function event(type: EventType, at: number): EventEnvelope {
  n += 1;
  return { id: `event-${String(n).padStart(6, '0')}`, ts: new Date(at).toISOString(), type };
}

describe('the alert lifecycle with a fake clock', () => {
  it('an unacknowledged SOS escalates community → district → city, then keeps reminding until acknowledged', () => {
    const { alerts, clock } = world();
    alerts.ingestEvent(ctx, event('sos', T0), new Date(T0).toISOString());
    const [alert] = alerts.store.listForUser(operator);
    const at = (s: number) => {
      clock.now = T0 + s * 1000;
      alerts.tick();
      return alerts.store.get(alert?.id ?? '')?.escalationLevel;
    };
    expect(at(59)).toBe(0);
    expect(at(60)).toBe(1);
    expect(at(119)).toBe(1);
    expect(at(120)).toBe(2);
    expect(at(180)).toBe(2);
    alerts.acknowledge(alert?.id ?? '', operator);
    expect(at(600)).toBe(2);
    const actions = alerts.store.timeline(alert?.id ?? '').map((e) => e.action);
    expect(actions).toEqual(['raised', 'escalated', 'escalated', 'reminder', 'acknowledged']);
  });

  it('an escalation deadline survives a restart of the cloud', () => {
    const first = world();
    first.alerts.ingestEvent(ctx, event('sos', T0), new Date(T0).toISOString());
    first.db.close();
    const second = world(first.path);
    second.clock.now = T0 + 61_000;
    const changes = second.alerts.tick();
    expect(changes.map((c) => [c.change, c.alert.escalationLevel])).toEqual([['updated', 1]]);
  });

  it('a fall not cleared within the grace period raises a critical alert, even across a restart mid-window', () => {
    const first = world();
    first.alerts.ingestEvent(ctx, event('fall', T0), new Date(T0).toISOString());
    expect(first.alerts.store.listForUser(operator)).toHaveLength(0);
    first.db.close();
    const second = world(first.path);
    second.clock.now = T0 + 29_000;
    expect(second.alerts.tick()).toEqual([]);
    second.clock.now = T0 + 30_000;
    const [change] = second.alerts.tick();
    expect(change?.alert).toMatchObject({
      type: 'fall',
      severity: 'critical',
      occurredAt: new Date(T0).toISOString(),
    });
  });

  it('a fall cleared inside the grace period raises nothing', () => {
    const { alerts, clock } = world();
    alerts.ingestEvent(ctx, event('fall', T0), new Date(T0).toISOString());
    clock.now = T0 + 10_000;
    alerts.ingestEvent(ctx, event('fall_cleared', T0 + 10_000), new Date(T0 + 10_000).toISOString());
    clock.now = T0 + 60_000;
    alerts.tick();
    expect(alerts.store.listForUser(operator).filter((a) => a.type === 'fall')).toHaveLength(0);
  });

  it('a gateway clock ten minutes ahead is flagged on the alert and not trusted for timing', () => {
    const { alerts } = world();
    const ahead = T0 + 10 * 60_000;
    alerts.ingestEvent(ctx, event('sos', ahead), new Date(T0).toISOString());
    const [alert] = alerts.store.listForUser(operator);
    expect(alert?.clockSkewMs).toBe(10 * 60_000);
    expect(alert?.occurredAt).toBe(new Date(ahead).toISOString());
  });

  it('notes and responder milestones join the timeline in order, with who did them', () => {
    const { alerts, clock } = world();
    alerts.ingestEvent(ctx, event('sos', T0), new Date(T0).toISOString());
    const id = alerts.store.listForUser(operator)[0]?.id ?? '';
    clock.now = T0 + 20_000;
    alerts.acknowledge(id, operator, '已电话联系');
    clock.now = T0 + 40_000;
    alerts.record(id, operator, {
      action: 'responder_accepted',
      data: { responder: '网格员王芳', etaMinutes: 8 },
    });
    clock.now = T0 + 500_000;
    alerts.record(id, operator, { action: 'on_scene' });
    alerts.resolve(id, operator, 'assisted', '老人轻微擦伤');
    const timeline = alerts.store.timeline(id);
    expect(timeline.map((e) => `${e.actor}:${e.action}`)).toEqual([
      'gw-1:raised',
      'op-1:acknowledged',
      'op-1:responder_accepted',
      'op-1:on_scene',
      'op-1:resolved',
    ]);
    expect(timeline[2]?.data).toEqual({ responder: '网格员王芳', etaMinutes: 8 });
  });

  it('a rule that throws is reported and skipped, and the SOS in the same event is still raised', () => {
    const { db } = world();
    const errors: string[] = [];
    const broken: AnyRule = {
      id: 'broken',
      defaults: {},
      key: () => 'k',
      evaluate: () => {
        throw new Error('bad setting "25:00"');
      },
    };
    const alerts = new AlertService(db, {
      rules: [broken, sosRule],
      clock: () => T0,
      onRuleError: (id) => errors.push(id),
    });
    alerts.ingestEvent(ctx, event('sos', T0), new Date(T0).toISOString());
    expect(errors).toEqual(['broken']);
    expect(alerts.store.listForUser(operator).map((a) => a.type)).toEqual(['sos']);
  });
});
