import { createHmac, randomBytes, scrypt } from 'node:crypto';
import { join } from 'node:path';
import type { Sql } from '../cloud/db/sql.ts';
import { Registry } from '../cloud/domain/registry.ts';
import { hashGatewaySecret } from '../cloud/domain/secrets.ts';
import { readDemoWorld, seedWorld } from '../cloud/seed.ts';

/**
 * A population of synthetic gateways with real credentials: `<prefix>-000001`…, each in a household of
 * its own with one elder, a vitals band and a radar. Secrets are derived from `key` (HMAC), so the
 * processes of a load generator need only the key, never a list of 18,000 secrets.
 */
export interface Population {
  prefix: string;
  count: number;
  key: string;
  /**
   * How the secrets are stored: null as the cloud stores every gateway's today (salted SHA-256,
   * `hashGatewaySecret`), or scrypt at this cost, as gateways provisioned before that were (16384: ~37 ms
   * of broker CPU per first CONNECT here). The broker reads the scheme from each stored hash.
   */
  scryptN: number | null;
}

export const PRODUCTION_SCRYPT_N = 16384;

export function gatewayIdOf(population: Pick<Population, 'prefix'>, index: number): string {
  return `${population.prefix}-${String(index + 1).padStart(6, '0')}`;
}

export function secretOf(population: Pick<Population, 'key'>, gatewayId: string): string {
  return createHmac('sha256', population.key).update(gatewayId).digest('base64url').slice(0, 32);
}

/** The device a gateway's vitals come from, and the one its events come from. */
export const vitalsDeviceOf = (gatewayId: string): string => `${gatewayId}-band`;
export const eventDeviceOf = (gatewayId: string): string => `${gatewayId}-radar`;

/** The registry's hash format (`scrypt$N$r$p$salt$hash`, as `hashSecret` writes it) at cost `n`. */
export function hashAtCost(secret: string, n: number): Promise<string> {
  const salt = randomBytes(16);
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, 32, { N: n, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err
        ? reject(err)
        : resolve(['scrypt', n, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$')),
    ),
  );
}

/** A new random key for a population's secrets. */
export const newPopulationKey = (): string => randomBytes(18).toString('base64url');

/** The demo world `npm start` seeds an empty store with (users, regions, the 24 demo homes). */
export const DEMO_WORLD = join(import.meta.dirname, '..', 'device-sims', 'fixtures', 'demo-world.json');

/** Seeds the demo world into an empty store (regions and the 24 demo homes); no-op on a seeded one. */
export async function ensureDemoWorld(sql: Sql): Promise<void> {
  const registry = new Registry(sql);
  if (await registry.isEmpty()) await seedWorld(sql, registry, await readDemoWorld(DEMO_WORLD));
}

const CHUNK = 500;

/**
 * Adds a population to a store that holds the demo regions (`ensureDemoWorld`), in transactions of
 * 500 gateways; hashing runs first, on the thread pool.
 */
export async function provision(sql: Sql, population: Population): Promise<void> {
  const row = await sql.get<{ id: string }>(
    "SELECT id FROM regions WHERE level = 'community' ORDER BY id LIMIT 1",
  );
  if (!row) throw new Error('the store has no community region: seed the demo world first');
  const region = String(row.id);
  for (let start = 0; start < population.count; start += CHUNK) {
    const ids = Array.from({ length: Math.min(CHUNK, population.count - start) }, (_, i) =>
      gatewayIdOf(population, start + i),
    );
    const hashes = await Promise.all(
      ids.map((id) => {
        const secret = secretOf(population, id);
        return population.scryptN === null
          ? hashGatewaySecret(secret)
          : hashAtCost(secret, population.scryptN);
      }),
    );
    await sql.transaction(async (tx) => {
      const registry = new Registry(tx);
      for (const [i, id] of ids.entries()) {
        const householdId = `hh-${id}`;
        const elderId = `el-${id}`;
        await registry.insertHousehold({ id: householdId, region, address: `bench ${id}`, profile: {} });
        await registry.insertElder({ id: elderId, householdId, name: `Elder ${id}`, profile: {} });
        await registry.insertGateway({
          id,
          householdId,
          secretHash: hashes[i] as string,
          devices: [
            { id: vitalsDeviceOf(id), kind: 'ble-vitals', elderId, config: { location: 'wrist' } },
            { id: eventDeviceOf(id), kind: 'mr60fda1', elderId, config: { location: 'bedroom' } },
          ],
        });
      }
    });
  }
}
