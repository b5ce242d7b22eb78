import type { Cell, Fixture, Row } from './support.ts';

/** Admin only; the city admin reaches both sides, the 安岳县 admin only `out` (`in` refused as given). */
const adminOnly = (inByDistrictAdmin: number, ok: number): Pick<Row, 'in' | 'out'> => ({
  in: [403, 403, 403, 403, 403, ok, inByDistrictAdmin, 403, 403, 401],
  out: [403, 403, 403, 403, 403, ok, ok, 403, 403, 401],
});

//  Columns: op-shizishan op-sanxianci sup-yanjiang sup-anyue sup-city admin admin-anyue family-el-0001
//  family-el-0003 no-login. `in` is 狮子山 (hh-0001, gw-0007/0013/0019), `out` 岳龙 (hh-0004, gw-0010/0016/0022).
//  Every cell creates its own records (ids carry the cell's number), so a 201 is never a 409 later.
export const ADMIN_ROWS: Row[] = [
  // ── Provisioning: a region or household outside the admin's scope is refused (403 ERR_OUT_OF_SCOPE).
  {
    name: 'provision a household',
    method: 'POST',
    route: '/api/households',
    path: () => '/api/households',
    body: (c) => ({ id: `hh-m${c.n}`, region: c.t.region, address: 'matrix road 1' }),
    ...adminOnly(403, 201),
  },
  {
    name: 'provision an elder',
    method: 'POST',
    route: '/api/elders',
    path: () => '/api/elders',
    body: (c) => ({ id: `el-m${c.n}`, householdId: c.t.household, name: 'matrix elder' }),
    ...adminOnly(403, 201),
  },
  {
    name: 'provision a gateway',
    method: 'POST',
    route: '/api/gateways',
    path: () => '/api/gateways',
    body: (c) => ({
      id: `gw-m${c.n}`,
      householdId: c.t.household,
      devices: [{ id: `gw-m${c.n}-sos`, kind: 'rf433-bridge', elderId: c.t.elder }],
    }),
    ...adminOnly(403, 201),
  },
  // A CSV row in a community outside the importer's scope refuses the whole file (422).
  {
    name: 'import households from CSV',
    method: 'POST',
    route: '/api/import/households',
    path: () => '/api/import/households',
    csv: true,
    body: (c) =>
      `householdId,region,address,elderId,elderName\nhh-c${c.n},${c.t.region},matrix road 2,el-c${c.n},matrix elder\n`,
    ...adminOnly(422, 201),
  },

  // ── Gateway access: revoking and rotating cut a home off, so they use gateways no other row needs.
  {
    name: 'revoke a gateway',
    method: 'POST',
    route: '/api/gateways/:id/revoke',
    path: (c) => `/api/gateways/${c.t.revokeGateway}/revoke`,
    ...adminOnly(404, 200),
  },
  {
    name: 'rotate a gateway’s secret',
    method: 'POST',
    route: '/api/gateways/:id/rotate',
    path: (c) => `/api/gateways/${c.t.rotateGateway}/rotate`,
    ...adminOnly(404, 200),
  },

  // ── The tester's simulator panel: admins, for the simulated homes inside their scope.
  {
    name: 'the simulated homes',
    method: 'GET',
    route: '/api/sim/homes',
    path: () => '/api/sim/homes',
    sees: (body, c) => (body as { gatewayId: string }[]).some((h) => h.gatewayId === c.t.simGateway),
    in: [403, 403, 403, 403, 403, 200, 'hid', 403, 403, 401],
    out: [403, 403, 403, 403, 403, 200, 200, 403, 403, 401],
  },
  {
    name: 'drive a simulated home',
    method: 'POST',
    route: '/api/sim/homes/:gatewayId/:action',
    path: (c) => `/api/sim/homes/${c.t.simGateway}/fall_cleared`,
    ...adminOnly(404, 202),
  },

  // ── Inventory lists: admins see the installations inside their scope, nobody else sees the lists.
  ...(['households', 'elders', 'gateways'] as const).map(
    (kind): Row => ({
      name: `list the ${kind}`,
      method: 'GET',
      route: `/api/${kind}`,
      path: () => `/api/${kind}`,
      sees: (body, c) =>
        (body as { id: string }[]).some(
          (x) => x.id === { households: c.t.household, elders: c.t.elder, gateways: c.t.gateway }[kind],
        ),
      in: [403, 403, 403, 403, 403, 200, 'hid', 403, 403, 401],
      out: [403, 403, 403, 403, 403, 200, 200, 403, 403, 401],
    }),
  ),

  // ── Regions and user accounts: admin only; outside the admin's scope is refused (403) or not found (404).
  {
    name: 'create a community',
    method: 'POST',
    route: '/api/regions',
    path: () => '/api/regions',
    body: (c) => {
      const parent = c.t.region.split('.').slice(0, 2).join('.');
      return { id: `${parent}.matrix${c.n}`, name: `matrix ${c.n}`, level: 'community', parent };
    },
    ...adminOnly(403, 201),
  },
  {
    name: 'list the user accounts',
    method: 'GET',
    route: '/api/users',
    path: () => '/api/users',
    sees: (body, c) =>
      (body as { username: string }[]).some(
        (u) => u.username === (c.t.side === 'in' ? 'op-shizishan' : 'sup-anyue'),
      ),
    in: [403, 403, 403, 403, 403, 200, 'hid', 403, 403, 401],
    out: [403, 403, 403, 403, 403, 200, 200, 403, 403, 401],
  },
  {
    name: 'create a user account',
    method: 'POST',
    route: '/api/users',
    path: () => '/api/users',
    body: (c) => ({
      username: `matrix-user-${c.n}`,
      password: 'a long enough password',
      role: 'operator',
      scope: c.t.region,
    }),
    ...adminOnly(403, 201),
  },
  {
    name: 'disable a user account',
    method: 'PATCH',
    route: '/api/users/:username',
    prepare: async (c, fx) => addUser(fx, c),
    path: (c) => `/api/users/matrix-target-${c.n}`,
    body: () => ({ disabled: true }),
    ...adminOnly(404, 200),
  },
  {
    name: 'reset a user’s password',
    method: 'POST',
    route: '/api/users/:username/password',
    prepare: async (c, fx) => addUser(fx, c),
    path: (c) => `/api/users/matrix-target-${c.n}/password`,
    body: () => ({ password: 'another long password' }),
    ...adminOnly(404, 204),
  },
];

/** An operator account in the cell's region for the rows that change one. */
async function addUser(fx: Fixture, c: Cell): Promise<void> {
  await fx.sys.system.cloud.registry.insertUser({
    username: `matrix-target-${c.n}`,
    passwordHash: 'never used to log in',
    role: 'operator',
    scope: c.t.region,
  });
}
