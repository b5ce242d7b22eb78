import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../cloud/db/sql.ts';
import type { AlertService } from '../cloud/domain/alert-service.ts';
import type { SimulatedHome } from '../device-sims/mqtt-home.ts';
import { eventually, TestSystem, world } from './support/system.ts';

const eventCount = async (db: Sql, ids: readonly string[]): Promise<number> => {
  const list = ids.map((_, i) => `$${i + 1}`).join(', ');
  const row = await db.get(`SELECT count(*) AS n FROM events WHERE event_id IN (${list})`, ids);
  return Number(row?.n ?? 0);
};

const alertCount = async (db: Sql, ids: readonly string[]): Promise<number> => {
  const list = ids.map((_, i) => `$${i + 1}`).join(', ');
  const row = await db.get(`SELECT count(*) AS n FROM alerts WHERE event_id IN (${list})`, ids);
  return Number(row?.n ?? 0);
};

/**
 * Holds the first batch of events inside its open transaction until `release()`: what arrives meanwhile
 * is what classic group commit must put into the next transaction. Records each batch's size, and counts
 * every transaction the cloud's store opens.
 */
function holdFirstBatch(alerts: AlertService, store: Sql) {
  const batches: number[] = [];
  let transactions = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const ingest = alerts.ingestEventsWith.bind(alerts);
  const transaction = store.transaction.bind(store);
  alerts.ingestEventsWith = ((items, resolve) => {
    batches.push(items.length);
    if (batches.length > 1) return ingest(items, resolve);
    return ingest(items, async (tx, item) => {
      await gate;
      return resolve(tx, item);
    });
  }) as AlertService['ingestEventsWith'];
  store.transaction = ((fn) => {
    transactions++;
    return transaction(fn);
  }) as Sql['transaction'];
  return {
    batches,
    transactions: () => transactions,
    release,
    restore: () => {
      alerts.ingestEventsWith = ingest;
      store.transaction = transaction;
    },
  };
}

describe('device events are group-committed: one transaction for those that arrive during a commit', () => {
  let sys: TestSystem;
  let homes: SimulatedHome[];
  let restore = () => {};
  beforeAll(async () => {
    sys = await TestSystem.start();
    homes = await Promise.all(world.gateways.map((g) => sys.home(g.id)));
  });
  afterEach(() => restore());
  afterAll(async () => {
    await sys.stop();
  });

  /** Events the cloud has read from the broker (ingested, stored or not). */
  const eventsRead = async (): Promise<number> =>
    (await sys.system.cloud.metrics.ingested.get()).values.find((v) => v.labels.kind === 'device-event')
      ?.value ?? 0;

  it('SOS pressed in every home while the first one commits are stored in one following transaction, each raising one alert', async () => {
    const { store, alerts } = sys.system.cloud;
    const hold = holdFirstBatch(alerts, store);
    restore = hold.restore;
    const [first, ...others] = homes;
    if (!first || others.length < 2) throw new Error('the demo world has too few gateways');
    const read = await eventsRead();
    const firstId = await first.event('sos');
    await eventually(() => hold.batches.length === 1, 5000, 'the first batch');
    const otherIds = await Promise.all(others.map((home) => home.event('sos')));
    // Every one of them is with the cloud, queued behind the open transaction.
    await eventually(async () => (await eventsRead()) >= read + homes.length, 5000, 'events read');
    const before = hold.transactions();
    hold.release();
    const ids = [firstId, ...otherIds];
    await eventually(async () => (await alertCount(store, ids)) === ids.length, 10_000, 'all alerts');
    expect(hold.batches).toEqual([1, others.length]);
    // The second batch is one transaction (a scheduler beat may add one), not one per event.
    expect(hold.transactions() - before).toBeLessThanOrEqual(2);
    expect(await eventCount(store, ids)).toBe(ids.length);
  });

  it('an event that cannot be stored fails alone: the others of its batch are stored and alerted, and it stays in the journal until it can be', async () => {
    const { store, alerts, registry } = sys.system.cloud;
    const journal = sys.system.broker?.journal;
    if (!journal) throw new Error('no in-process broker');
    // Resolve the SOS raised above, so each home may raise a new one.
    const token = await sys.login('sup-city');
    const open = await store.all<{ id: string }>("SELECT id FROM alerts WHERE state <> 'resolved'");
    for (const { id } of open) {
      const { status } = await sys.api(token, 'POST', `/api/alerts/${id}/resolve`, {
        outcome: 'false_alarm',
      });
      expect(status).toBe(200);
    }
    const [first, poisoned, ...others] = homes;
    if (!first || !poisoned || others.length < 2) throw new Error('the demo world has too few gateways');
    const hold = holdFirstBatch(alerts, store);
    // The poisoned gateway's device cannot be looked up inside a transaction (a stand-in for any failure
    // of one event's work: the whole batch's transaction rolls back).
    const inTx = registry.in.bind(registry);
    registry.in = ((tx) => {
      const bound = inTx(tx);
      const lookup = bound.deviceContext.bind(bound);
      bound.deviceContext = async (gatewayId, deviceId) => {
        if (gatewayId === poisoned.gateway.id) throw new Error('poisoned');
        return lookup(gatewayId, deviceId);
      };
      return bound;
    }) as typeof registry.in;
    restore = () => {
      hold.restore();
      registry.in = inTx;
    };
    const read = await eventsRead();
    await first.event('sos');
    await eventually(() => hold.batches.length === 1, 5000, 'the first batch');
    const poisonId = await poisoned.event('sos');
    const otherIds = await Promise.all(others.map((home) => home.event('sos')));
    await eventually(async () => (await eventsRead()) >= read + homes.length, 5000, 'events read');
    hold.release();
    await eventually(
      async () => (await alertCount(store, otherIds)) === otherIds.length,
      10_000,
      'neighbours',
    );
    // The batch of the poisoned one and its neighbours failed whole, then went event by event.
    expect(hold.batches.slice(0, 2)).toEqual([1, 1 + others.length]);
    expect(hold.batches.slice(2)).toHaveLength(1 + others.length);
    expect(await eventCount(store, otherIds)).toBe(otherIds.length);
    expect(await eventCount(store, [poisonId])).toBe(0);
    // Not acknowledged to the journal: the broker keeps it, and replays it once it can be stored.
    await new Promise((r) => setTimeout(r, 100));
    expect((await journal.pending()).map((e) => e.eventId)).toContain(poisonId);
    registry.in = inTx;
    // The broker's sweep (every 5 s, entries unacknowledged for 10 s) brings it back.
    await eventually(async () => (await alertCount(store, [poisonId])) === 1, 25_000, 'the replay');
    await eventually(async () => !(await journal.pending()).some((e) => e.eventId === poisonId), 5000);
  }, 40_000);
});
