import type { EventType } from '../protocol/index.ts';

/** Life-safety events are never rate-limited: a flood of them is itself an emergency to look at. */
export const NEVER_LIMITED: ReadonlySet<EventType> = new Set(['sos', 'fall', 'smoke', 'gas']);

export interface RateLimits {
  /** Sustained messages per second per gateway, and the burst allowed above it. */
  perSecond: number;
  burst: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { perSecond: 20, burst: 200 };

/**
 * A token bucket per gateway: a chatty or compromised gateway cannot flood the broker and the cloud.
 * Time comes from the caller. Buckets of gateways that went quiet are dropped by `sweep`.
 */
export class GatewayRateLimiter {
  readonly #limits: RateLimits;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(limits: Partial<RateLimits> = {}) {
    this.#limits = { ...DEFAULT_RATE_LIMITS, ...limits };
  }

  /** True when the gateway may send one more message now. */
  take(gatewayId: string, now: number): boolean {
    const { perSecond, burst } = this.#limits;
    const bucket = this.#buckets.get(gatewayId) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.#buckets.set(gatewayId, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Forgets buckets full again (idle for long enough): keeps memory bounded by active gateways. */
  sweep(now: number): void {
    const { perSecond, burst } = this.#limits;
    for (const [id, b] of this.#buckets)
      if (b.tokens + ((now - b.at) / 1000) * perSecond >= burst) this.#buckets.delete(id);
  }
}
