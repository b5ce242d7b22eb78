import type { Sql } from '../db/sql.ts';

/**
 * Time-limited ownership of a named piece of work, kept in the shared store: the ingest partitions, the
 * alert scheduler, the notification worker, the retention sweep. A holder renews before its lease ends;
 * a holder that dies (kill -9, partition from the database) loses it when it ends, and another instance
 * takes over. The epoch grows with every change of holder, so work stamped with an old epoch is
 * recognisably stale.
 *
 * Times come from the instances' clocks (NTP-synchronised); the lease length must dwarf their skew.
 */
export interface Lease {
  name: string;
  holder: string;
  expiresAt: number;
  epoch: number;
}

export class LeaseStore {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /**
   * Takes or renews `name` for `holder` until `now + ttlMs`, when it is free, expired or already
   * `holder`'s; answers the lease's epoch, or null when someone else holds it.
   */
  async acquire(name: string, holder: string, now: number, ttlMs: number): Promise<number | null> {
    const row = await this.#sql.get<{ epoch: number }>(
      `INSERT INTO leases (name, holder, expires_at, epoch) VALUES ($1, $2, $3, 1)
       ON CONFLICT (name) DO UPDATE SET
         holder = excluded.holder,
         expires_at = excluded.expires_at,
         epoch = CASE WHEN leases.holder = excluded.holder THEN leases.epoch ELSE leases.epoch + 1 END
       WHERE leases.holder = excluded.holder OR leases.expires_at <= $4
       RETURNING epoch`,
      [name, holder, now + ttlMs, now],
    );
    return row ? Number(row.epoch) : null;
  }

  /** Gives `name` up at once (a clean shutdown, or a share above the fair one). */
  async release(name: string, holder: string): Promise<void> {
    await this.#sql.run('UPDATE leases SET expires_at = 0 WHERE name = $1 AND holder = $2', [name, holder]);
  }

  /** The leases whose name starts with `prefix` that have not ended at `now`. */
  async live(prefix: string, now: number): Promise<Lease[]> {
    const rows = await this.#sql.all<{ name: string; holder: string; expires_at: number; epoch: number }>(
      `SELECT name, holder, expires_at, epoch FROM leases
       WHERE substr(name, 1, $1) = $2 AND expires_at > $3 ORDER BY name`,
      [prefix.length, prefix, now],
    );
    return rows.map((r) => ({
      name: r.name,
      holder: r.holder,
      expiresAt: Number(r.expires_at),
      epoch: Number(r.epoch),
    }));
  }
}

/** The partition (of `count`) a gateway's messages belong to: FNV-1a of its id, stable across versions. */
export function partitionOf(gatewayId: string, count: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < gatewayId.length; i++) {
    hash ^= gatewayId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % count;
}

export interface LeaseKeeperOptions {
  store: LeaseStore;
  /** This instance's name: unique among the instances sharing the store. */
  holder: string;
  /** Ingest partitions shared out among the live instances (`partition:0` … `partition:N-1`). */
  partitions: number;
  /** Singletons one instance runs at a time (`scheduler`, `notifier`, …). */
  singletons: readonly string[];
  ttlMs?: number;
  clock?: () => number;
}

/**
 * Keeps this instance's leases: its membership, a fair share of the partitions (the partitions divided
 * by the live members, rounded up, so a newcomer gets its share as the others give extras back), and
 * whichever singletons are free. `beat()` runs every third of the lease time.
 */
export class LeaseKeeper {
  readonly #o: Required<LeaseKeeperOptions>;
  /** Lease name → when it ends by this instance's clock (as of the acquire). */
  #held = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #beating: Promise<void> | null = null;

  constructor(options: LeaseKeeperOptions) {
    this.#o = { ttlMs: 15_000, clock: Date.now, ...options };
  }

  /**
   * Does this instance hold the lease now? Held as of the last beat and not yet ended: a beat stuck on a
   * slow database does not stretch a lease past its end.
   */
  holds(name: string): boolean {
    return (this.#held.get(name) ?? 0) > this.#o.clock();
  }

  ownsGateway(gatewayId: string): boolean {
    return this.holds(`partition:${partitionOf(gatewayId, this.#o.partitions)}`);
  }

  /** The partitions this instance holds, in order. */
  partitions(): number[] {
    return [...this.#held.keys()]
      .filter((n) => n.startsWith('partition:') && this.holds(n))
      .map((n) => Number(n.slice('partition:'.length)))
      .sort((a, b) => a - b);
  }

  async start(): Promise<void> {
    await this.beat();
    this.#timer = setInterval(() => void this.beat(), Math.max(50, Math.floor(this.#o.ttlMs / 3)));
    this.#timer.unref();
  }

  /** One round: renew, take a fair share, give extras back. Never two rounds at once. */
  beat(): Promise<void> {
    this.#beating ??= this.#round().finally(() => {
      this.#beating = null;
    });
    return this.#beating;
  }

  async #round(): Promise<void> {
    const { store, holder, ttlMs, partitions, singletons } = this.#o;
    const now = this.#o.clock();
    const held = new Map<string, number>();
    const take = async (name: string) => {
      if ((await store.acquire(name, holder, now, ttlMs)) !== null) held.set(name, now + ttlMs);
    };
    const partitionsHeld = () => [...held.keys()].filter((n) => n.startsWith('partition:')).length;
    try {
      await take(`member:${holder}`);
      const members = Math.max(1, (await store.live('member:', now)).length);
      const fair = Math.ceil(partitions / members);
      const mine = [...this.#held.keys()].filter((n) => n.startsWith('partition:'));
      // Renew what is held up to the fair share; give the rest back for a newcomer to take.
      for (const [i, name] of mine.entries()) {
        if (i < fair) await take(name);
        else await store.release(name, holder);
      }
      for (let p = 0; p < partitions && partitionsHeld() < fair; p++) {
        const name = `partition:${p}`;
        if (!held.has(name)) await take(name);
      }
      for (const name of singletons) await take(name);
      this.#held = held;
    } catch {
      // The store is unreachable: hold nothing rather than work on leases that may have passed to another.
      this.#held = new Map();
    }
  }

  /** Stops renewing and gives every lease back, so the others take over at once. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#beating;
    const held = [...this.#held.keys()];
    this.#held = new Map();
    for (const name of held) await this.#o.store.release(name, this.#o.holder).catch(() => {});
  }
}
