import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WatchListAnswer } from '../protocol/index.ts';
import { TestSystem, world } from './support/system.ts';

// The demo world's region tree (the file has it; the shared type leaves it out).
const REGION_IDS = (world as unknown as { regions: { id: string }[] }).regions.map((r) => r.id);

describe('GET /api/watchlist', () => {
  let sys: TestSystem;
  let supervisor: string;
  beforeAll(async () => {
    sys = await TestSystem.start();
    supervisor = await sys.login('sup-yanjiang');
  });
  afterAll(async () => {
    await sys.stop();
  });

  it('any region asked for answers 200 inside the scope, 404 outside or unknown, 400 when malformed, never 500', async () => {
    const region = fc.oneof(
      fc.constantFrom(...REGION_IDS),
      fc.constantFrom(...REGION_IDS).map((id) => `${id}.x`),
      fc.constantFrom(...REGION_IDS).map((id) => `${id}%' OR 1=1 --`),
      fc.string({ maxLength: 80 }),
    );
    await fc.assert(
      fc.asyncProperty(region, async (r) => {
        const { status, body } = await sys.api<WatchListAnswer>(
          supervisor,
          'GET',
          `/api/watchlist?region=${encodeURIComponent(r)}`,
        );
        const inScope = r === 'ziyang.yanjiang' || r.startsWith('ziyang.yanjiang.');
        if (status === 200) {
          expect(REGION_IDS.includes(r) && inScope).toBe(true);
          expect(body.region).toBe(r);
        } else expect([400, 404]).toContain(status);
        if (REGION_IDS.includes(r)) expect(status).toBe(inScope ? 200 : 404);
      }),
      { numRuns: 150 },
    );
  });

  it('a district supervisor sees every at-risk elder of the district and an operator only the community’s', async () => {
    const district = (await sys.api<WatchListAnswer>(supervisor, 'GET', '/api/watchlist')).body;
    const communityOf = new Map(world.households.map((h) => [h.id, h.region]));
    const expected = world.elders
      .filter((e) => {
        const p = e as unknown as Record<string, unknown>;
        return (
          (communityOf.get(e.householdId) ?? '').startsWith('ziyang.yanjiang.') &&
          (p.livesAlone === true ||
            p.disabled === true ||
            (typeof p.mobility === 'string' && p.mobility !== '可自行行走'))
        );
      })
      .map((e) => e.id)
      .sort();
    expect(district.region).toBe('ziyang.yanjiang');
    expect(district.elders.map((e) => e.elderId).sort()).toEqual(expected);
    const operator = await sys.login('op-liantai');
    const community = (await sys.api<WatchListAnswer>(operator, 'GET', '/api/watchlist')).body;
    expect(community.elders.every((e) => e.community === 'ziyang.yanjiang.liantai')).toBe(true);
    expect(community.elders.length).toBeGreaterThan(0);
    expect(community.elders.length).toBeLessThan(district.elders.length);
  });
});
