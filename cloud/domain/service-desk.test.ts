import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type EventEnvelope,
  SERVICE_KINDS,
  type ServiceTicket,
  serviceKindOf,
} from '../../protocol/index.ts';
import { storeEngines } from '../../tests/support/stores.ts';
import type { Sql } from '../db/sql.ts';
import { RULES } from '../rules/registry.ts';
import { AlertService } from './alert-service.ts';
import type { DeviceContext } from './registry.ts';
import type { User } from './scope.ts';
import { ServiceDesk } from './service-desk.ts';

const T0 = Date.UTC(2026, 10, 22, 2, 0, 0);
const helper: User = { username: 'op-a', role: 'operator', scope: 'city.d1.a', elderIds: [] };
const otherHelper: User = { username: 'op-b', role: 'operator', scope: 'city.d1.b', elderIds: [] };
const district: User = { username: 'sup-d1', role: 'supervisor', scope: 'city.d1', elderIds: [] };
const family: User = { username: 'fam-1', role: 'family', scope: 'city.d1.a', elderIds: ['el-1'] };

const home = (n: number, community: 'a' | 'b'): DeviceContext => ({
  gatewayId: `gw-${n}`,
  deviceId: 'keys',
  deviceKind: 'rf433-bridge',
  householdId: `hh-${n}`,
  region: `city.d1.${community}`,
  elderId: `el-${n}`,
});

const ENGINES = storeEngines();

async function seed(db: Sql): Promise<void> {
  const rows: [string, string, string | null][] = [
    ['city', 'city', null],
    ['city.d1', 'district', 'city'],
    ['city.d1.a', 'community', 'city.d1'],
    ['city.d1.b', 'community', 'city.d1'],
  ];
  for (const [id, level, parent] of rows)
    await db.run('INSERT INTO regions (id, name, level, parent) VALUES ($1, $1, $2, $3)', [
      id,
      level,
      parent,
    ]);
  for (const [n, c] of [
    [1, 'a'],
    [2, 'a'],
    [3, 'b'],
  ] as const) {
    await db.run('INSERT INTO households (id, region, address) VALUES ($1, $2, $3)', [
      `hh-${n}`,
      `city.d1.${c}`,
      `${c} 路 ${n} 号`,
    ]);
    await db.run('INSERT INTO elders (id, household_id, name) VALUES ($1, $2, $3)', [
      `el-${n}`,
      `hh-${n}`,
      `老人 ${n}`,
    ]);
  }
}

