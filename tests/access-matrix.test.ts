import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../protocol/index.ts';
import { eventually, TestSystem } from './support/system.ts';

/**
 * Who may do what to an alert in 狮子山 (ziyang.yanjiang.shizishan, elder el-0001), by role and scope.
 * Each cell is the expected HTTP status; `-` is "no login".
 */
const CALLERS = [
  'op-shizishan',
  'op-sanxianci',
  'sup-yanjiang',
  'sup-anyue',
  'sup-city',
  'admin',
  'family-el-0001',
  'family-el-0003',
  '-',
] as const;
type Caller = (typeof CALLERS)[number];

const MATRIX: [
  route: string,
  method: string,
  path: (id: string) => string,
  body: unknown,
  expected: number[],
][] = [
  //                                                                          op-own op-oth sup-d sup-o city admin fam-own fam-oth anon
  [
    'read the alert',
    'GET',
    (id) => `/api/alerts/${id}`,
    undefined,
    [200, 404, 200, 404, 200, 200, 200, 404, 401],
  ],
  [
    'read its timeline',
    'GET',
    (id) => `/api/alerts/${id}/timeline`,
    undefined,
    [200, 404, 200, 404, 200, 200, 200, 404, 401],
  ],
  [
    'add a note',
    'POST',
    (id) => `/api/alerts/${id}/notes`,
    { note: 'x' },
    [201, 404, 201, 404, 201, 201, 403, 404, 401],
  ],
  [
    'record a milestone',
    'POST',
    (id) => `/api/alerts/${id}/milestones`,
    { milestone: 'on_scene' },
    [201, 404, 201, 404, 201, 201, 403, 404, 401],
  ],
  [
    'accept as family',
    'POST',
    (id) => `/api/alerts/${id}/accept`,
    { etaMinutes: 5 },
    [403, 403, 403, 403, 403, 403, 201, 404, 401],
  ],
  [
    'read the elder',
    'GET',
    () => '/api/elders/el-0001',
    undefined,
    [200, 404, 200, 404, 200, 200, 200, 404, 401],
  ],
  [
    'read the household',
    'GET',
    () => '/api/households/hh-0001',
    undefined,
    [200, 404, 200, 404, 200, 200, 200, 404, 401],
  ],
  [
    'read vitals',
    'GET',
    () => '/api/elders/el-0001/vitals',
    undefined,
    [200, 404, 200, 404, 200, 200, 200, 404, 401],
  ],
  ['figures', 'GET', () => '/api/figures', undefined, [200, 200, 200, 200, 200, 200, 403, 403, 401]],
  ['region tree', 'GET', () => '/api/regions', undefined, [200, 200, 200, 200, 200, 200, 403, 403, 401]],
  ['device health', 'GET', () => '/api/devices', undefined, [200, 200, 200, 200, 200, 200, 403, 403, 401]],
  ['audit log', 'GET', () => '/api/audit', undefined, [403, 403, 200, 200, 200, 200, 403, 403, 401]],
  [
    'rule settings',
    'GET',
    () => '/api/elders/el-0001/rules',
    undefined,
    [403, 403, 200, 404, 200, 200, 403, 403, 401],
  ],
  [
    'revoke a gateway',
    'POST',
    () => '/api/gateways/gw-9999/revoke',
    undefined,
    [403, 403, 403, 403, 403, 404, 403, 403, 401],
  ],
  [
    'provision a household',
    'POST',
    () => '/api/households',
    { id: 'x' },
    [403, 403, 403, 403, 403, 400, 403, 403, 401],
  ],
];

describe('the access matrix: role × route × scope', () => {
  let sys: TestSystem;
  let alertId: string;
  const tokens = new Map<Caller, string | null>();
  beforeAll(async () => {
    sys = await TestSystem.start();
    for (const c of CALLERS) tokens.set(c, c === '-' ? null : await sys.login(c));
    const home = await sys.home('gw-0001');
    const eventId = await home.event('sos');
    const admin = tokens.get('admin') ?? null;
    alertId = (
      await eventually(
        async () =>
          (await sys.api<Alert[]>(admin, 'GET', '/api/alerts')).body.find((a) => a.eventId === eventId),
        2000,
        'the alert',
      )
    ).id;
  });
  afterAll(async () => {
    await sys.stop();
  });

  for (const [name, method, path, body, expected] of MATRIX) {
    it(`${name}: ${CALLERS.map((c, i) => `${c} ${expected[i]}`).join(', ')}`, async () => {
      const got: number[] = [];
      for (const caller of CALLERS)
        got.push((await sys.api(tokens.get(caller) ?? null, method, path(alertId), body)).status);
      expect(Object.fromEntries(CALLERS.map((c, i) => [c, got[i]]))).toEqual(
        Object.fromEntries(CALLERS.map((c, i) => [c, expected[i]])),
      );
    });
  }
});
