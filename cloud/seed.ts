import { readFile } from 'node:fs/promises';
import Type from 'typebox';
import { Compile } from 'typebox/compile';
import { ID_PATTERN, REGION_ID_PATTERN, ROLES } from '../protocol/index.ts';
import type { Sql } from './db/sql.ts';
import type { Registry } from './domain/registry.ts';
import { hashGatewaySecret, hashSecret } from './domain/secrets.ts';

const Id = Type.String({ pattern: ID_PATTERN });
const RegionId = Type.String({ pattern: REGION_ID_PATTERN });
const DemoWorld = Type.Object({
  regions: Type.Array(
    Type.Object({
      id: RegionId,
      name: Type.String(),
      level: Type.Union([Type.Literal('city'), Type.Literal('district'), Type.Literal('community')]),
      parent: Type.Union([RegionId, Type.Null()]),
    }),
  ),
  households: Type.Array(
    Type.Object({ id: Id, region: RegionId, address: Type.String() }, { additionalProperties: true }),
  ),
  elders: Type.Array(
    Type.Object({ id: Id, householdId: Id, name: Type.String() }, { additionalProperties: true }),
  ),
  gateways: Type.Array(
    Type.Object({
      id: Id,
      secret: Type.String({ minLength: 8 }),
      householdId: Id,
      devices: Type.Array(
        Type.Object(
          { id: Id, kind: Type.String(), elderId: Type.Optional(Id) },
          { additionalProperties: true },
        ),
      ),
    }),
  ),
  users: Type.Array(
    Type.Object({
      username: Type.String({ minLength: 1 }),
      password: Type.String({ minLength: 1 }),
      role: Type.Enum(ROLES),
      scope: RegionId,
      elderIds: Type.Optional(Type.Array(Id)),
    }),
  ),
});
export type DemoWorld = Type.Static<typeof DemoWorld>;
const check = Compile(DemoWorld);

export async function readDemoWorld(path: string): Promise<DemoWorld> {
  const value: unknown = JSON.parse(await readFile(path, 'utf8'));
  if (!check.Check(value)) {
    const first = check.Errors(value)[0];
    throw new Error(`${path}: ${first?.instancePath ?? ''} ${first?.message ?? 'invalid'}`);
  }
  return value;
}

const LEVEL_ORDER = { city: 0, district: 1, community: 2 } as const;

/**
 * Loads a world into an empty registry in one transaction; secrets and passwords are stored hashed.
 * False (and nothing written) when the registry is not empty: of several cloud processes starting on
 * one new database, one seeds it.
 */
export async function seedWorld(sql: Sql, registry: Registry, world: DemoWorld): Promise<boolean> {
  // Hashing is the slow part: do it before the transaction, in parallel on the thread pool.
  const gatewayHashes = world.gateways.map((g) => hashGatewaySecret(g.secret));
  const userHashes = await Promise.all(world.users.map((u) => hashSecret(u.password)));
  return sql.transaction(async (tx) => {
    const inTx = registry.in(tx);
    if (!(await inTx.isEmpty())) return false;
    const regions = [...world.regions].sort((a, b) => LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level]);
    for (const r of regions) await inTx.insertRegion(r);
    for (const { id, region, address, ...profile } of world.households)
      await inTx.insertHousehold({ id, region, address, profile });
    for (const { id, householdId, name, ...profile } of world.elders)
      await inTx.insertElder({ id, householdId, name, profile });
    for (const [i, g] of world.gateways.entries()) {
      await inTx.insertGateway({
        id: g.id,
        householdId: g.householdId,
        secretHash: gatewayHashes[i] as string,
        devices: g.devices.map(({ id, kind, elderId, ...config }) => ({
          id,
          kind,
          ...(elderId ? { elderId } : {}),
          config,
        })),
      });
    }
    for (const [i, u] of world.users.entries()) {
      await inTx.insertUser({
        username: u.username,
        passwordHash: userHashes[i] as string,
        role: u.role,
        scope: u.scope,
        elderIds: u.elderIds ?? [],
      });
    }
    return true;
  });
}
