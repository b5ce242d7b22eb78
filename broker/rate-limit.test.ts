import { describe, expect, it } from 'vitest';
import { GatewayRateLimiter } from './rate-limit.ts';

describe('the per-gateway rate limit', () => {
  it('allows the burst, then the sustained rate, per gateway', () => {
    const limiter = new GatewayRateLimiter({ perSecond: 10, burst: 5 });
    const t = 1_000_000;
    const results = Array.from({ length: 7 }, () => limiter.take('gw-1', t));
    expect(results).toEqual([true, true, true, true, true, false, false]);
    expect(limiter.take('gw-2', t)).toBe(true);
    expect(limiter.take('gw-1', t + 100)).toBe(true);
    expect(limiter.take('gw-1', t + 100)).toBe(false);
  });

  it('forgets gateways whose bucket has refilled', () => {
    const limiter = new GatewayRateLimiter({ perSecond: 10, burst: 5 });
    limiter.take('gw-1', 0);
    limiter.sweep(1000);
    // A swept gateway starts again with a full bucket.
    expect(Array.from({ length: 5 }, () => limiter.take('gw-1', 1000)).every(Boolean)).toBe(true);
  });
});