describe.each(ENGINES)('service tickets of the green key, on $name', (engine) => {
  let db: Sql;
  let now = T0;
  let desk: ServiceDesk;
  let alerts: AlertService;
  const heard: [string, ServiceTicket][] = [];
  let n = 0;
  const press = async (ctx: DeviceContext, service: unknown, options: { id?: string; at?: number } = {}) => {
    n += 1;
    const event: EventEnvelope = {
      id: options.id ?? `svc-event-${n}`,
      ts: new Date(options.at ?? now).toISOString(),
      type: 'service_request',
      ...(service === undefined ? {} : { data: { service } }),
    };
    return alerts.ingestEvent(ctx, event, new Date(now).toISOString());
  };
  const ticketOf = async (user: User, elderId: string) =>
    (await desk.store.listForUser(user)).find((t) => t.elderId === elderId && t.state !== 'done');

  beforeAll(async () => {
    db = await engine.open();
    await seed(db);
    desk = new ServiceDesk(db, { clock: () => now });
    desk.onChange((change, ticket) => heard.push([change, ticket]));
    alerts = new AlertService(db, {
      rules: RULES,
      clock: () => now,
      onEvent: (tx, ctx, event, receivedAt) => desk.inEvent(tx, ctx, event, receivedAt),
    });
  });

  it('a green-key press makes a requested service ticket of its kind and never an alert', async () => {
    heard.length = 0;
    const outcome = await press(home(1, 'a'), 'meal', { id: 'green-key-meal-1' });
    expect(outcome).toEqual({ duplicate: false, changes: [] });
    expect(await alerts.store.count()).toBe(0);
    const ticket = await ticketOf(helper, 'el-1');
    expect(ticket).toMatchObject({
      service: 'meal',
      state: 'requested',
      elderId: 'el-1',
      elderName: '老人 1',
      address: 'a 路 1 号',
      householdId: 'hh-1',
      region: 'city.d1.a',
      eventId: 'green-key-meal-1',
      requestedAt: new Date(T0).toISOString(),
      repeatCount: 0,
    });
    expect(heard).toEqual([['raised', ticket]]);
  });

  it('when the gateway resends the same event id, no second ticket is made and nobody is told again', async () => {
    heard.length = 0;
    expect(await press(home(1, 'a'), 'meal', { id: 'green-key-meal-1' })).toEqual({ duplicate: true });
    expect((await desk.store.listForUser(helper)).filter((t) => t.elderId === 'el-1')).toHaveLength(1);
    expect(heard).toEqual([]);
  });

  it('pressing the same key again while the ticket waits joins it as a repeat; another kind is a new ticket', async () => {
    now = T0 + 60_000;
    await press(home(1, 'a'), 'meal');
    await press(home(1, 'a'), 'chat');
    const mine = await desk.store.listForUser(helper, 'requested');
    const meal = mine.find((t) => t.service === 'meal');
    expect(meal).toMatchObject({ repeatCount: 1, lastRequestedAt: new Date(T0 + 60_000).toISOString() });
    expect(mine.filter((t) => t.elderId === 'el-1').map((t) => t.service)).toEqual(['meal', 'chat']);
  });

  it('a request without a known service is kept as "other"', async () => {
    await press(home(2, 'a'), 'haircut');
    expect((await ticketOf(helper, 'el-2'))?.service).toBe('other');
  });

  it('a helper accepts, then finishes with a note; who and when are kept, and the time taken', async () => {
    const meal = (await desk.store.listForUser(helper, 'requested')).find((t) => t.service === 'meal');
    now = T0 + 5 * 60_000;
    const accepted = await desk.accept(meal?.id ?? '', helper);
    expect(accepted).toMatchObject({
      ok: true,
      changed: true,
      ticket: { state: 'accepted', acceptedBy: 'op-a', acceptedAt: new Date(now).toISOString() },
    });
    expect(await desk.accept(meal?.id ?? '', helper)).toMatchObject({ ok: true, changed: false });
    now = T0 + 45 * 60_000;
    const done = await desk.finish(meal?.id ?? '', helper, 'lunch delivered');
    expect(done).toMatchObject({
      ok: true,
      ticket: { state: 'done', doneBy: 'op-a', note: 'lunch delivered', tookS: 45 * 60 },
    });
    expect(await desk.finish(meal?.id ?? '', helper)).toEqual({ ok: false, code: 'closed' });
    expect(await desk.accept(meal?.id ?? '', helper)).toEqual({ ok: false, code: 'closed' });
  });

  it('after a ticket is done, the next press of that key makes a new ticket', async () => {
    await press(home(1, 'a'), 'meal');
    const meals = (await desk.store.listForUser(helper)).filter(
      (t) => t.elderId === 'el-1' && t.service === 'meal',
    );
    expect(meals.map((t) => t.state)).toEqual(['requested', 'done']);
  });

  it('finishing a ticket nobody accepted counts the finisher as its acceptor; a cancelled one is closed', async () => {
    const other = await ticketOf(helper, 'el-2');
    const done = await desk.finish(other?.id ?? '', helper);
    expect(done).toMatchObject({ ok: true, ticket: { state: 'done', acceptedBy: 'op-a', doneBy: 'op-a' } });
    const chat = (await desk.store.listForUser(helper, 'requested')).find((t) => t.service === 'chat');
    expect(await desk.cancel(chat?.id ?? '', helper, 'she rang: her son is visiting')).toMatchObject({
      ok: true,
      ticket: { state: 'cancelled', cancelledBy: 'op-a', note: 'she rang: her son is visiting' },
    });
    expect(await desk.accept(chat?.id ?? '', helper)).toEqual({ ok: false, code: 'closed' });
    expect(await desk.accept('no-such-ticket', helper)).toEqual({ ok: false, code: 'not_found' });
  });

  it('the list is scoped like alerts: the community, the district above it, the family of the elder', async () => {
    await press(home(3, 'b'), 'visit');
    const elders = async (user: User) => new Set((await desk.store.listForUser(user)).map((t) => t.elderId));
    expect(await elders(helper)).toEqual(new Set(['el-1', 'el-2']));
    expect(await elders(otherHelper)).toEqual(new Set(['el-3']));
    expect(await elders(district)).toEqual(new Set(['el-1', 'el-2', 'el-3']));
    expect(await elders(family)).toEqual(new Set(['el-1']));
  });

  it('waiting tickets come first, the longest waiting first; closed ones after, newest first', async () => {
    const list = await desk.store.listForUser(district);
    const open = list.filter((t) => t.state === 'requested' || t.state === 'accepted');
    expect(list.slice(0, open.length)).toEqual(open);
    const times = open.map((t) => t.requestedAt);
    expect(times).toEqual([...times].sort());
    const closed = list.slice(open.length).map((t) => t.requestedAt);
    expect(closed).toEqual([...closed].sort().reverse());
  });

  it('a gateway clock running ahead does not make the request newer than its receipt', async () => {
    await press(home(2, 'a'), 'chat', { at: now + 3_600_000 });
    expect((await ticketOf(helper, 'el-2'))?.requestedAt).toBe(new Date(now).toISOString());
  });
});

describe('the service kind of a request', () => {
  it('is data.service when it is a contract kind, and "other" for anything else', () => {
    for (const kind of SERVICE_KINDS) expect(serviceKindOf({ service: kind })).toBe(kind);
    fc.assert(
      fc.property(fc.anything(), (data) => {
        const kind = serviceKindOf(data);
        expect(SERVICE_KINDS).toContain(kind);
        const service = typeof data === 'object' && data !== null ? Reflect.get(data, 'service') : undefined;
        if (kind !== 'other') expect(service).toBe(kind);
      }),
    );
  });
});
