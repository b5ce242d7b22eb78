import { describe, expect, it } from 'vitest';
import { storeEngines } from '../../tests/support/stores.ts';
import type { Sql } from '../db/sql.ts';
import { AuditLog } from './audit.ts';
import { ConflictError, ReferenceError_, Registry } from './registry.ts';
import type { User } from './scope.ts';
import { hashSecret } from './secrets.ts';
import { Sessions } from './sessions.ts';
import { UserStore } from './user-store.ts';

const ENGINES = storeEngines();

async function world(db: Sql): Promise<Registry> {
  const registry = new Registry(db);
  await registry.insertRegion({ id: 'c', name: 'City', level: 'city', parent: null });
  await registry.insertRegion({ id: 'c.d', name: 'District', level: 'district', parent: 'c' });
  await registry.insertRegion({ id: 'c.d.x', name: 'X', level: 'community', parent: 'c.d' });
  await registry.insertRegion({ id: 'c.d_y', name: 'Y', level: 'district', parent: 'c' });
  await registry.insertHousehold({ id: 'hh-1', region: 'c.d.x', address: 'No. 1', profile: { floor: 3 } });
  await registry.insertElder({ id: 'el-1', householdId: 'hh-1', name: 'Li', profile: { livesAlone: true } });
  await registry.insertElder({ id: 'el-0', householdId: 'hh-1', name: 'Wang' });
  await registry.insertGateway({
    id: 'gw-1',
    householdId: 'hh-1',
    secretHash: 'hash',
    devices: [
      { id: 'watch', kind: 'watch', elderId: 'el-1' },
      { id: 'door', kind: 'door', config: { location: '门口' } },
    ],
  });
  return registry;
}

