/** How many failed logins lock an account, over what window, and for how long. */
export interface LoginGuardOptions {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
  /** Failed attempts per address per window, whatever the username (password spraying). */
  maxPerAddress: number;
}

export const LOGIN_GUARD_DEFAULTS: LoginGuardOptions = {
  maxFailures: 5,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  maxPerAddress: 30,
};

/**
 * Slows password guessing: an account is locked for a while after repeated failures, and one address
 * may try only so often. Kept in memory: a restart forgets it, which only gives an attacker a fresh
 * window once per restart. Times come from the caller, so it is testable with a fake clock.
 */
export class LoginGuard {
  readonly #o: LoginGuardOptions;
  readonly #failures = new Map<string, number[]>();
  readonly #lockedUntil = new Map<string, number>();
  readonly #byAddress = new Map<string, number[]>();

  constructor(options: Partial<LoginGuardOptions> = {}) {
    this.#o = { ...LOGIN_GUARD_DEFAULTS, ...options };
  }

  /** Null when the attempt may proceed; otherwise the seconds to wait. */
  check(username: string, address: string, now: number): number | null {
    const until = this.#lockedUntil.get(username.toLowerCase()) ?? 0;
    if (until > now) return Math.ceil((until - now) / 1000);
    const misses = this.#recent(this.#byAddress, address, now);
    if (misses.length >= this.#o.maxPerAddress)
      return Math.ceil(((misses[0] ?? now) + this.#o.windowMs - now) / 1000);
    return null;
  }

  failed(username: string, address: string, now: number): void {
    this.#recent(this.#byAddress, address, now).push(now);
    const key = username.toLowerCase();
    const failures = this.#recent(this.#failures, key, now);
    failures.push(now);
    if (failures.length >= this.#o.maxFailures) {
      this.#lockedUntil.set(key, now + this.#o.lockMs);
      this.#failures.delete(key);
    }
  }

  succeeded(username: string): void {
    this.#failures.delete(username.toLowerCase());
  }

  #recent(map: Map<string, number[]>, key: string, now: number): number[] {
    const kept = (map.get(key) ?? []).filter((t) => t > now - this.#o.windowMs);
    map.set(key, kept);
    return kept;
  }
}
