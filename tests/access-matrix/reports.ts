import type { Row } from './support.ts';

/** Reports are asked for a region (`?region=`): the side's community, inside the caller's scope or not. */
const inRegion: Pick<Row, 'in' | 'out'> = {
  in: [200, 404, 200, 404, 200, 200, 404, 403, 403, 401],
  out: [404, 404, 404, 200, 200, 200, 200, 403, 403, 401],
};

//  Columns: op-shizishan op-sanxianci sup-yanjiang sup-anyue sup-city admin admin-anyue family-el-0001
//  family-el-0003 no-login. `in` is region ziyang.yanjiang.shizishan, `out` ziyang.anyue.yuelong.
export const REPORT_ROWS: Row[] = [
  // ── Figures, visit statistics, the watch list and device health: dispatch staff, for a region within their scope.
  {
    name: 'service figures',
    method: 'GET',
    route: '/api/figures',
    path: (c) => `/api/figures?region=${c.t.region}`,
    ...inRegion,
  },
  {
    name: 'daily figures',
    method: 'GET',
    route: '/api/figures/daily',
    path: (c) => `/api/figures/daily?region=${c.t.region}`,
    ...inRegion,
  },
  {
    name: 'elders owed a visit',
    method: 'GET',
    route: '/api/visits/overdue',
    path: (c) => `/api/visits/overdue?region=${c.t.region}`,
    ...inRegion,
  },
  {
    name: 'the monthly visit rate',
    method: 'GET',
    route: '/api/visits/rate',
    path: (c) => `/api/visits/rate?region=${c.t.region}`,
    ...inRegion,
  },
  {
    name: 'the watch list of at-risk elders',
    method: 'GET',
    route: '/api/watchlist',
    path: (c) => `/api/watchlist?region=${c.t.region}`,
    ...inRegion,
  },
  {
    name: 'device health',
    method: 'GET',
    route: '/api/devices',
    path: (c) => `/api/devices?region=${c.t.region}`,
    ...inRegion,
  },

  // ── The region tree: the caller's own part of it (the side's region listed or not); not for families.
  {
    name: 'the region tree',
    method: 'GET',
    route: '/api/regions',
    path: () => '/api/regions',
    sees: (body, c) => (body as { id: string }[]).some((r) => r.id === c.t.region),
    in: [200, 'hid', 200, 'hid', 200, 200, 'hid', 403, 403, 401],
    out: ['hid', 'hid', 'hid', 200, 200, 200, 200, 403, 403, 401],
  },

  // ── The audit log: supervisors and admins (each limited to their scope by the log itself).
  {
    name: 'the audit log',
    method: 'GET',
    route: '/api/audit',
    path: () => '/api/audit',
    cells: [403, 403, 200, 200, 200, 200, 200, 403, 403, 401],
  },
];
