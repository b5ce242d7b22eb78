import type { Sql } from '../../cloud/db/sql.ts';
import { Registry } from '../../cloud/domain/registry.ts';
import { hashGatewaySecret } from '../../cloud/domain/secrets.ts';
import { readDemoWorld, seedWorld } from '../../cloud/seed.ts';
import type { SimGateway } from '../mqtt-home.ts';

export interface ProvisionResult {
  added: number;
  existing: number;
  region: string;
}

/**
 * Loads a scenario's homes into the cloud's registry, so `npm start` on the same DATA_DIR (or
 * DATABASE_URL) accepts them: a household, an elder and the gateway with its devices per home, in
 * `region` (default: the first community of the store, which the demo world's city-wide supervisor and
 * admin see). An empty store gets the demo world first (users, regions), as `npm start` would have done;
 * homes already there are left alone, so running it twice adds nothing. Secrets are stored as the
 * cloud stores any gateway's (`hashGatewaySecret`); a generated fleet's derive from public ids, so they
 * are for load, never for a real deployment.
 */
export async function provisionHomes(
  sql: Sql,
  homes: readonly (SimGateway & { householdId?: string })[],
  options: { demoWorld: string; region?: string; onProgress?: (done: number) => void },
): Promise<ProvisionResult> {
  const registry = new Registry(sql);
  if (await registry.isEmpty()) await seedWorld(sql, registry, await readDemoWorld(options.demoWorld));
  const region =
    options.region ??
    String(
      (await sql.get<{ id: string }>("SELECT id FROM regions WHERE level = 'community' ORDER BY id LIMIT 1"))
        ?.id ?? '',
    );
  if (!region) throw new Error('the store has no community region to put the homes in');
  if (options.region && !(await sql.get('SELECT 1 AS x FROM regions WHERE id = $1', [region])))
    throw new Error(`--region ${region} is not a region of this store`);
  let added = 0;
  let existing = 0;
  const CHUNK = 500;
  for (let start = 0; start < homes.length; start += CHUNK) {
    const chunk: (SimGateway & { householdId?: string })[] = [];
    for (const home of homes.slice(start, start + CHUNK))
      if (await sql.get('SELECT 1 AS x FROM gateways WHERE id = $1', [home.id])) existing++;
      else chunk.push(home);
    const hashes = chunk.map((h) => hashGatewaySecret(h.secret));
    await sql.transaction(async (tx) => {
      const reg = new Registry(tx);
      for (const [i, home] of chunk.entries()) {
        const householdId = home.householdId ?? `hh-${home.id}`;
        if (!(await reg.getHousehold(householdId)))
          await reg.insertHousehold({ id: householdId, region, address: home.id, profile: {} });
        for (const elderId of new Set(home.devices.flatMap((d) => (d.elderId ? [d.elderId] : []))))
          if (!(await reg.getElder(elderId)))
            await reg.insertElder({ id: elderId, householdId, name: elderId, profile: {} });
        await reg.insertGateway({
          id: home.id,
          householdId,
          secretHash: hashes[i] as string,
          devices: home.devices.map((d) => ({
            id: d.id,
            kind: d.kind,
            ...(d.elderId ? { elderId: d.elderId } : {}),
            config: {},
          })),
        });
        added++;
      }
    });
    options.onProgress?.(Math.min(homes.length, start + CHUNK));
  }
  return { added, existing, region };
}
