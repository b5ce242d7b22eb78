import { ago, type Row, SEES_IN, SEES_OUT } from './support.ts';

//  Columns: op-shizishan op-sanxianci sup-yanjiang sup-anyue sup-city admin admin-anyue family-el-0001
//  family-el-0003 no-login. `in` is el-0001 / hh-0001 in 狮子山, `out` el-0005 / hh-0004 in 岳龙 (安岳县).
export const REGISTRY_ROWS: Row[] = [
  // ── The dispatcher's file on a case: in scope, or the family's own elder and home; else absent (404).
  {
    name: 'read an elder',
    method: 'GET',
    route: '/api/elders/:id',
    path: (c) => `/api/elders/${c.t.elder}`,
    in: SEES_IN,
    out: SEES_OUT,
  },
  {
    name: 'read a household',
    method: 'GET',
    route: '/api/households/:id',
    path: (c) => `/api/households/${c.t.household}`,
    in: SEES_IN,
    out: SEES_OUT,
  },
  {
    name: 'a household’s device events',
    method: 'GET',
    route: '/api/households/:id/events',
    path: (c) => `/api/households/${c.t.household}/events`,
    in: SEES_IN,
    out: SEES_OUT,
  },
  {
    name: 'an elder’s vitals',
    method: 'GET',
    route: '/api/elders/:id/vitals',
    path: (c) => `/api/elders/${c.t.elder}/vitals`,
    in: SEES_IN,
    out: SEES_OUT,
  },

  // ── Welfare visits: staff in scope record them; the family may read their own elder's.
  {
    name: 'an elder’s visits',
    method: 'GET',
    route: '/api/elders/:id/visits',
    path: (c) => `/api/elders/${c.t.elder}/visits`,
    in: SEES_IN,
    out: SEES_OUT,
  },
  {
    name: 'record a visit',
    method: 'POST',
    route: '/api/elders/:id/visits',
    path: (c) => `/api/elders/${c.t.elder}/visits`,
    body: () => ({ visitedAt: ago(30), visitor: 'grid worker', kind: 'home', outcome: 'well' }),
    in: [201, 404, 201, 404, 201, 201, 404, 403, 403, 401],
    out: [404, 404, 404, 201, 201, 201, 201, 403, 403, 401],
  },

  // ── Rule settings: supervisors and admins, in scope (operators and families by role: 403).
  {
    name: 'the rule catalogue',
    method: 'GET',
    route: '/api/rules',
    path: () => '/api/rules',
    cells: [403, 403, 200, 200, 200, 200, 200, 403, 403, 401],
  },
  {
    name: 'an elder’s rule settings',
    method: 'GET',
    route: '/api/elders/:id/rules',
    path: (c) => `/api/elders/${c.t.elder}/rules`,
    in: [403, 403, 200, 404, 200, 200, 404, 403, 403, 401],
    out: [403, 403, 404, 200, 200, 200, 200, 403, 403, 401],
  },
  {
    name: 'change an elder’s rule setting',
    method: 'PUT',
    route: '/api/elders/:id/rules/:ruleId',
    path: (c) => `/api/elders/${c.t.elder}/rules/sos`,
    body: () => ({ cancelWindowS: 90 }),
    in: [403, 403, 200, 404, 200, 200, 404, 403, 403, 401],
    out: [403, 403, 404, 200, 200, 200, 200, 403, 403, 401],
  },
];
