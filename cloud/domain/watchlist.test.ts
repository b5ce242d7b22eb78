import { beforeAll, describe, expect, it } from 'vitest';
import { storeEngines } from '../../tests/support/stores.ts';
import type { Sql, SqlSession } from '../db/sql.ts';
import { VisitStore } from './visits.ts';
import { WatchList } from './watchlist.ts';

const NOW = Date.parse('2026-11-15T04:00:00.000Z'); // 12:00 local (+08:00)
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(NOW - ms).toISOString();

const REGIONS = [
  ['c1', 'city', null, '城'],
  ['c1.d_1', 'district', 'c1', '区'],
  ['c1.dX1', 'district', 'c1', '邻区'],
  ['c1.d_1.a', 'community', 'c1.d_1', '甲社区'],
  ['c1.d_1.b', 'community', 'c1.d_1', '乙社区'],
  ['c1.dX1.q', 'community', 'c1.dX1', '丙社区'],
] as const;
const HOUSEHOLDS = [
  ['hh-alone', 'c1.d_1.a', '甲路 1 号'],
  ['hh-pair', 'c1.d_1.a', '甲路 2 号'],
  ['hh-b', 'c1.d_1.b', '乙路 1 号'],
  ['hh-q', 'c1.dX1.q', '丙路 1 号'],
] as const;
const ELDERS: [id: string, household: string, profile: Record<string, unknown>][] = [
  ['el-alone', 'hh-alone', { livesAlone: true, birthYear: 1940 }],
  ['el-wheel', 'hh-pair', { mobility: '主要坐轮椅', disabled: true }],
  ['el-fine', 'hh-pair', { livesAlone: false, mobility: '可自行行走' }],
  ['el-b', 'hh-b', { livesAlone: true }],
  ['el-q', 'hh-q', { livesAlone: true }],
];
// [gateway, household, device, kind, elder]
const DEVICES: [string, string, string, string, string | null][] = [
  ['gw-alone', 'hh-alone', 'door', 'zigbee', null],
  ['gw-alone', 'hh-alone', 'radar', 'mr60fda1', 'el-alone'],
  ['gw-alone', 'hh-alone', 'button', 'rf433-bridge', 'el-alone'],
  ['gw-pair', 'hh-pair', 'door', 'zigbee', null],
  ['gw-pair', 'hh-pair', 'radar', 'mr60fda1', 'el-wheel'],
  ['gw-pair', 'hh-pair', 'fine-button', 'rf433-bridge', 'el-fine'],
  ['gw-b', 'hh-b', 'button', 'rf433-bridge', 'el-b'],
];
// [gateway, device, type, how long before NOW]
const EVENTS: [string, string, string, number][] = [
  // el-alone: seen, then the radar empty and the door: gone out two hours ago.
  ['gw-alone', 'radar', 'presence', 3 * HOUR],
  ['gw-alone', 'radar', 'absence', 2.5 * HOUR],
  ['gw-alone', 'door', 'door_open', 2 * HOUR],
  ['gw-alone', 'button', 'checkin', 26 * HOUR],
  ['gw-alone', 'button', 'low_battery', HOUR], // a battery is not a sign of life
  ['gw-alone', 'unknown', 'motion', 30 * 60_000], // nor is a device the registry does not know
  // el-wheel: the radar sees someone; the shared door closed five hours ago.
  ['gw-pair', 'radar', 'presence', 6 * HOUR],
  ['gw-pair', 'door', 'door_closed', 5 * HOUR],
  ['gw-pair', 'fine-button', 'sos', 10 * 60_000], // el-fine's own button says nothing of el-wheel
  // el-b: never a sign of activity, only a tamper.
  ['gw-b', 'button', 'tamper', 2 * DAY],
];

