import { beforeAll, describe, expect, it } from 'vitest';
import { storeEngines } from '../../tests/support/stores.ts';
import type { Sql } from '../db/sql.ts';
import { atRiskReasons, localMonthBounds, type NewVisit, VisitInFutureError, VisitStore } from './visits.ts';

const NOW = Date.parse('2026-11-15T04:00:00.000Z'); // 12:00 local (+08:00)
const iso = (ms: number) => new Date(ms).toISOString();

const REGIONS = [
  ['c1', 'city', null],
  ['c1.d_1', 'district', 'c1'],
  ['c1.dX1', 'district', 'c1'],
  ['c1.d_1.a', 'community', 'c1.d_1'],
  ['c1.d_1.b', 'community', 'c1.d_1'],
  ['c1.d_1.c', 'community', 'c1.d_1'],
  ['c1.dX1.q', 'community', 'c1.dX1'],
] as const;
const ELDERS: [id: string, community: string, profile: Record<string, unknown>][] = [
  ['el-alone', 'a', { livesAlone: true, mobility: '可自行行走' }],
  ['el-disabled', 'a', { disabled: true }],
  ['el-wheel', 'a', { mobility: '主要坐轮椅' }],
  ['el-fine', 'a', { livesAlone: false, mobility: '可自行行走' }],
  ['el-blank', 'a', {}],
  ['el-string', 'a', { livesAlone: 'true' }],
  ['el-b1', 'b', { livesAlone: true }],
  ['el-b2', 'b', { mobility: '使用助行器' }],
  ['el-q', 'q', { livesAlone: true }],
];
const VISITS: [elderId: string, visitedAt: string, kind: NewVisit['kind']][] = [
  ['el-alone', '2026-10-31T16:30:00.000Z', 'home'], // 2026-11-01 00:30 local: November
  ['el-disabled', '2026-10-10T04:00:00.000Z', 'home'],
  ['el-disabled', '2026-10-12T04:00:00.000Z', 'home'],
  ['el-disabled', '2026-11-10T04:00:00.000Z', 'phone'],
  ['el-wheel', '2026-11-12T04:00:00.000Z', 'video'],
  ['el-b1', '2026-10-16T04:00:00.000Z', 'home'], // exactly 30 days before NOW
  ['el-b2', '2026-10-16T03:59:59.999Z', 'home'], // 30 days and 1 ms before NOW
  ['el-fine', '2026-11-02T04:00:00.000Z', 'home'],
];

async function seed(db: Sql, visits: VisitStore): Promise<void> {
  for (const [id, level, parent] of REGIONS)
    await db.run('INSERT INTO regions (id, name, level, parent) VALUES ($1, $2, $3, $4)', [
      id,
      id,
      level,
      parent,
    ]);
  for (const c of ['a', 'b', 'q'])
    await db.run('INSERT INTO households (id, region, address) VALUES ($1, $2, $3)', [
      `hh-${c}`,
      REGIONS.find(([id]) => id.endsWith(`.${c}`))?.[0] ?? '',
      `${c} 路 1 号`,
    ]);
  for (const [id, c, profile] of ELDERS)
    await db.run('INSERT INTO elders (id, household_id, name, profile) VALUES ($1, $2, $3, $4)', [
      id,
      `hh-${c}`,
      id,
      JSON.stringify(profile),
    ]);
  for (const [elderId, visitedAt, kind] of VISITS)
    await visits.record({ elderId, visitedAt, kind, visitor: '张社工', outcome: 'well' }, 'op-a', NOW);
}

const ENGINES = storeEngines();

