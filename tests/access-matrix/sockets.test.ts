import { createHash } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedHome } from '../../device-sims/mqtt-home.ts';
import type { Alert, ServiceTicket } from '../../protocol/index.ts';
import { eventually, TestSystem } from '../support/system.ts';
import { freshTicket } from './services.ts';
import { addDistrictAdmin, CALLERS, type Caller, freshSos, IN, login, OUT } from './support.ts';

/**
 * The access matrix of Socket.IO `/dispatch`: which callers receive `alert:raised` and `alert:updated`
 * for an alert in 狮子山 (`in`, elder el-0001) and one in 岳龙 (`out`, elder el-0005), and which
 * handshakes are refused. The namespace handles no client→server events (DispatchClientEvents is
 * empty); the last row checks that what a client emits reaches no one else.
 */
//                         raised in, raised out, updated in, updated out
const RECEIVES: Record<Exclude<Caller, '-'>, [boolean, boolean, boolean, boolean]> = {
  'op-shizishan': [true, false, true, false],
  'op-sanxianci': [false, false, false, false],
  'sup-yanjiang': [true, false, true, false],
  'sup-anyue': [false, true, false, true],
  'sup-city': [true, true, true, true],
  admin: [true, true, true, true],
  'admin-anyue': [false, true, false, true],
  'family-el-0001': [true, false, true, false],
  'family-el-0003': [false, false, false, false],
};

interface Listener {
  socket: Socket;
  raised: Alert[];
  updated: Alert[];
  /** Every event, whatever its name. */
  any: string[];
}

/** Settles once the socket connected or was refused; resolves with the refusal's message, or null. */
function outcome(socket: Socket): Promise<string | null> {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve(null));
    socket.once('connect_error', (err) => resolve(err.message));
  });
}