async function seed(db: Sql, visits: VisitStore): Promise<void> {
  for (const [id, level, parent, name] of REGIONS)
    await db.run('INSERT INTO regions (id, name, level, parent) VALUES ($1, $2, $3, $4)', [
      id,
      name,
      level,
      parent,
    ]);
  for (const [id, region, address] of HOUSEHOLDS)
    await db.run('INSERT INTO households (id, region, address) VALUES ($1, $2, $3)', [id, region, address]);
  for (const [id, household, profile] of ELDERS)
    await db.run('INSERT INTO elders (id, household_id, name, profile) VALUES ($1, $2, $3, $4)', [
      id,
      household,
      `name-${id}`,
      JSON.stringify(profile),
    ]);
  for (const gw of new Set(DEVICES.map(([g, hh]) => `${g} ${hh}`))) {
    const [id, household] = gw.split(' ');
    await db.run('INSERT INTO gateways (id, household_id, secret_hash, created_at) VALUES ($1, $2, $3, $4)', [
      id ?? '',
      household ?? '',
      'x',
      ago(100 * DAY),
    ]);
  }
  for (const [gw, , id, kind, elder] of DEVICES)
    await db.run('INSERT INTO devices (gateway_id, id, kind, elder_id) VALUES ($1, $2, $3, $4)', [
      gw,
      id,
      kind,
      elder,
    ]);
  let n = 0;
  for (const [gw, device, type, before] of EVENTS) await event(db, gw, device, type, before, `seed-${++n}`);
  const visit = (elderId: string, before: number, kind: 'home' | 'phone', visitor: string) =>
    visits.record(
      {
        elderId,
        visitedAt: ago(before),
        visitor,
        kind,
        outcome: kind === 'home' ? 'well' : 'needs_followup',
      },
      'op-a',
      NOW,
    );
  await visit('el-alone', 10 * DAY, 'home', '张社工');
  await visit('el-alone', 2 * DAY, 'phone', '李社工');
  await visit('el-wheel', 35 * DAY + HOUR, 'home', '王社工');
  await visit('el-q', DAY, 'home', '赵社工');
  for (const [id, elder, state] of [
    ['al-1', 'el-wheel', 'open'],
    ['al-2', 'el-wheel', 'acknowledged'],
    ['al-3', 'el-wheel', 'resolved'],
    ['al-4', 'el-alone', 'resolved'],
  ] as const)
    await db.run(
      `INSERT INTO alerts (id, type, severity, state, elder_id, household_id, region, gateway_id, device_id,
         event_id, occurred_at, received_at, raised_at, dedupe_key, last_seen_at)
       VALUES ($1, 'inactivity', 'high', $2, $3, 'hh-pair', 'c1.d_1.a', 'gw-pair', 'radar', $1, $4, $4, $4, $1, $4)`,
      [id, state, elder, ago(HOUR)],
    );
  for (const [id, elder, state] of [
    ['st-1', 'el-b', 'requested'],
    ['st-2', 'el-b', 'accepted'],
    ['st-3', 'el-b', 'done'],
  ] as const)
    await db.run(
      `INSERT INTO service_tickets (id, service, state, elder_id, household_id, region, gateway_id, device_id,
         event_id, requested_at, received_at, last_requested_at)
       VALUES ($1, 'meal', $2, $3, 'hh-b', 'c1.d_1.b', 'gw-b', 'button', $1, $4, $4, $4)`,
      [id, state, elder, ago(HOUR)],
    );
}

function event(db: SqlSession, gw: string, device: string, type: string, before: number, id: string) {
  return db.run(
    `INSERT INTO events (gateway_id, event_id, device_id, type, ts, received_at)
     VALUES ($1, $2, $3, $4, $5, $5)`,
    [gw, id, device, type, ago(before)],
  );
}

/** A session that counts the statements run through it. */
function counting(db: SqlSession): { session: SqlSession; count: () => number } {
  let n = 0;
  const counted =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): R => {
      n += 1;
      return fn(...args);
    };
  const session: SqlSession = {
    dialect: db.dialect,
    all: counted((sql, params) => db.all(sql, params)),
    get: counted((sql, params) => db.get(sql, params)),
    run: counted((sql, params) => db.run(sql, params)),
    exec: counted((script: string) => db.exec(script)),
  };
  return { session, count: () => n };
}

const ENGINES = storeEngines();

