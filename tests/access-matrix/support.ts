import { expect } from 'vitest';
import { hashSecret } from '../../cloud/domain/secrets.ts';
import type { SimulatedHome } from '../../device-sims/mqtt-home.ts';
import type { Alert } from '../../protocol/index.ts';
import { demoUser, eventually, type TestSystem } from '../support/system.ts';

/**
 * The callers of every matrix row, in column order. `admin-anyue` is an admin whose scope is one
 * district (the demo world's only admin covers the whole city, so it has no out-of-scope target); the
 * tests add it to the registry. `-` is "no login".
 */
export const CALLERS = [
  'op-shizishan',
  'op-sanxianci',
  'sup-yanjiang',
  'sup-anyue',
  'sup-city',
  'admin',
  'admin-anyue',
  'family-el-0001',
  'family-el-0003',
  '-',
] as const;
export type Caller = (typeof CALLERS)[number];

/** A district admin the demo world lacks; made by `addDistrictAdmin`. */
export const DISTRICT_ADMIN = {
  username: 'admin-anyue',
  password: 'matrix-admin-anyue-pw',
  scope: 'ziyang.anyue',
};

/**
 * What a cell expects: an HTTP status, or `'hid'` for a list route that answered 200 without the target
 * in it (for list rows, a plain 200 means the target is in the answer).
 */
export type Expect = number | 'hid';
/** One expectation per caller, in CALLERS order. */
export type Cells = [Expect, Expect, Expect, Expect, Expect, Expect, Expect, Expect, Expect, Expect];

/**
 * The two sides of every row with an id: 狮子山 (ziyang.yanjiang.shizishan) and 岳龙 (ziyang.anyue.yuelong,
 * another district). Each side has its own gateways for the rows that use one up (revoke, rotate, sim).
 */
export interface Target {
  side: 'in' | 'out';
  region: string;
  household: string;
  elder: string;
  /** The gateway whose simulated home raises this side's alerts. */
  gateway: string;
  revokeGateway: string;
  rotateGateway: string;
  simGateway: string;
  /** A family user of `elder` (whose notifications the notification-accept rows use). */
  family: string;
}
export const IN: Target = {
  side: 'in',
  region: 'ziyang.yanjiang.shizishan',
  household: 'hh-0001',
  elder: 'el-0001',
  gateway: 'gw-0001',
  revokeGateway: 'gw-0007',
  rotateGateway: 'gw-0013',
  simGateway: 'gw-0019',
  family: 'family-el-0001',
};
export const OUT: Target = {
  side: 'out',
  region: 'ziyang.anyue.yuelong',
  household: 'hh-0004',
  elder: 'el-0005',
  gateway: 'gw-0004',
  revokeGateway: 'gw-0010',
  rotateGateway: 'gw-0016',
  simGateway: 'gw-0022',
  family: 'family-el-0005',
};

