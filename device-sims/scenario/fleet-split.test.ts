import { describe, expect, it } from 'vitest';
import { allLoopback, MAX_HOMES_PER_SOURCE_ADDRESS, splitFleet } from './fleet-split.ts';

describe('spreading a fleet over processes', () => {
  it('a fleet under the open-file limit stays in one process with the default source address', () => {
    expect(splitFleet({ homes: 19_000, fdLimit: 20_000, loopback: true })).toEqual([
      { worker: 0, from: 0, to: 19_000 },
    ]);
  });

  it('a fleet past the limit is shared evenly over workers, each with its own loopback address', () => {
    const shares = splitFleet({ homes: 50_000, fdLimit: 20_000, loopback: true });
    expect(shares).toEqual([
      { worker: 0, from: 0, to: 16_667, localAddress: '127.0.0.2' },
      { worker: 1, from: 16_667, to: 33_334, localAddress: '127.0.0.3' },
      { worker: 2, from: 33_334, to: 50_000, localAddress: '127.0.0.4' },
    ]);
  });

  it('every home is in exactly one share and no share passes the limit', () => {
    for (const [homes, fdLimit, fdsPerHome] of [
      [7, 258, 1],
      [20_001, 20_000, 1],
      [100_000, 65_536, 2],
      [1, 300, 1],
    ] as const) {
      const shares = splitFleet({ homes, fdLimit, fdsPerHome, loopback: true });
      expect(shares[0]?.from).toBe(0);
      expect(shares.at(-1)?.to).toBe(homes);
      for (let i = 1; i < shares.length; i++) expect(shares[i]?.from).toBe(shares[i - 1]?.to);
      for (const s of shares) expect((s.to - s.from) * fdsPerHome).toBeLessThanOrEqual(fdLimit - 256);
    }
  });

  it('no share holds more homes than one source address has ports for, whatever the limit', () => {
    const shares = splitFleet({ homes: 60_000, fdLimit: 1_000_000, loopback: true });
    expect(shares).toHaveLength(3);
    for (const s of shares) expect(s.to - s.from).toBeLessThanOrEqual(MAX_HOMES_PER_SOURCE_ADDRESS);
  });

  it('workers get no source address when a broker is not on this machine', () => {
    const shares = splitFleet({ homes: 40_000, fdLimit: 20_000, loopback: false });
    expect(shares.map((s) => s.localAddress)).toEqual([undefined, undefined, undefined]);
    expect(allLoopback(['mqtt://127.0.0.1:1883', 'mqtt://localhost:1884'])).toBe(true);
    expect(allLoopback(['mqtt://127.0.0.1:1883', 'mqtts://broker.example.org:8883'])).toBe(false);
  });

  it('a limit that leaves no room, or more workers than loopback addresses, is refused', () => {
    expect(() => splitFleet({ homes: 5, fdLimit: 200, loopback: true })).toThrow(/no room/);
    expect(() => splitFleet({ homes: 300, fdLimit: 257, loopback: true })).toThrow(/at most 253/);
  });
});
