import type { SimulatedHome } from '../../device-sims/mqtt-home.ts';
import type { ServiceTicket } from '../../protocol/index.ts';
import { eventually, type TestSystem } from '../support/system.ts';
import { type Cell, type Fixture, type Row, SEES_IN, SEES_OUT } from './support.ts';

/**
 * A new green-key ticket for `elder` from `home`, as `token` (staff covering the elder) sees it. A repeat
 * press joins an open ticket of its kind, so the elder's open tickets are cancelled first.
 */
export async function freshTicket(
  sys: TestSystem,
  token: string,
  home: SimulatedHome,
  elder: string,
): Promise<ServiceTicket> {
  const all = (await sys.api<ServiceTicket[]>(token, 'GET', '/api/service-requests')).body;
  for (const t of all.filter(
    (t) => t.elderId === elder && (t.state === 'requested' || t.state === 'accepted'),
  ))
    await sys.api(token, 'POST', `/api/service-requests/${t.id}/cancel`, {});
  const eventId = await home.event('service_request', { data: { service: 'meal' } });
  return eventually(
    async () =>
      (await sys.api<ServiceTicket[]>(token, 'GET', '/api/service-requests')).body.find(
        (t) => t.eventId === eventId,
      ),
    5000,
    `the ticket of event ${eventId}`,
  );
}

/** Each cell acts on a ticket of its own (kept in `c.alert`: the row's target id). */
const fresh = async (c: Cell, fx: Fixture) => {
  const admin = fx.tokens.get('admin') as string;
  c.alert = (await freshTicket(fx.sys, admin, fx.homes.get(c.t.side) as SimulatedHome, c.t.elder)).id;
};

//  Columns: op-shizishan op-sanxianci sup-yanjiang sup-anyue sup-city admin admin-anyue family-el-0001
//  family-el-0003 no-login. `in` is a ticket of el-0001 in 狮子山, `out` one of el-0005 in 岳龙.
//  Scoped exactly like alerts: staff in scope handle them, the elder's family sees them but may not (403).
const handles = {
  in: [200, 404, 200, 404, 200, 200, 404, 403, 404, 401],
  out: [404, 404, 404, 200, 200, 200, 200, 404, 404, 401],
} satisfies Pick<Row, 'in' | 'out'>;

export const SERVICE_ROWS: Row[] = [
  {
    name: 'list service requests',
    method: 'GET',
    route: '/api/service-requests',
    prepare: fresh,
    path: () => '/api/service-requests',
    sees: (body, c) => (body as ServiceTicket[]).some((t) => t.id === c.alert),
    in: [200, 'hid', 200, 'hid', 200, 200, 'hid', 200, 'hid', 401],
    out: ['hid', 'hid', 'hid', 200, 200, 200, 200, 'hid', 'hid', 401],
  },
  {
    name: 'read a service request',
    method: 'GET',
    route: '/api/service-requests/:id',
    prepare: fresh,
    path: (c) => `/api/service-requests/${c.alert}`,
    in: SEES_IN,
    out: SEES_OUT,
  },
  {
    name: 'accept a service request',
    method: 'POST',
    route: '/api/service-requests/:id/accept',
    prepare: fresh,
    path: (c) => `/api/service-requests/${c.alert}/accept`,
    body: () => ({}),
    ...handles,
  },
  {
    name: 'finish a service request',
    method: 'POST',
    route: '/api/service-requests/:id/done',
    prepare: fresh,
    path: (c) => `/api/service-requests/${c.alert}/done`,
    body: () => ({ note: 'lunch delivered' }),
    ...handles,
  },
  {
    name: 'cancel a service request',
    method: 'POST',
    route: '/api/service-requests/:id/cancel',
    prepare: fresh,
    path: (c) => `/api/service-requests/${c.alert}/cancel`,
    body: () => ({ note: 'her son came' }),
    ...handles,
  },
];