/** One request of one row: who asks, about which side, and a number unique to the cell (for new ids). */
export interface Cell {
  caller: Caller;
  token: string | null;
  t: Target;
  n: number;
  /** The alert the row acts on: the side's standing alert, or a fresh one its `prepare` raised. */
  alert: string;
  /** Set by `prepare` for rows that need more (a notification id and its token, an endpoint). */
  extra: Record<string, string>;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Row {
  name: string;
  method: Method;
  /** The route as the cloud registers it (`/api/alerts/:id`): what the completeness check compares. */
  route: string;
  path(c: Cell): string;
  body?(c: Cell): unknown;
  /** The body is sent as text/csv rather than JSON. */
  csv?: boolean;
  /** Runs before the cell's request: state-changing rows give each cell its own target here. */
  prepare?(c: Cell, fx: Fixture): Promise<void>;
  /** List routes: does the answer show the cell's target? */
  sees?(body: unknown, c: Cell): boolean;
  /** Rows without a target have `cells`; rows with one have `in` and `out`. */
  cells?: Cells;
  in?: Cells;
  out?: Cells;
}

/** The running system, each caller's token, each side's home and standing alert. */
export interface Fixture {
  sys: TestSystem;
  tokens: Map<Caller, string | null>;
  homes: Map<Target['side'], SimulatedHome>;
  standing: Map<Target['side'], string>;
  login(caller: Caller): Promise<string | null>;
  /** Raises a new SOS for the side's elder (see `freshSos`). */
  freshAlert(t: Target): Promise<Alert>;
}

/** Web Push keys of the right shape (nothing is ever delivered with them). */
export const PUSH_KEYS = {
  p256dh: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQ',
  auth: 'tBHItJI5svbpez7KI4CCXg',
};

/** Common expectations, by who can see what. */
export const SEES_IN: Cells = [200, 404, 200, 404, 200, 200, 404, 200, 404, 401];
export const SEES_OUT: Cells = [404, 404, 404, 200, 200, 200, 200, 404, 404, 401];

export const demoPassword = (username: string): string =>
  username === DISTRICT_ADMIN.username ? DISTRICT_ADMIN.password : demoUser(username).password;

export async function login(sys: TestSystem, username: string): Promise<string> {
  const password = demoPassword(username);
  const res = await fetch(`${sys.http}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

export async function addDistrictAdmin(sys: TestSystem): Promise<void> {
  await sys.system.cloud.registry.insertUser({
    username: DISTRICT_ADMIN.username,
    passwordHash: await hashSecret(DISTRICT_ADMIN.password),
    role: 'admin',
    scope: DISTRICT_ADMIN.scope,
  });
}

/** Waits for the alert that event `eventId` raised, as the city supervisor sees it. */
export async function alertOf(sys: TestSystem, token: string, eventId: string): Promise<Alert> {
  return eventually(
    async () => (await sys.api<Alert[]>(token, 'GET', '/api/alerts')).body.find((a) => a.eventId === eventId),
    5000,
    `the alert of event ${eventId}`,
  );
}

/**
 * Raises a new SOS for `elder` from `home` and returns it. An elder has one open SOS at a time (a repeat
 * updates it), so any open one is resolved first, by `token` (a staff member covering the elder).
 */
export async function freshSos(
  sys: TestSystem,
  token: string,
  home: SimulatedHome,
  elder: string,
): Promise<Alert> {
  const open = (await sys.api<Alert[]>(token, 'GET', '/api/alerts')).body.filter(
    (a) => a.elderId === elder && a.type === 'sos' && a.state !== 'resolved',
  );
  for (const a of open)
    await sys.api(token, 'POST', `/api/alerts/${a.id}/resolve`, { outcome: 'false_alarm' });
  return alertOf(sys, token, await home.event('sos'));
}

/** Logs every caller in, connects both sides' homes and raises each side's standing alert (a water leak). */
export async function setUp(sys: TestSystem): Promise<Fixture> {
  await addDistrictAdmin(sys);
  const tokens = new Map<Caller, string | null>();
  const fresh = async (caller: Caller) => (caller === '-' ? null : login(sys, caller));
  for (const c of CALLERS) tokens.set(c, await fresh(c));
  const city = tokens.get('sup-city') as string;
  const admin = tokens.get('admin') as string;
  const homes = new Map<Target['side'], SimulatedHome>();
  const standing = new Map<Target['side'], string>();
  for (const t of [IN, OUT]) {
    // A family user with somewhere to be told gets a notification (and its accept token) for each SOS.
    await sys.system.cloud.notifications.subscribe(
      t.family,
      `https://push.example/matrix/${t.family}`,
      PUSH_KEYS,
    );
    const home = await sys.home(t.gateway);
    homes.set(t.side, home);
    standing.set(t.side, (await alertOf(sys, city, await home.event('water_leak'))).id);
  }
  return {
    sys,
    tokens,
    homes,
    standing,
    login: fresh,
    freshAlert: (t) => freshSos(sys, admin, homes.get(t.side) as SimulatedHome, t.elder),
  };
}

let counter = 0;

/** Sends one cell's request and returns what it got, in the terms of `Expect`. */
async function runCell(row: Row, fx: Fixture, caller: Caller, t: Target): Promise<Expect> {
  counter += 1;
  const c: Cell = {
    caller,
    token: fx.tokens.get(caller) ?? null,
    t,
    n: counter,
    alert: fx.standing.get(t.side) as string,
    extra: {},
  };
  await row.prepare?.(c, fx);
  const headers: Record<string, string> = {};
  if (c.token) headers.authorization = `Bearer ${c.token}`;
  const body = row.body?.(c);
  if (body !== undefined) headers['content-type'] = row.csv ? 'text/csv' : 'application/json';
  const res = await fetch(`${fx.sys.http}${row.path(c)}`, {
    method: row.method,
    headers,
    ...(body !== undefined ? { body: row.csv ? String(body) : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (row.sees && res.status === 200) return row.sees(JSON.parse(text), c) ? 200 : 'hid';
  return res.status;
}

/** Runs a row for every caller (and both sides when it has them) and compares with what it expects. */
export async function checkRow(row: Row, fx: Fixture): Promise<void> {
  const sides: [string, Target, Cells | undefined][] = row.cells
    ? [['any', IN, row.cells]]
    : [
        ['in', IN, row.in],
        ['out', OUT, row.out],
      ];
  const got: Record<string, Record<string, Expect>> = {};
  const want: Record<string, Record<string, Expect>> = {};
  for (const [side, t, cells] of sides) {
    if (!cells) throw new Error(`${row.name}: no cells for side ${side}`);
    got[side] = {};
    want[side] = {};
    for (const [i, caller] of CALLERS.entries()) {
      (got[side] as Record<string, Expect>)[caller] = await runCell(row, fx, caller, t);
      (want[side] as Record<string, Expect>)[caller] = cells[i] as Expect;
    }
  }
  expect(got).toEqual(want);
}

/** The test name of a row: its route and its cells, so a report reads as the matrix itself. */
export function rowTitle(row: Row): string {
  const line = (cells: Cells) => cells.join(' ');
  const cells = row.cells ? line(row.cells) : `in ${line(row.in as Cells)} | out ${line(row.out as Cells)}`;
  return `${row.name} (${row.method} ${row.route}): ${cells}`;
}

/** An ISO-8601 UTC time with milliseconds, `minutesAgo` before now. */
export const ago = (minutesAgo: number): string => new Date(Date.now() - minutesAgo * 60_000).toISOString();
