import { describe, expect, it } from 'vitest';
import type { EventEnvelope, EventType } from '../../protocol/index.ts';
import { storeEngines } from '../../tests/support/stores.ts';
import type { Sql } from '../db/sql.ts';
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

const ENGINES = storeEngines();

/** One home in the store, once. */
async function seed(db: Sql): Promise<void> {
  const registry = new Registry(db);
  if (!(await registry.isEmpty())) return;
  await registry.insertRegion({ id: 'city', name: 'City', level: 'city', parent: null });
  await registry.insertRegion({ id: 'city.d1', name: 'D1', level: 'district', parent: 'city' });
  await registry.insertRegion({ id: 'city.d1.c1', name: 'C1', level: 'community', parent: 'city.d1' });
  await registry.insertHousehold({ id: 'hh-1', region: 'city.d1.c1', address: 'No. 1' });
  await registry.insertElder({
    id: 'el-1',
    householdId: 'hh-1',
    name: 'Elder',
    profile: { livesAlone: true },
  });
  await registry.insertGateway({
    id: 'gw-1',
    householdId: 'hh-1',
    secretHash: 'x',
    devices: [{ id: 'dev-1', kind: 'rf433-bridge', elderId: 'el-1' }],
  });
}

/** An alert service on a clock the test moves. */
function service(db: Sql): { clock: { now: number }; alerts: AlertService } {
  const clock = { now: T0 };
  const alerts = new AlertService(db, {
    clock: () => clock.now,
    escalateAfterS: 60,
    ruleOverrides: { fall: { graceS: 30 } },
  });
  return { clock, alerts };
}

let n = 0;
function event(type: EventType, at: number): EventEnvelope {
  n += 1;
  return { id: `event-${String(n).padStart(6, '0')}`, ts: new Date(at).toISOString(), type };
}