describe('the access matrix of Socket.IO /dispatch', () => {
  let sys: TestSystem;
  let homes: Record<'in' | 'out', SimulatedHome>;
  let city: string;
  const sockets: Socket[] = [];

  const open = (auth: Record<string, unknown>, options: Parameters<typeof io>[1] = {}): Socket => {
    const socket = io(`${sys.http}/dispatch`, {
      auth,
      transports: ['websocket'],
      reconnection: false,
      ...options,
    });
    sockets.push(socket);
    return socket;
  };
  const listen = async (token: string): Promise<Listener> => {
    const socket = open({ token });
    const l: Listener = { socket, raised: [], updated: [], any: [] };
    socket.on('alert:raised', (a: Alert) => l.raised.push(a));
    socket.on('alert:updated', (a: Alert) => l.updated.push(a));
    socket.onAny((event: string) => l.any.push(event));
    expect(await outcome(socket)).toBeNull();
    return l;
  };
  /** Raises an SOS on a side and waits for the city supervisor's view of it. */
  const sos = (side: 'in' | 'out'): Promise<Alert> =>
    freshSos(sys, city, homes[side], side === 'in' ? IN.elder : OUT.elder);
  /** After the positive controls arrived, other deliveries of the same emit have had time too. */
  const settle = () => new Promise((r) => setTimeout(r, 300));

  beforeAll(async () => {
    sys = await TestSystem.start();
    await addDistrictAdmin(sys);
    city = await login(sys, 'sup-city');
    homes = { in: await sys.home(IN.gateway), out: await sys.home(OUT.gateway) };
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await sys?.stop();
  });

  it('alert:raised and alert:updated reach exactly the callers whose scope covers the alert', async () => {
    const listeners = new Map<Caller, Listener>();
    for (const caller of CALLERS)
      if (caller !== '-') listeners.set(caller, await listen(await login(sys, caller)));
    const admin = listeners.get('admin') as Listener;
    const inAlert = await sos('in');
    const outAlert = await sos('out');
    for (const a of [inAlert, outAlert])
      expect((await sys.api(city, 'POST', `/api/alerts/${a.id}/ack`, {})).status).toBe(200);
    await eventually(
      () =>
        [inAlert, outAlert].every(
          (a) => admin.raised.some((r) => r.id === a.id) && admin.updated.some((u) => u.id === a.id),
        ),
      5000,
      'the admin to see both alerts raised and updated',
    );
    await settle();
    const got = Object.fromEntries(
      [...listeners].map(([caller, l]) => [
        caller,
        [
          l.raised.some((a) => a.id === inAlert.id),
          l.raised.some((a) => a.id === outAlert.id),
          l.updated.some((a) => a.id === inAlert.id),
          l.updated.some((a) => a.id === outAlert.id),
        ],
      ]),
    );
    expect(got).toEqual(RECEIVES);
  });

  it('service:raised and service:updated reach the same callers as alerts, and never as alert events', async () => {
    const listeners = new Map<
      Caller,
      { socket: Socket; raised: string[]; updated: string[]; alerts: string[] }
    >();
    for (const caller of CALLERS) {
      if (caller === '-') continue;
      const socket = open({ token: await login(sys, caller) });
      const l = { socket, raised: [] as string[], updated: [] as string[], alerts: [] as string[] };
      socket.on('service:raised', (t: ServiceTicket) => l.raised.push(t.id));
      socket.on('service:updated', (t: ServiceTicket) => l.updated.push(t.id));
      socket.on('alert:raised', (a: Alert) => l.alerts.push(a.id));
      expect(await outcome(socket)).toBeNull();
      listeners.set(caller, l);
    }
    const admin = listeners.get('admin');
    const inTicket = await freshTicket(sys, city, homes.in, IN.elder);
    const outTicket = await freshTicket(sys, city, homes.out, OUT.elder);
    for (const t of [inTicket, outTicket])
      expect((await sys.api(city, 'POST', `/api/service-requests/${t.id}/accept`, {})).status).toBe(200);
    await eventually(
      () => [inTicket, outTicket].every((t) => admin?.raised.includes(t.id) && admin.updated.includes(t.id)),
      5000,
      'the admin to see both tickets raised and updated',
    );
    await settle();
    const got = Object.fromEntries(
      [...listeners].map(([caller, l]) => [
        caller,
        [
          l.raised.includes(inTicket.id),
          l.raised.includes(outTicket.id),
          l.updated.includes(inTicket.id),
          l.updated.includes(outTicket.id),
        ],
      ]),
    );
    expect(got).toEqual(RECEIVES);
    expect([...listeners.values()].flatMap((l) => l.alerts)).toEqual([]);
  });

  it('a handshake without a token, with a made-up one, a non-string one, an expired or a logged-out one is refused', async () => {
    const expired = await login(sys, 'op-shizishan');
    await sys.system.cloud.store.run('UPDATE sessions SET expires_at = $1 WHERE token_hash = $2', [
      new Date(Date.now() - 1000).toISOString(),
      createHash('sha256').update(expired).digest('hex'),
    ]);
    const loggedOut = await login(sys, 'op-shizishan');
    expect((await sys.api(loggedOut, 'DELETE', '/api/session')).status).toBe(204);
    const refusals = {
      none: await outcome(open({})),
      madeUp: await outcome(open({ token: 'not-a-session-token' })),
      notAString: await outcome(open({ token: 12345 })),
      expired: await outcome(open({ token: expired })),
      loggedOut: await outcome(open({ token: loggedOut })),
    };
    expect(refusals).toEqual({
      none: 'unauthorized',
      madeUp: 'unauthorized',
      notAString: 'unauthorized',
      expired: 'unauthorized',
      loggedOut: 'unauthorized',
    });
  });

  it('a socket whose session ended (logged out) receives no further alerts', async () => {
    const token = await login(sys, 'op-shizishan');
    const gone = await listen(token);
    const control = await listen(await login(sys, 'op-shizishan'));
    expect((await sys.api(token, 'DELETE', '/api/session')).status).toBe(204);
    const alert = await sos('in');
    await eventually(() => control.raised.some((a) => a.id === alert.id), 5000, 'the control socket');
    await settle();
    expect(gone.raised.map((a) => a.id)).not.toContain(alert.id);
    expect(gone.socket.connected).toBe(false);
  });

  it('a logout hangs up that session’s sockets at once, and the same user’s other sessions stay', async () => {
    const token = await login(sys, 'op-shizishan');
    const gone = await listen(token);
    const other = await listen(await login(sys, 'op-shizishan'));
    const closed = new Promise<string>((resolve) =>
      gone.socket.once('disconnect', (reason) => resolve(reason)),
    );
    expect((await sys.api(token, 'DELETE', '/api/session')).status).toBe(204);
    expect(await closed).toBe('io server disconnect');
    await settle();
    expect(other.socket.connected).toBe(true);
  });

  it('a dropped connection of a logged-out session is not recovered, nor handed what it missed', async () => {
    const token = await login(sys, 'op-shizishan');
    const socket = open({ token }, { reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 100 });
    const raised: string[] = [];
    socket.on('alert:raised', (a: Alert) => raised.push(a.id));
    expect(await outcome(socket)).toBeNull();
    // An alert received gives the client an offset to recover from.
    const seen = await sos('in');
    await eventually(() => raised.includes(seen.id), 5000, 'the first alert');
    const hungUp = new Promise((resolve) => socket.once('disconnect', resolve));
    expect((await sys.api(token, 'DELETE', '/api/session')).status).toBe(204);
    await hungUp;
    const missed = await sos('in');
    // The client comes back with its recovery id and the (now ended) session's token.
    const back = outcome(socket);
    socket.connect();
    expect(await back).toBe('unauthorized');
    socket.io.reconnection(false);
    expect(socket.connected).toBe(false);
    expect(raised).not.toContain(missed.id);
  });

  it('what a client emits on /dispatch reaches no other client', async () => {
    const admin = await listen(await login(sys, 'admin'));
    const family = await listen(await login(sys, 'family-el-0003'));
    const fake = { id: 'fake', type: 'sos', region: IN.region, elderId: IN.elder };
    family.socket.emit('alert:raised', fake);
    family.socket.emit('alert:updated', fake);
    // A real alert afterwards proves the admin's socket was listening all along.
    const alert = await sos('in');
    await eventually(() => admin.raised.some((a) => a.id === alert.id), 5000, 'the real alert');
    await settle();
    expect(admin.raised.map((a) => a.id)).not.toContain('fake');
    expect(admin.updated.map((a) => a.id)).not.toContain('fake');
  });
});
