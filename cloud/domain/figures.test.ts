import { beforeAll, describe, expect, it } from 'vitest';
import { storeEngines } from '../../tests/support/stores.ts';
import type { Sql } from '../db/sql.ts';
import { computeFigures, type GroupFigures, seriesByDay } from './figures.ts';
import { nearestRank } from './nearest-rank.ts';

const FROM = '2026-09-30T16:00:00.000Z'; // 2026-10-01 00:00 local (+08:00)
const TO = '2026-10-02T16:00:00.000Z'; // 2026-10-03 00:00 local
const T0 = Date.parse('2026-10-01T01:00:00.000Z');
const T1 = Date.parse('2026-10-02T01:00:00.000Z');
const at = (base: number, s: number) => new Date(base + s * 1000).toISOString();

// Ids with `_` and a `d_1` / `d_10` / `dX1` trio: a LIKE or a bare prefix match would leak across them.
const REGIONS = [
  ['c1', 'city', null],
  ['c1.d_1', 'district', 'c1'],
  ['c1.d2', 'district', 'c1'],
  ['c1.dX1', 'district', 'c1'],
  ['c1.d_10', 'district', 'c1'],
  ['c1.d_1.a', 'community', 'c1.d_1'],
  ['c1.d_1.b', 'community', 'c1.d_1'],
  ['c1.d2.x', 'community', 'c1.d2'],
  ['c1.d2.y', 'community', 'c1.d2'],
  ['c1.dX1.q', 'community', 'c1.dX1'],
  ['c1.d_10.z', 'community', 'c1.d_10'],
] as const;
const HOMES = ['a', 'b', 'x', 'q', 'z'] as const;
const REGION_OF = { a: 'c1.d_1.a', b: 'c1.d_1.b', x: 'c1.d2.x', q: 'c1.dX1.q', z: 'c1.d_10.z' } as const;

type Spec = [
  id: string,
  home: (typeof HOMES)[number],
  type: string,
  severity: string,
  raisedAt: string,
  ackS: number | null,
  resolveS: number | null,
  outcome: string | null,
];
const ALERTS: Spec[] = [
  ['a1', 'a', 'sos', 'critical', FROM, 10, 300, 'assisted'],
  ['a2', 'a', 'sos', 'critical', at(T0, 600), 20, 600, 'false_alarm'],
  ['a3', 'a', 'fall', 'critical', at(T0, 1200), 30, 900, 'ems_dispatched'],
  ['a4', 'a', 'sos', 'critical', at(T0, 1800), 40, 1200, 'false_alarm'],
  ['a5', 'a', 'smoke', 'critical', at(T0, 2400), 50, 1500, 'false_alarm'],
  ['a6', 'a', 'sos', 'critical', at(T0, 3000), 60, 1800, 'assisted'],
  ['a7', 'a', 'inactivity', 'high', at(T0, 3600), 90, 2100, 'family_assisted'],
  ['a8', 'a', 'gateway_offline', 'medium', at(T0, 4200), 120, null, null],
  ['a9', 'a', 'low_battery', 'low', at(T0, 4800), 200, 2400, 'other'],
  ['a10', 'a', 'sos', 'critical', '2026-10-01T15:59:59.999Z', null, null, null],
  ['b1', 'b', 'sos', 'critical', '2026-10-01T16:00:00.000Z', 5, 100, 'false_alarm'],
  ['b2', 'b', 'sos', 'critical', at(T1, 0), 15, 200, 'assisted'],
  ['b3', 'b', 'fall', 'critical', at(T1, 600), 25, 300, 'assisted'],
  ['b4', 'b', 'sos', 'critical', at(T1, 1200), 35, 400, 'hospitalised'],
  ['b5', 'b', 'vitals', 'high', at(T1, 1800), 45, 500, 'assisted'],
  ['b6', 'b', 'sos', 'critical', at(T1, 2400), 150, null, null],
  ['x1', 'x', 'sos', 'critical', at(T0, 0), 30, 600, 'assisted'],
  ['x2', 'x', 'sos', 'critical', at(T0, 600), 70, 700, 'false_alarm'],
  ['x3', 'x', 'fall', 'critical', at(T0, 1200), null, 900, 'other'],
  ['x4', 'x', 'sos', 'critical', at(T1, 0), 500, 1000, 'assisted'],
  ['q1', 'q', 'sos', 'critical', at(T0, 0), 10, 60, 'assisted'],
  ['z1', 'z', 'sos', 'critical', at(T0, 0), 100, 200, 'assisted'],
  ['late', 'a', 'sos', 'critical', TO, null, null, null],
  ['early', 'b', 'sos', 'critical', '2026-09-30T15:59:59.999Z', 20, 100, 'assisted'],
];

