import { type Cells, demoPassword, PUSH_KEYS, type Row } from './support.ts';

const ANYONE_LOGGED_IN = (ok: number): Cells => [ok, ok, ok, ok, ok, ok, ok, ok, ok, 401];
/** Someone outside the callers, whose push subscription nobody in the matrix may remove. */
const OTHER_USER = 'op-liantai';
const endpointOf = (owner: string, n: number) => `https://push.example/matrix/${owner}/${n}`;

//  Columns: op-shizishan op-sanxianci sup-yanjiang sup-anyue sup-city admin admin-anyue family-el-0001
//  family-el-0003 no-login.
export const ACCOUNT_ROWS: Row[] = [
  // ── Public: liveness, metrics, the Web Push key, and logging in (no-login sends a wrong password).
  {
    name: 'liveness',
    method: 'GET',
    route: '/api/health',
    path: () => '/api/health',
    cells: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    name: 'Prometheus metrics',
    method: 'GET',
    route: '/metrics',
    path: () => '/metrics',
    cells: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    name: 'the Web Push public key',
    method: 'GET',
    route: '/api/push/vapid-public-key',
    path: () => '/api/push/vapid-public-key',
    cells: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    name: 'log in',
    method: 'POST',
    route: '/api/session',
    path: () => '/api/session',
    body: (c) =>
      c.caller === '-'
        ? { username: 'admin', password: 'not-the-password' }
        : { username: c.caller, password: demoPassword(c.caller) },
    cells: [200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
  },

  // ── One's own session and settings: any logged-in user, and only their own.
  {
    name: 'who am I',
    method: 'GET',
    route: '/api/session',
    path: () => '/api/session',
    cells: ANYONE_LOGGED_IN(200),
  },
  // Logging out ends the session it is called with: each cell logs in anew for it.
  {
    name: 'log out',
    method: 'DELETE',
    route: '/api/session',
    prepare: async (c, fx) => {
      c.token = await fx.login(c.caller);
    },
    path: () => '/api/session',
    cells: ANYONE_LOGGED_IN(204),
  },
  {
    name: 'my notification settings',
    method: 'GET',
    route: '/api/me/notifications',
    path: () => '/api/me/notifications',
    cells: ANYONE_LOGGED_IN(200),
  },
  {
    name: 'change my notification settings',
    method: 'PUT',
    route: '/api/me/notifications',
    path: () => '/api/me/notifications',
    body: () => ({ push: true, severities: ['critical', 'high'] }),
    cells: ANYONE_LOGGED_IN(200),
  },
  {
    name: 'subscribe to Web Push',
    method: 'POST',
    route: '/api/me/push-subscriptions',
    path: () => '/api/me/push-subscriptions',
    body: (c) => ({ endpoint: endpointOf(c.caller, c.n), keys: PUSH_KEYS }),
    cells: ANYONE_LOGGED_IN(201),
  },
  // `in` removes the caller's own subscription, `out` another user's: as absent as an unknown one (404).
  {
    name: 'unsubscribe from Web Push',
    method: 'DELETE',
    route: '/api/me/push-subscriptions',
    prepare: async (c, fx) => {
      const owner = c.t.side === 'in' && c.caller !== '-' ? c.caller : OTHER_USER;
      c.extra.endpoint = endpointOf(owner, c.n);
      await fx.sys.system.cloud.notifications.subscribe(owner, c.extra.endpoint, PUSH_KEYS);
    },
    path: () => '/api/me/push-subscriptions',
    body: (c) => ({ endpoint: c.extra.endpoint }),
    in: ANYONE_LOGGED_IN(204),
    out: ANYONE_LOGGED_IN(404),
  },
];
