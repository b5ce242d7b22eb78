import { beforeAll, describe, expect, it } from 'vitest';
import { storeEngines } from '../../tests/support/stores.ts';
import { LeaseKeeper, LeaseStore, partitionOf } from './leases.ts';

const ENGINES = storeEngines().map((e) => [e.name, e] as const);

describe.each(ENGINES)('leases in the shared store on %s', (_name, engine) => {
  let leases: LeaseStore;
  beforeAll(async () => {
    leases = new LeaseStore(await engine.open());
  });

  it('a free lease is taken, renewed by its holder, refused to others until it ends, then passes on', async () => {
    expect(await leases.acquire('scheduler', 'a', 1000, 100)).toBe(1);
    expect(await leases.acquire('scheduler', 'a', 1050, 100)).toBe(1);
    expect(await leases.acquire('scheduler', 'b', 1100, 100)).toBeNull();
    expect(await leases.acquire('scheduler', 'b', 1150, 100)).toBe(2);
    expect(await leases.acquire('scheduler', 'a', 1160, 100)).toBeNull();
  });

  it('a released lease is free at once', async () => {
    await leases.acquire('notifier', 'a', 1000, 10_000);
    await leases.release('notifier', 'a');
    expect(await leases.acquire('notifier', 'b', 1001, 10_000)).toBe(2);
  });

  it('of many instances racing for one lease, exactly one gets it', async () => {
    const got = await Promise.all(
      Array.from({ length: 20 }, (_, i) => leases.acquire('race', `i${i}`, 5000, 1000)),
    );
    expect(got.filter((e) => e !== null)).toEqual([1]);
  });

  it('three instances share the partitions without overlap, and the survivors take over a dead one’s', async () => {
    let now = 100_000;
    const clock = () => now;
    const keeper = (holder: string) =>
      new LeaseKeeper({ store: leases, holder, partitions: 16, singletons: ['tick'], ttlMs: 1000, clock });
    const [a, b, c] = [keeper('ka'), keeper('kb'), keeper('kc')];
    for (let round = 0; round < 4; round++) {
      for (const k of [a, b, c]) await k.beat();
      now += 300;
    }
    const shares = [a, b, c].map((k) => k.partitions());
    expect(shares.flat().sort((x, y) => x - y)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(Math.max(...shares.map((s) => s.length))).toBeLessThanOrEqual(6);
    expect([a, b, c].filter((k) => k.holds('tick'))).toHaveLength(1);

    // c dies without a word: its leases end, and a and b share everything between them.
    for (let round = 0; round < 6; round++) {
      for (const k of [a, b]) await k.beat();
      now += 300;
    }
    const after = [a, b].map((k) => k.partitions());
    expect(after.flat().sort((x, y) => x - y)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect([a, b].filter((k) => k.holds('tick'))).toHaveLength(1);
    // c never heard, but its own clock tells it the leases ended: it works on none of them.
    expect(c.partitions()).toEqual([]);
    expect(c.holds('tick')).toBe(false);
    await a.stop();
    await b.stop();
  });
});

describe('partitions of gateways', () => {
  it('a gateway always lands in the same partition, and a fleet spreads over all of them', () => {
    expect(partitionOf('gw-0001', 16)).toBe(partitionOf('gw-0001', 16));
    const counts = new Array(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[partitionOf(`gw-${String(i).padStart(5, '0')}`, 16)]++;
    expect(Math.min(...counts)).toBeGreaterThan(700);
    expect(Math.max(...counts)).toBeLessThan(1300);
  });
});