describe.each(ENGINES)('the alert lifecycle with a fake clock, on $name', (engine) => {
  /** A cloud store with one home, and an alert service on a clock the test moves. */
  async function world(reopen?: Sql): Promise<{ db: Sql; clock: { now: number }; alerts: AlertService }> {
    const db = reopen ? await engine.reopen(reopen) : await engine.open();
    await seed(db);
    return { db, ...service(db) };
  }

  it('an unacknowledged SOS escalates community → district → city, then keeps reminding until acknowledged', async () => {
    const { alerts, clock } = await world();
    await alerts.ingestEvent(ctx, event('sos', T0), new Date(T0).toISOString());
    const [alert] = await alerts.store.listForUser(operator);
    const at = async (s: number) => {
      clock.now = T0 + s * 1000;
      await alerts.tick();
      return (await alerts.store.get(alert?.id ?? ''))?.escalationLevel;
    };
    expect(await at(59)).toBe(0);
    expect(await at(60)).toBe(1);
    expect(await at(119)).toBe(1);
    expect(await at(120)).toBe(2);
    expect(await at(180)).toBe(2);
    await alerts.acknowledge(alert?.id ?? '', operator);
    expect(await at(600)).toBe(2);
    const actions = (await alerts.store.timeline(alert?.id ?? '')).map((e) => e.action);
    expect(actions).toEqual(['raised', 'escalated', 'escalated', 'reminder', 'acknowledged']);
  });

  it('an escalation deadline survives a restart of the cloud', async () => {
    const first = await world();
    await first.alerts.ingestEvent(ctx, event('sos', T0), new Date(T0).toISOString());
    await first.db.close();
    const second = await world(first.db);
    second.clock.now = T0 + 61_000;
    const changes = await second.alerts.tick();
    expect(changes.map((c) => [c.change, c.alert.escalationLevel])).toEqual([['updated', 1]]);
  });

  it('a fall not cleared within the grace period raises a critical alert, even across a restart mid-window', async () => {
    const first = await world();
    await first.alerts.ingestEvent(ctx, event('fall', T0), new Date(T0).toISOString());
    expect(await first.alerts.store.listForUser(operator)).toHaveLength(0);
    await first.db.close();
    const second = await world(first.db);
    second.clock.now = T0 + 29_000;
    expect(await second.alerts.tick()).toEqual([]);
    second.clock.now = T0 + 30_000;
    const [change] = await second.alerts.tick();
    expect(change?.alert).toMatchObject({
      type: 'fall',
      severity: 'critical',
      occurredAt: new Date(T0).toISOString(),
    });
  });

  it('a fall cleared inside the grace period raises nothing', async () => {
    const { alerts, clock } = await world();
    await alerts.ingestEvent(ctx, event('fall', T0), new Date(T0).toISOString());
    clock.now = T0 + 10_000;
    await alerts.ingestEvent(ctx, event('fall_cleared', T0 + 10_000), new Date(T0 + 10_000).toISOString());
    clock.now = T0 + 60_000;
    await alerts.tick();
    expect((await alerts.store.listForUser(operator)).filter((a) => a.type === 'fall')).toHaveLength(0);
  });

  it('a gateway clock ten minutes ahead is flagged on the alert and not trusted for timing', async () => {
    const { alerts } = await world();
    const ahead = T0 + 10 * 60_000;
    await alerts.ingestEvent(ctx, event('sos', ahead), new Date(T0).toISOString());
    const [alert] = await alerts.store.listForUser(operator);
    expect(alert?.clockSkewMs).toBe(10 * 60_000);
    expect(alert?.occurredAt).toBe(new Date(ahead).toISOString());
  });

  it('notes and responder milestones join the timeline in order, with who did them', async () => {
    const { alerts, clock } = await world();
    await alerts.ingestEvent(ctx, event('sos', T0), new Date(T0).toISOString());
    const id = (await alerts.store.listForUser(operator))[0]?.id ?? '';
    clock.now = T0 + 20_000;
    await alerts.acknowledge(id, operator, '已电话联系');
    clock.now = T0 + 40_000;
    await alerts.record(id, operator, {
      action: 'responder_accepted',
      data: { responder: '网格员王芳', etaMinutes: 8 },
    });
    clock.now = T0 + 500_000;
    await alerts.record(id, operator, { action: 'on_scene' });
    await alerts.resolve(id, operator, 'assisted', '老人轻微擦伤');
    const timeline = await alerts.store.timeline(id);
    expect(timeline.map((e) => `${e.actor}:${e.action}`)).toEqual([
      'gw-1:raised',
      'op-1:acknowledged',
      'op-1:responder_accepted',
      'op-1:on_scene',
      'op-1:resolved',
    ]);
    expect(timeline[2]?.data).toEqual({ responder: '网格员王芳', etaMinutes: 8 });
  });

  it('a rule that throws is reported and skipped, and the SOS in the same event is still raised', async () => {
    const { db } = await world();
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
    await alerts.ingestEvent(ctx, event('sos', T0), new Date(T0).toISOString());
    expect(errors).toEqual(['broken']);
    expect((await alerts.store.listForUser(operator)).map((a) => a.type)).toEqual(['sos']);
  });

  it('the same event id twice raises one alert, and the second ingest reports a duplicate', async () => {
    const { alerts } = await world();
    const sos = event('sos', T0);
    const heard: string[] = [];
    alerts.onChange((change) => heard.push(change));
    expect((await alerts.ingestEvent(ctx, sos, new Date(T0).toISOString())).duplicate).toBe(false);
    expect(await alerts.ingestEvent(ctx, sos, new Date(T0 + 5_000).toISOString())).toEqual({
      duplicate: true,
    });
    expect(await alerts.store.count()).toBe(1);
    expect(heard).toEqual(['raised']);
  });

  it('two cloud instances racing on the same event id raise exactly one alert, announced by one of them', async () => {
    const { db } = await world();
    const first = service(db);
    const instances = [first, service(await engine.second(db))];
    const heard: string[] = [];
    for (const { alerts } of instances)
      alerts.onChange((change, alert) => heard.push(`${change}:${alert.type}`));
    for (let round = 0; round < 5; round++) {
      const sos = event('sos', T0 + round);
      const outcomes = await Promise.all(
        instances.flatMap(({ alerts }) => [
          alerts.ingestEvent(ctx, sos, new Date(T0).toISOString()),
          alerts.ingestEvent(ctx, sos, new Date(T0).toISOString()),
        ]),
      );
      expect(outcomes.filter((o) => !o.duplicate)).toHaveLength(1);
    }
    // One alert (later SOS events repeat the open one), raised once and updated per new event.
    const [alert, ...others] = await first.alerts.store.listForUser(operator);
    expect(others).toEqual([]);
    expect(alert?.repeatCount).toBe(4);
    expect(heard.filter((h) => h === 'raised:sos')).toHaveLength(1);
    expect(heard).toHaveLength(5);
  });

  it('a change is told to listeners only after its commit, so a failing planner leaves no alert behind', async () => {
    const { db } = await world();
    const heard: string[] = [];
    const alerts = new AlertService(db, {
      clock: () => T0,
      inTransaction: async () => {
        throw new Error('planner down');
      },
    });
    alerts.onChange((change) => heard.push(change));
    await expect(alerts.ingestEvent(ctx, event('sos', T0), new Date(T0).toISOString())).rejects.toThrow(
      'planner down',
    );
    expect(heard).toEqual([]);
    expect(await alerts.store.count()).toBe(0);
    expect(await db.get('SELECT count(*) AS n FROM events')).toEqual({ n: 0 });
  });

  it('a batch of events the store runs twice (a retried serialization failure) is told once, from the attempt that committed', async () => {
    const { db } = await world();
    const retry = new Error('serialization failure');
    let attempts = 0;
    // Every transaction's first attempt is rolled back after its work, as PostgreSQL does on 40001.
    const retrying = new Proxy(db, {
      get(target, key) {
        if (key === 'transaction')
          return async <T>(fn: (tx: Parameters<Parameters<Sql['transaction']>[0]>[0]) => Promise<T>) => {
            attempts++;
            await target
              .transaction(async (tx) => {
                await fn(tx);
                throw retry;
              })
              .catch((err: unknown) => {
                if (err !== retry) throw err;
              });
            attempts++;
            return target.transaction(fn);
          };
        const value = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const followUps: string[] = [];
    const alerts = new AlertService(retrying, {
      clock: () => T0,
      onEvent: async (_tx, _ctx, e) => () => followUps.push(e.id),
    });
    const heard: string[] = [];
    alerts.onChange((change, alert) => heard.push(`${change}:${alert.type}`));
    const at = new Date(T0).toISOString();
    const batch = [event('sos', T0), event('sos', T0 + 1), event('fall', T0 + 2)];
    const outcomes = await alerts.ingestEvents(batch.map((e) => ({ ctx, event: e, receivedAt: at })));
    expect(attempts).toBe(2);
    expect(outcomes.map((o) => o.duplicate)).toEqual([false, false, false]);
    expect(heard).toEqual(['raised:sos', 'updated:sos']);
    expect(followUps).toEqual(batch.map((e) => e.id));
    expect(await db.get('SELECT count(*) AS n FROM events')).toEqual({ n: 3 });
    expect(await alerts.store.count()).toBe(1);
  });
});