describe.each(ENGINES)('welfare visits to at-risk elders, on $name', (engine) => {
  let db: Sql;
  let visits: VisitStore;
  beforeAll(async () => {
    db = await engine.open();
    visits = new VisitStore(db);
    await seed(db, visits);
  });

  it('an elder is at risk when living alone, disabled, or not walking unaided, and only real booleans count', async () => {
    expect(atRiskReasons({ livesAlone: true, disabled: true, mobility: '主要坐轮椅' })).toEqual([
      'livesAlone',
      'disabled',
      'mobility',
    ]);
    expect(atRiskReasons({ livesAlone: false, mobility: '可自行行走' })).toEqual([]);
    expect(atRiskReasons({ livesAlone: 'true', disabled: 1 })).toEqual([]);
    expect(atRiskReasons({})).toEqual([]);
  });

  it('the overdue list names at-risk elders without a home visit in 30 days, never-visited first, per community', async () => {
    expect(await visits.overdue('c1.d_1', NOW)).toEqual([
      {
        region: 'c1.d_1.a',
        atRisk: 3,
        overdue: [
          {
            elderId: 'el-wheel',
            name: 'el-wheel',
            householdId: 'hh-a',
            address: 'a 路 1 号',
            reasons: ['mobility'],
            lastHomeVisitAt: null,
            daysSinceHomeVisit: null,
            lastContactAt: '2026-11-12T04:00:00.000Z',
          },
          {
            elderId: 'el-disabled',
            name: 'el-disabled',
            householdId: 'hh-a',
            address: 'a 路 1 号',
            reasons: ['disabled'],
            lastHomeVisitAt: '2026-10-12T04:00:00.000Z',
            daysSinceHomeVisit: 34,
            lastContactAt: '2026-11-10T04:00:00.000Z',
          },
        ],
      },
      {
        region: 'c1.d_1.b',
        atRisk: 2,
        overdue: [expect.objectContaining({ elderId: 'el-b2', daysSinceHomeVisit: 30 })],
      },
      { region: 'c1.d_1.c', atRisk: 0, overdue: [] },
    ]);
  });

  it('the city’s overdue list also covers the other district, and a LIKE-style neighbour does not leak in', async () => {
    const city = await visits.overdue('c1', NOW);
    // Ordered by id in code-unit order: 'X' sorts before '_'.
    expect(city.map((c) => c.region)).toEqual(['c1.dX1.q', 'c1.d_1.a', 'c1.d_1.b', 'c1.d_1.c']);
    expect(city[0]?.overdue.map((e) => e.elderId)).toEqual(['el-q']);
    expect((await visits.overdue('c1.d_1.b', NOW)).map((c) => c.region)).toEqual(['c1.d_1.b']);
  });

  it('the monthly rate counts at-risk elders with a home visit in the local month, once each', async () => {
    expect(await visits.monthlyRate('c1.d_1', '2026-11')).toEqual({
      month: '2026-11',
      region: 'c1.d_1',
      communities: [
        { region: 'c1.d_1.a', atRisk: 3, visited: 1, rate: 1 / 3 },
        { region: 'c1.d_1.b', atRisk: 2, visited: 0, rate: 0 },
        { region: 'c1.d_1.c', atRisk: 0, visited: 0, rate: null },
      ],
      total: { atRisk: 5, visited: 1, rate: 0.2 },
    });
    expect((await visits.monthlyRate('c1.d_1', '2026-10')).communities).toEqual([
      { region: 'c1.d_1.a', atRisk: 3, visited: 1, rate: 1 / 3 },
      { region: 'c1.d_1.b', atRisk: 2, visited: 2, rate: 1 },
      { region: 'c1.d_1.c', atRisk: 0, visited: 0, rate: null },
    ]);
  });

  it('local months begin at 16:00 UTC the day before, and December rolls into the next year', async () => {
    expect(localMonthBounds('2026-11')).toEqual({
      from: '2026-10-31T16:00:00.000Z',
      to: '2026-11-30T16:00:00.000Z',
    });
    expect(localMonthBounds('2026-12').to).toBe('2026-12-31T16:00:00.000Z');
  });

  it('an elder’s visits list newest first with who recorded them and when', async () => {
    const list = await visits.listForElder('el-disabled');
    expect(list.map((v) => [v.visitedAt, v.kind])).toEqual([
      ['2026-11-10T04:00:00.000Z', 'phone'],
      ['2026-10-12T04:00:00.000Z', 'home'],
      ['2026-10-10T04:00:00.000Z', 'home'],
    ]);
    expect(list[0]).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      elderId: 'el-disabled',
      visitedAt: '2026-11-10T04:00:00.000Z',
      visitor: '张社工',
      kind: 'phone',
      outcome: 'well',
      recordedBy: 'op-a',
      recordedAt: iso(NOW),
    });
  });

  it('a visit up to 5 minutes ahead of now is accepted and one a millisecond later is refused', async () => {
    const visit = (visitedAt: string) =>
      visits.record(
        { elderId: 'el-fine', visitedAt, visitor: 'x', kind: 'phone', outcome: 'well' },
        'op-a',
        NOW,
      );
    expect((await visit(iso(NOW + 300_000))).notes).toBeUndefined();
    await expect(visit(iso(NOW + 300_001))).rejects.toThrow(VisitInFutureError);
  });

  it('recording a home visit takes the elder off the overdue list; a phone call does not', async () => {
    const overdueIds = async () => (await visits.overdue('c1.d_1.a', NOW))[0]?.overdue.map((e) => e.elderId);
    const visit = (elderId: string, kind: NewVisit['kind']) =>
      visits.record(
        { elderId, visitedAt: iso(NOW - 3_600_000), visitor: 'x', kind, outcome: 'well' },
        'op-a',
        NOW,
      );
    await visit('el-disabled', 'phone');
    expect(await overdueIds()).toEqual(['el-wheel', 'el-disabled']);
    await visit('el-wheel', 'home');
    expect(await overdueIds()).toEqual(['el-disabled']);
  });
});