describe.each(ENGINES)('the community worker’s watch list, on $name', (engine) => {
  let db: Sql;
  let visits: VisitStore;
  let watch: WatchList;
  beforeAll(async () => {
    db = await engine.open();
    visits = new VisitStore(db);
    watch = new WatchList(db);
    await seed(db, visits);
  });

  it('lists the at-risk elders of the subtree, overdue first, then the longest silence', async () => {
    const list = await watch.list('c1.d_1', NOW);
    expect(list.map((e) => e.elderId)).toEqual(['el-b', 'el-wheel', 'el-alone']);
    expect(list.map((e) => e.community)).toEqual(['c1.d_1.b', 'c1.d_1.a', 'c1.d_1.a']);
    // A LIKE-style neighbour district stays out; the city covers it.
    expect((await watch.list('c1', NOW)).map((e) => e.elderId)).toContain('el-q');
    expect((await watch.list('c1.d_1.b', NOW)).map((e) => e.elderId)).toEqual(['el-b']);
  });

  it('an elder visited at home ten days ago is due in twenty, with the later phone call as last contact', async () => {
    const alone = (await watch.list('c1.d_1.a', NOW)).find((e) => e.elderId === 'el-alone');
    expect(alone).toEqual({
      elderId: 'el-alone',
      name: 'name-el-alone',
      age: 86,
      address: '甲路 1 号',
      householdId: 'hh-alone',
      community: 'c1.d_1.a',
      communityName: '甲社区',
      reasons: ['livesAlone'],
      lastHomeVisit: { at: ago(10 * DAY), visitor: '张社工', outcome: 'well' },
      lastContact: { at: ago(2 * DAY), visitor: '李社工', kind: 'phone' },
      visitDueAt: new Date(NOW + 20 * DAY).toISOString(),
      overdue: false,
      daysOverdue: null,
      lastActivity: { at: ago(2 * HOUR), type: 'door_open' },
      atHome: false,
      openAlerts: 0,
      openRequests: 0,
    });
  });

  it('an elder last visited 35 days ago is 5 days overdue and a never-visited one is overdue with no due date', async () => {
    const list = await watch.list('c1.d_1', NOW);
    expect(list.find((e) => e.elderId === 'el-wheel')).toMatchObject({
      reasons: ['disabled', 'mobility'],
      visitDueAt: ago(5 * DAY + HOUR),
      overdue: true,
      daysOverdue: 5,
      openAlerts: 2,
      openRequests: 0,
    });
    expect(list.find((e) => e.elderId === 'el-b')).toMatchObject({
      lastHomeVisit: null,
      lastContact: null,
      visitDueAt: null,
      overdue: true,
      daysOverdue: null,
      openAlerts: 0,
      openRequests: 2,
    });
  });

  it('last activity counts the elder’s own and the home’s shared devices, never a housemate’s or a battery', async () => {
    const list = await watch.list('c1.d_1', NOW);
    const of = (id: string) => list.find((e) => e.elderId === id);
    expect(of('el-wheel')).toMatchObject({
      lastActivity: { at: ago(5 * HOUR), type: 'door_closed' },
      atHome: true,
    });
    expect(of('el-b')).toMatchObject({ lastActivity: null, atHome: null });
  });

  it('a new sign of activity moves the last activity and a home visit clears the overdue visit', async () => {
    await event(db, 'gw-b', 'button', 'sos', 20 * 60_000, 'later-1');
    await visits.record(
      { elderId: 'el-wheel', visitedAt: ago(HOUR), visitor: '王社工', kind: 'home', outcome: 'well' },
      'op-a',
      NOW,
    );
    const list = await watch.list('c1.d_1', NOW);
    expect(list.find((e) => e.elderId === 'el-b')?.lastActivity).toEqual({
      at: ago(20 * 60_000),
      type: 'sos',
    });
    expect(list.find((e) => e.elderId === 'el-wheel')).toMatchObject({
      overdue: false,
      daysOverdue: null,
      visitDueAt: new Date(NOW - HOUR + 30 * DAY).toISOString(),
    });
    // Neither overdue now: the longer silence (5 h against 2 h) comes first.
    expect(list.map((e) => e.elderId)).toEqual(['el-b', 'el-wheel', 'el-alone']);
  });

  it('the list is read in the same few statements for 3 at-risk elders as for 60', async () => {
    const small = counting(db);
    await new WatchList(small.session).list('c1.d_1', NOW);
    const other = await engine.open();
    await seed(other, new VisitStore(other));
    for (let i = 0; i < 57; i++) {
      await other.run('INSERT INTO elders (id, household_id, name, profile) VALUES ($1, $2, $3, $4)', [
        `el-more-${i}`,
        'hh-b',
        `more ${i}`,
        JSON.stringify({ livesAlone: true }),
      ]);
    }
    const big = counting(other);
    expect(await new WatchList(big.session).list('c1.d_1', NOW)).toHaveLength(60);
    expect(big.count()).toBe(small.count());
    expect(small.count()).toBe(4);
  });
});

describe('the watch list on SQLite', () => {
  const sqlite = ENGINES.find((e) => e.name === 'SQLite');
  it('finds each device’s newest event of a type by a seek on the events index, not a scan', async () => {
    const db = await (sqlite?.open() ?? Promise.reject(new Error('no SQLite')));
    const plan = await db.all(
      `EXPLAIN QUERY PLAN SELECT max(ts) FROM events WHERE gateway_id = $1 AND device_id = $2 AND type = $3`,
      ['gw', 'dev', 'door_open'],
    );
    expect(plan.map((r) => String(r.detail)).join('\n')).toMatch(
      /SEARCH events USING COVERING INDEX events_device_type_ts/,
    );
  });
});
