import type { Alert } from '../../protocol/index.ts';
import { type Cell, type Fixture, type Row, SEES_IN, SEES_OUT } from './support.ts';

/** Each cell acts on an SOS of its own: acknowledging, resolving and accepting change what the next cell sees. */
const freshAlert = async (c: Cell, fx: Fixture) => {
  c.alert = (await fx.freshAlert(c.t)).id;
};

/** A fresh SOS and the family notification it planned for the side's family user, with its signed token. */
const freshNotification = async (c: Cell, fx: Fixture) => {
  await freshAlert(c, fx);
  const outbox = fx.sys.system.cloud.notifications;
  const sent = (await outbox.ofAlert(c.alert)).find(
    (n) => n.recipient === c.t.family && n.reason === 'alert',
  );
  if (!sent) throw new Error(`no notification of ${c.alert} for ${c.t.family}`);
  c.extra.notification = sent.id;
  c.extra.token = outbox.sign(sent.id);
};

const listed = (body: unknown, c: Cell) => (body as Alert[]).some((a) => a.id === c.alert);

//  Columns: op-shizishan op-sanxianci sup-yanjiang sup-anyue sup-city admin admin-anyue family-el-0001
//  family-el-0003 no-login. `in` is an alert of el-0001 in 狮子山, `out` one of el-0005 in 岳龙 (安岳县).
export const ALERT_ROWS: Row[] = [
  // ── The queue and one alert: everyone sees what their scope covers, family their own elder's.
  {
    name: 'list alerts',
    method: 'GET',
    route: '/api/alerts',
    path: () => '/api/alerts',
    sees: listed,
    in: [200, 'hid', 200, 'hid', 200, 200, 'hid', 200, 'hid', 401],
    out: ['hid', 'hid', 'hid', 200, 200, 200, 200, 'hid', 'hid', 401],
  },
  {
    name: 'read an alert',
    method: 'GET',
    route: '/api/alerts/:id',
    path: (c) => `/api/alerts/${c.alert}`,
    in: SEES_IN,
    out: SEES_OUT,
  },
  {
    name: 'read its timeline',
    method: 'GET',
    route: '/api/alerts/:id/timeline',
    path: (c) => `/api/alerts/${c.alert}/timeline`,
    in: SEES_IN,
    out: SEES_OUT,
  },

  // ── Dispatch actions: staff in scope; a family member sees the alert but may not handle it (403).
  {
    name: 'acknowledge',
    method: 'POST',
    route: '/api/alerts/:id/ack',
    prepare: freshAlert,
    path: (c) => `/api/alerts/${c.alert}/ack`,
    body: () => ({ note: 'on it' }),
    in: [200, 404, 200, 404, 200, 200, 404, 403, 404, 401],
    out: [404, 404, 404, 200, 200, 200, 200, 404, 404, 401],
  },
  {
    name: 'resolve',
    method: 'POST',
    route: '/api/alerts/:id/resolve',
    prepare: freshAlert,
    path: (c) => `/api/alerts/${c.alert}/resolve`,
    body: () => ({ outcome: 'assisted' }),
    in: [200, 404, 200, 404, 200, 200, 404, 403, 404, 401],
    out: [404, 404, 404, 200, 200, 200, 200, 404, 404, 401],
  },
  {
    name: 'add a note',
    method: 'POST',
    route: '/api/alerts/:id/notes',
    path: (c) => `/api/alerts/${c.alert}/notes`,
    body: () => ({ note: 'called the neighbour' }),
    in: [201, 404, 201, 404, 201, 201, 404, 403, 404, 401],
    out: [404, 404, 404, 201, 201, 201, 201, 404, 404, 401],
  },
  {
    name: 'record a milestone',
    method: 'POST',
    route: '/api/alerts/:id/milestones',
    path: (c) => `/api/alerts/${c.alert}/milestones`,
    body: () => ({ milestone: 'on_scene', responder: 'grid worker' }),
    in: [201, 404, 201, 404, 201, 201, 404, 403, 404, 401],
    out: [404, 404, 404, 201, 201, 201, 201, 404, 404, 401],
  },

  // ── "I'm on my way": only a family member of the alert's elder; staff are refused by role first.
  {
    name: 'accept as family',
    method: 'POST',
    route: '/api/alerts/:id/accept',
    prepare: freshAlert,
    path: (c) => `/api/alerts/${c.alert}/accept`,
    body: () => ({ etaMinutes: 10 }),
    in: [403, 403, 403, 403, 403, 403, 403, 201, 404, 401],
    out: [403, 403, 403, 403, 403, 403, 403, 404, 404, 401],
  },
  // The notification's signed token stands for its recipient: whoever holds it (no login needed) accepts
  // for that recipient, and a session is no substitute for it.
  {
    name: 'accept from a notification, with its token',
    method: 'POST',
    route: '/api/notifications/:id/accept',
    prepare: freshNotification,
    path: (c) => `/api/notifications/${encodeURIComponent(c.extra.notification ?? '')}/accept`,
    body: (c) => ({ token: c.extra.token, etaMinutes: 5 }),
    in: [201, 201, 201, 201, 201, 201, 201, 201, 201, 201],
    out: [201, 201, 201, 201, 201, 201, 201, 201, 201, 201],
  },
  {
    name: 'accept from a notification, with a token of another notification',
    method: 'POST',
    route: '/api/notifications/:id/accept',
    prepare: async (c, fx) => {
      await freshNotification(c, fx);
      c.extra.token = fx.sys.system.cloud.notifications.sign(`${c.extra.notification}x`);
    },
    path: (c) => `/api/notifications/${encodeURIComponent(c.extra.notification ?? '')}/accept`,
    body: (c) => ({ token: c.extra.token }),
    in: [403, 403, 403, 403, 403, 403, 403, 403, 403, 403],
    out: [403, 403, 403, 403, 403, 403, 403, 403, 403, 403],
  },
  {
    name: 'the family page’s elders',
    method: 'GET',
    route: '/api/family/elders',
    path: () => '/api/family/elders',
    sees: (body, c) => (body as { id: string }[]).some((e) => e.id === c.t.elder),
    in: [403, 403, 403, 403, 403, 403, 403, 200, 'hid', 401],
    out: [403, 403, 403, 403, 403, 403, 403, 'hid', 'hid', 401],
  },
];
