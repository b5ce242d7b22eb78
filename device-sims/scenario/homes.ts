import { createHash } from 'node:crypto';
import type { SimDevice, SimGateway } from '../mqtt-home.ts';
import type { HomesSpec } from './schema.ts';

export interface WorldGateways {
  gateways: (SimGateway & { householdId?: string })[];
}

/**
 * The homes a scenario plays, in its order (`home: 3` is the third): demo-world gateways by id, the
 * first N of the world, or N generated ones. Generated homes have fixed ids and secrets derived from
 * their id (not from the seed, so re-seeding a run does not change who may log in); a broker knows
 * them only after `sim world` has written them out and they were loaded into its registry.
 */
export function resolveHomes(spec: HomesSpec, world: WorldGateways, source: string): SimGateway[] {
  if (spec === 'all') return world.gateways;
  if (Array.isArray(spec)) {
    return spec.map((id) => {
      const gw = world.gateways.find((g) => g.id === id);
      if (!gw) throw new Error(`${source}: homes names gateway ${id}, which the world does not have`);
      return gw;
    });
  }
  if ('count' in spec) {
    if (spec.count > world.gateways.length)
      throw new Error(
        `${source}: homes.count is ${spec.count} but the world has ${world.gateways.length} gateways; ` +
          'use {"generate": N} for a larger fleet',
      );
    return world.gateways.slice(0, spec.count);
  }
  return Array.from({ length: spec.generate }, (_, i) => generatedHome(spec.prefix ?? 'sim', i + 1));
}

export function generatedHome(prefix: string, n: number): SimGateway & { householdId: string } {
  const num = String(n).padStart(6, '0');
  const id = `${prefix}-gw-${num}`;
  const elderId = `${prefix}-el-${num}`;
  const devices: SimDevice[] = [
    { id: `${id}-sos`, kind: 'rf433-bridge', elderId },
    { id: `${id}-fall`, kind: 'mr60fda1', elderId },
    { id: `${id}-band`, kind: 'ble-vitals', elderId },
  ];
  const secret = createHash('sha256').update(`eldercare-sim:${id}`).digest('base64url').slice(0, 32);
  return { id, secret, householdId: `${prefix}-hh-${num}`, devices };
}

/**
 * A world file (the demo world's shape, CONTRACT §2) holding generated homes: one city, district and
 * community, a household and an elder per home, no users. Loaded into an empty registry it lets the
 * broker accept the generated gateways (benchmarks and fleet tests seed it).
 */
export function generatedWorld(homes: readonly (SimGateway & { householdId?: string })[], prefix = 'sim') {
  const community = `${prefix}.district.community`;
  return {
    regions: [
      { id: prefix, name: `${prefix} city`, level: 'city', parent: null },
      { id: `${prefix}.district`, name: `${prefix} district`, level: 'district', parent: prefix },
      { id: community, name: `${prefix} community`, level: 'community', parent: `${prefix}.district` },
    ],
    households: homes.map((g) => ({ id: g.householdId ?? g.id, region: community, address: `${g.id}` })),
    elders: homes.flatMap((g) => {
      const elderId = g.devices.find((d) => d.elderId)?.elderId;
      return elderId ? [{ id: elderId, householdId: g.householdId ?? g.id, name: elderId }] : [];
    }),
    gateways: homes,
    users: [],
  };
}