describe.each(ENGINES)('the registry, users, sessions and audit log, on $name', (engine) => {
  it('an event’s device resolves to its household, community and elder; an unknown device to the first elder', async () => {
    const registry = await world(await engine.open());
    expect(await registry.deviceContext('gw-1', 'watch')).toEqual({
      gatewayId: 'gw-1',
      deviceId: 'watch',
      deviceKind: 'watch',
      householdId: 'hh-1',
      region: 'c.d.x',
      elderId: 'el-1',
    });
    expect(await registry.deviceContext('gw-1', 'door')).toMatchObject({ location: '门口', elderId: 'el-0' });
    expect(await registry.deviceContext('gw-1', 'unknown')).toMatchObject({
      deviceKind: null,
      elderId: 'el-0',
    });
    expect(await registry.deviceContext('gw-9', 'watch')).toBeNull();
    expect((await registry.eldersOf('hh-1')).map((e) => e.id)).toEqual(['el-0', 'el-1']);
    expect(await registry.getHousehold('hh-1')).toEqual({
      id: 'hh-1',
      region: 'c.d.x',
      address: 'No. 1',
      profile: { floor: 3 },
    });
  });

  it('provisioning refuses taken ids and missing references, and a failed gateway leaves no device behind', async () => {
    const db = await engine.open();
    const registry = await world(db);
    await expect(
      registry.insertHousehold({ id: 'hh-1', region: 'c.d.x', address: 'x' }),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(
      registry.insertHousehold({ id: 'hh-2', region: 'c.d', address: 'x' }),
    ).rejects.toBeInstanceOf(ReferenceError_);
    await expect(
      registry.insertGateway({
        id: 'gw-2',
        householdId: 'hh-1',
        secretHash: 'h',
        devices: [
          { id: 'a', kind: 'k' },
          { id: 'a', kind: 'k' },
        ],
      }),
    ).rejects.toThrow();
    expect(await db.get("SELECT count(*) AS n FROM gateways WHERE id = 'gw-2'")).toEqual({ n: 0 });
    expect(await db.get("SELECT count(*) AS n FROM devices WHERE gateway_id = 'gw-2'")).toEqual({ n: 0 });
  });

  it('a revoked gateway no longer verifies, and a rotated secret lifts the revocation', async () => {
    const registry = await world(await engine.open());
    await registry.rotateGatewaySecret('gw-1', await hashSecret('correct-horse'));
    expect(await registry.verifyGateway('gw-1', 'correct-horse')).toBe(true);
    await registry.revokeGateway('gw-1', '2026-11-20T08:00:00.000Z');
    expect(await registry.verifyGateway('gw-1', 'correct-horse')).toBe(false);
    await registry.rotateGatewaySecret('gw-1', await hashSecret('battery-staple'));
    expect(await registry.verifyGateway('gw-1', 'battery-staple')).toBe(true);
    expect(await registry.verifyGateway('gw-1', 'correct-horse')).toBe(false);
  });

  it('a gateway whose secret was stored with scrypt gets it stored as SHA-256 on its first proof, and a wrong secret changes nothing', async () => {
    const db = await engine.open();
    const registry = await world(db);
    const hashOf = async () =>
      String((await db.get('SELECT secret_hash FROM gateways WHERE id = $1', ['gw-1']))?.secret_hash);
    const old = await hashSecret('correct-horse');
    await registry.rotateGatewaySecret('gw-1', old);
    expect(await registry.verifyGateway('gw-1', 'wrong-horse')).toBe(false);
    expect(await hashOf()).toBe(old);
    expect(await registry.verifyGateway('gw-1', 'correct-horse')).toBe(true);
    const upgraded = await hashOf();
    expect(upgraded.startsWith('sha256$')).toBe(true);
    expect(await registry.verifyGateway('gw-1', 'correct-horse')).toBe(true);
    expect(await registry.verifyGateway('gw-1', 'battery-staple')).toBe(false);
    expect(await hashOf()).toBe(upgraded);
  });

  it('users list by scope without LIKE leaks, disabling keeps the first time, and a taken name is refused', async () => {
    const db = await engine.open();
    await world(db);
    const users = new UserStore(db);
    const staff = { passwordHash: 'h', elderIds: [] };
    expect(await users.create({ username: 'op-x', role: 'operator', scope: 'c.d.x', ...staff })).toBe(true);
    expect(await users.create({ username: 'sup-d', role: 'supervisor', scope: 'c.d', ...staff })).toBe(true);
    expect(await users.create({ username: 'sup-y', role: 'supervisor', scope: 'c.d_y', ...staff })).toBe(
      true,
    );
    expect(await users.create({ username: 'op-x', role: 'admin', scope: 'c', ...staff })).toBe(false);
    expect((await users.list('c.d')).map((u) => u.username)).toEqual(['op-x', 'sup-d']);
    const change = { role: 'operator' as const, scope: 'c.d.x', elderIds: [] };
    await users.update('op-x', change, '2026-11-20T08:00:00.000Z');
    await users.update('op-x', change, '2026-11-21T08:00:00.000Z');
    expect(await users.get('op-x')).toMatchObject({ disabled: true, disabledAt: '2026-11-20T08:00:00.000Z' });
    expect((await new Registry(db).findUser('op-x'))?.disabledAt).toBe('2026-11-20T08:00:00.000Z');
    await users.update('op-x', change, null);
    expect(await users.get('op-x')).toMatchObject({ disabled: false });
    expect(await users.get('op-x')).not.toHaveProperty('disabledAt');
  });

  it('a session resolves until it expires or is revoked, and revoking a user ends all of theirs', async () => {
    const db = await engine.open();
    await world(db);
    await new Registry(db).insertUser({
      username: 'fam',
      passwordHash: 'h',
      role: 'family',
      scope: 'c.d.x',
      elderIds: ['el-1'],
    });
    const sessions = new Sessions(db, 60_000);
    const now = Date.parse('2026-11-20T08:00:00.000Z');
    const a = await sessions.create('fam', now);
    const b = await sessions.create('fam', now);
    expect(await sessions.resolve(a.token, now + 59_999)).toBe('fam');
    expect(await sessions.resolve(a.token, now + 60_000)).toBeNull();
    await sessions.revoke(a.token);
    expect(await sessions.resolve(a.token, now)).toBeNull();
    expect(await sessions.resolve(b.token, now)).toBe('fam');
    await sessions.revokeUser('fam');
    expect(await sessions.resolve(b.token, now)).toBeNull();
    expect((await new Registry(db).findUser('fam'))?.user).toEqual({
      username: 'fam',
      role: 'family',
      scope: 'c.d.x',
      elderIds: ['el-1'],
    });
  });

  it('the audit log lists newest first, only actors within the reader’s scope', async () => {
    const db = await engine.open();
    const audit = new AuditLog(db);
    const actor = (username: string, scope: string): User => ({
      username,
      role: 'admin',
      scope,
      elderIds: [],
    });
    const entry = (at: string) => ({
      at,
      method: 'POST',
      route: '/api/x/:id',
      target: { id: '1' },
      status: 201,
      address: '::1',
    });
    await audit.record(actor('a', 'c.d'), entry('2026-11-20T08:00:00.000Z'));
    await audit.record(actor('b', 'c.d_y'), entry('2026-11-20T08:01:00.000Z'));
    await audit.record(actor('c', 'c.d.x'), entry('2026-11-20T08:02:00.000Z'));
    const reader = actor('sup', 'c.d');
    expect((await audit.list(reader)).map((e) => e.username)).toEqual(['c', 'a']);
    expect((await audit.list(reader, 10, '2026-11-20T08:02:00.000Z')).map((e) => e.username)).toEqual(['a']);
    expect((await audit.list(actor('root', 'c'), 1))[0]).toEqual({
      username: 'c',
      role: 'admin',
      ...entry('2026-11-20T08:02:00.000Z'),
    });
  });
});