async function seed(db: Sql): Promise<void> {
  for (const [id, level, parent] of REGIONS)
    await db.run('INSERT INTO regions (id, name, level, parent) VALUES ($1, $2, $3, $4)', [
      id,
      id,
      level,
      parent,
    ]);
  for (const h of HOMES) {
    await db.run('INSERT INTO households (id, region, address) VALUES ($1, $2, $3)', [
      `hh-${h}`,
      REGION_OF[h] ?? '',
      h,
    ]);
    await db.run('INSERT INTO elders (id, household_id, name) VALUES ($1, $2, $3)', [
      `el-${h}`,
      `hh-${h}`,
      h,
    ]);
  }
  const insert = (...values: (string | null)[]) =>
    db.run(
      `INSERT INTO alerts (id, type, severity, state, elder_id, household_id, region, gateway_id, device_id,
         event_id, occurred_at, received_at, raised_at, acknowledged_at, resolved_at, outcome, dedupe_key, last_seen_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'gw', 'dev', $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
      values,
    );
  for (const [id, home, type, severity, raisedAt, ackS, resolveS, outcome] of ALERTS) {
    const raised = Date.parse(raisedAt);
    const state = resolveS !== null ? 'resolved' : ackS !== null ? 'acknowledged' : 'open';
    const ackAt = ackS === null ? null : at(raised, ackS);
    const resolvedAt = resolveS === null ? null : at(raised, resolveS);
    await insert(
      id,
      type,
      severity,
      state,
      `el-${home}`,
      `hh-${home}`,
      REGION_OF[home] ?? '',
      `ev-${id}`,
      raisedAt,
      raisedAt,
      raisedAt,
      ackAt,
      resolvedAt,
      outcome,
      `key-${id}`,
      raisedAt,
    );
  }
}

const ENGINES = storeEngines();
const NO_SERVICES = {
  total: 0,
  byKind: { meal: 0, visit: 0, chat: 0, other: 0 },
  done: 0,
  cancelled: 0,
  doneP50S: null,
  openNow: 0,
};

describe.each(ENGINES)('service figures over a fixed set of alerts, on $name', (engine) => {
  let db: Sql;
  beforeAll(async () => {
    db = await engine.open();
    await seed(db);
  });

  const byRegion = (groups: GroupFigures[]) => new Map(groups.map((g) => [g.region, g]));

  it('a district’s figures count its 16 alerts of the period with the expected shares, percentiles and counts', async () => {
    const f = await computeFigures(db, { region: 'c1.d_1', from: FROM, to: TO });
    expect(f.groups).toEqual([f.overall]);
    expect(f.targets).toEqual({ ackWithin60s: 0.975, ackWithin180s: 0.99 });
    expect(f.overall).toEqual({
      region: 'c1.d_1',
      total: 16,
      acknowledged: 15,
      resolved: 13,
      ackWithin60sShare: 11 / 16,
      ackWithin180sShare: 14 / 16,
      ackP50S: 40,
      ackP95S: 200,
      resolveP50S: 600,
      resolveP95S: 2400,
      byType: { sos: 9, fall: 2, smoke: 1, inactivity: 1, gateway_offline: 1, low_battery: 1, vitals: 1 },
      bySeverity: { critical: 12, high: 2, medium: 1, low: 1 },
      byOutcome: {
        assisted: 5,
        false_alarm: 4,
        ems_dispatched: 1,
        family_assisted: 1,
        other: 1,
        hospitalised: 1,
      },
      falseAlarmRate: 4 / 13,
      openNow: 4,
      targetsMet: { ackWithin60s: false, ackWithin180s: false },
      services: NO_SERVICES,
    });
  });

  it('an alert raised exactly at `from` is counted and one raised exactly at `to` or a millisecond before `from` is not', async () => {
    const ids = async (from: string, to: string) =>
      (await computeFigures(db, { region: 'c1.d_1.a', from, to })).overall.total;
    expect(await ids(FROM, at(Date.parse(FROM), 1))).toBe(1); // a1, raised at FROM
    expect(await ids(TO, at(Date.parse(TO), 1))).toBe(1); // late, raised at TO, belongs to the next period
    expect(
      (await computeFigures(db, { region: 'c1.d_1.b', from: '2026-09-30T15:59:59.999Z', to: FROM })).overall
        .total,
    ).toBe(1);
    expect((await computeFigures(db, { region: 'c1.d_1.b', from: FROM, to: TO })).overall.total).toBe(6);
  });

  it('grouping by community lists every community of the city, also one without alerts, with its own figures', async () => {
    const f = await computeFigures(db, { region: 'c1', from: FROM, to: TO, groupBy: 'community' });
    expect(f.groups.map((g) => g.region)).toEqual([
      'c1.d2.x',
      'c1.d2.y',
      'c1.dX1.q',
      'c1.d_1.a',
      'c1.d_1.b',
      'c1.d_10.z',
    ]);
    expect(f.groups.map((g) => g.total)).toEqual([4, 0, 1, 10, 6, 1]);
    expect(f.overall.total).toBe(22);
    const g = byRegion(f.groups);
    expect(g.get('c1.d_1.a')).toMatchObject({
      acknowledged: 9,
      ackWithin60sShare: 0.6,
      ackWithin180sShare: 0.8,
      ackP50S: 50,
      ackP95S: 200,
      resolveP50S: 1200,
      resolveP95S: 2400,
      falseAlarmRate: 0.375,
      openNow: 3,
    });
    expect(g.get('c1.d_1.b')).toMatchObject({
      ackWithin60sShare: 5 / 6,
      ackWithin180sShare: 1,
      ackP50S: 25,
      ackP95S: 150,
      resolveP50S: 300,
      resolveP95S: 500,
      falseAlarmRate: 0.2,
      openNow: 1,
      targetsMet: { ackWithin60s: false, ackWithin180s: true },
    });
    // One of x's alerts was resolved by an operator straight from open after 900 s: answered then.
    expect(g.get('c1.d2.x')).toMatchObject({
      acknowledged: 4,
      ackWithin60sShare: 0.25,
      ackWithin180sShare: 0.5,
      ackP50S: 70,
      ackP95S: 900,
      resolveP50S: 700,
      resolveP95S: 1000,
      byOutcome: { assisted: 2, false_alarm: 1, other: 1 },
      falseAlarmRate: 0.25,
      openNow: 0,
    });
  });

  it('a community without alerts has no shares or percentiles, and one that answered everything within 60 s meets both targets', async () => {
    const g = byRegion(
      (await computeFigures(db, { region: 'c1', from: FROM, to: TO, groupBy: 'community' })).groups,
    );
    expect(g.get('c1.d2.y')).toEqual({
      region: 'c1.d2.y',
      total: 0,
      acknowledged: 0,
      resolved: 0,
      ackWithin60sShare: null,
      ackWithin180sShare: null,
      ackP50S: null,
      ackP95S: null,
      resolveP50S: null,
      resolveP95S: null,
      byType: {},
      bySeverity: {},
      byOutcome: {},
      falseAlarmRate: null,
      openNow: 0,
      targetsMet: { ackWithin60s: null, ackWithin180s: null },
      services: NO_SERVICES,
    });
    expect(g.get('c1.dX1.q')?.targetsMet).toEqual({ ackWithin60s: true, ackWithin180s: true });
  });

  it('grouping by district cuts the region path, and never groups above the region asked for', async () => {
    const f = await computeFigures(db, { region: 'c1', from: FROM, to: TO, groupBy: 'district' });
    expect(f.groups.map((g) => [g.region, g.total, g.openNow])).toEqual([
      ['c1.d2', 4, 0],
      ['c1.dX1', 1, 0],
      ['c1.d_1', 16, 4],
      ['c1.d_10', 1, 0],
    ]);
    const inside = await computeFigures(db, { region: 'c1.d_1.a', from: FROM, to: TO, groupBy: 'district' });
    expect(inside.groups.map((g) => [g.region, g.total])).toEqual([['c1.d_1.a', 10]]);
  });

  it('a family view counts only the named elders’ alerts', async () => {
    expect(
      (await computeFigures(db, { region: null, elderIds: ['el-b'], from: FROM, to: TO })).overall.total,
    ).toBe(6);
  });

  it('the daily series splits at local (+08:00) midnight and lists days without alerts', async () => {
    const days = await seriesByDay(db, { region: 'c1.d_1', from: FROM, to: at(Date.parse(TO), 86_400) });
    expect(days).toEqual([
      {
        day: '2026-10-01',
        total: 10,
        ackWithin60sShare: 0.6,
        ackWithin180sShare: 0.8,
        ackP50S: 50,
        ackP95S: 200,
      },
      {
        day: '2026-10-02',
        total: 6,
        ackWithin60sShare: 5 / 6,
        ackWithin180sShare: 1,
        ackP50S: 25,
        ackP95S: 150,
      },
      {
        day: '2026-10-03',
        total: 1,
        ackWithin60sShare: 0,
        ackWithin180sShare: 0,
        ackP50S: null,
        ackP95S: null,
      },
    ]);
    const empty = {
      total: 0,
      ackWithin60sShare: null,
      ackWithin180sShare: null,
      ackP50S: null,
      ackP95S: null,
    };
    expect(await seriesByDay(db, { region: 'c1.d2.y', from: FROM, to: TO })).toEqual([
      { day: '2026-10-01', ...empty },
      { day: '2026-10-02', ...empty },
    ]);
  });

  it('an alert the system closed before anyone answered (cancelled by the elder) is left out of the answer shares', async () => {
    const before = (await computeFigures(db, { region: 'c1.dX1', from: FROM, to: TO })).overall;
    await db.run(
      `INSERT INTO alerts (id, type, severity, state, elder_id, household_id, region, gateway_id, device_id, event_id,
         occurred_at, received_at, raised_at, resolved_at, resolved_by, outcome, dedupe_key, last_seen_at)
       VALUES ('q2', 'sos', 'critical', 'resolved', 'el-q', 'hh-q', 'c1.dX1.q', 'gw', 'dev', 'ev-q2', $1, $1, $1, $2, 'system', 'false_alarm', 'key-q2', $1)`,
      [at(T0, 100), at(T0, 110)],
    );
    const after = (await computeFigures(db, { region: 'c1.dX1', from: FROM, to: TO })).overall;
    expect(after.total).toBe(before.total + 1);
    expect(after.ackWithin60sShare).toBe(before.ackWithin60sShare);
    expect(after.falseAlarmRate).toBeGreaterThan(before.falseAlarmRate ?? 0);
  });

  it('the nearest-rank percentile takes the value at rank ⌈p·n⌉', async () => {
    expect(nearestRank([1, 2, 3, 4], 0.5)).toBe(2);
    expect(nearestRank([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(nearestRank([7], 0.95)).toBe(7);
    expect(nearestRank([], 0.5)).toBeNull();
  });
});

/** [id, home, service, requestedAt, done after s (null: not done), state when not done]. */
const TICKETS: [string, (typeof HOMES)[number], string, string, number | null, string][] = [
  ['t1', 'a', 'meal', at(T0, 0), 600, 'done'],
  ['t2', 'a', 'meal', at(T0, 60), 1800, 'done'],
  ['t3', 'a', 'visit', at(T0, 120), 3600, 'done'],
  ['t4', 'a', 'chat', at(T1, 0), null, 'accepted'],
  ['t5', 'b', 'meal', at(T1, 0), 300, 'done'],
  ['t6', 'b', 'other', at(T1, 60), null, 'cancelled'],
  ['t7', 'x', 'visit', at(T0, 0), null, 'requested'],
  // Outside the period: counted only in `openNow` when still waiting.
  ['t8', 'a', 'chat', TO, null, 'requested'],
  ['t9', 'b', 'meal', '2026-09-30T15:59:59.999Z', 60, 'done'],
];

describe.each(ENGINES)('service-request figures of the green key, on $name', (engine) => {
  let db: Sql;
  beforeAll(async () => {
    db = await engine.open();
    await seed(db);
    for (const [id, home, service, requestedAt, doneS, state] of TICKETS)
      await db.run(
        `INSERT INTO service_tickets (id, service, state, elder_id, household_id, region, gateway_id, device_id,
           event_id, requested_at, received_at, last_requested_at, done_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'gw', 'keys', $7, $8, $8, $8, $9)`,
        [
          id,
          service,
          state,
          `el-${home}`,
          `hh-${home}`,
          REGION_OF[home],
          `ev-${id}`,
          requestedAt,
          doneS === null ? null : at(Date.parse(requestedAt), doneS),
        ],
      );
  });

  it('a district counts its requests of the period by kind, the median time to done, and those waiting now', async () => {
    const f = await computeFigures(db, { region: 'c1.d_1', from: FROM, to: TO });
    expect(f.overall.services).toEqual({
      total: 6,
      byKind: { meal: 3, visit: 1, chat: 1, other: 1 },
      done: 4,
      cancelled: 1,
      // 300, 600, 1800, 3600 s: rank ⌈0.5·4⌉ = 2.
      doneP50S: 600,
      openNow: 2,
    });
    // Service tickets are not alerts: the alert figures are the same as without them.
    expect(f.overall.total).toBe(16);
  });

  it('grouped per community, each community has its own service figures, those without requests zeros', async () => {
    const f = await computeFigures(db, { region: 'c1', from: FROM, to: TO, groupBy: 'community' });
    const services = new Map(f.groups.map((g) => [g.region, g.services]));
    expect(services.get('c1.d_1.a')).toMatchObject({ total: 4, doneP50S: 1800, openNow: 2 });
    expect(services.get('c1.d_1.b')).toMatchObject({
      total: 2,
      byKind: { meal: 1, visit: 0, chat: 0, other: 1 },
      doneP50S: 300,
      openNow: 0,
    });
    expect(services.get('c1.d2.x')).toMatchObject({ total: 1, done: 0, doneP50S: null, openNow: 1 });
    expect(services.get('c1.d2.y')).toEqual(NO_SERVICES);
  });

  it('a family view counts only the named elders’ requests', async () => {
    const f = await computeFigures(db, { region: null, elderIds: ['el-b'], from: FROM, to: TO });
    expect(f.overall.services.total).toBe(2);
  });
});
