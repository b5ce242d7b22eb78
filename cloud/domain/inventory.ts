import type { DatabaseSync } from 'node:sqlite';
import { regionSubtreeSql } from './figures.ts';

export interface HouseholdListing {
  id: string;
  region: string;
  regionName: string;
  address: string;
  elders: number;
  gateways: number;
}

export interface ElderListing {
  id: string;
  name: string;
  householdId: string;
  region: string;
  address: string;
}

export interface GatewayListing {
  id: string;
  householdId: string;
  region: string;
  address: string;
  createdAt: string;
  /** When it was revoked; null while it may connect. */
  revokedAt: string | null;
  /** The gateway's last word (its retained state), null before any. */
  state: 'online' | 'offline' | null;
  lastSeenAt: string | null;
  devices: { id: string; kind: string; elderId?: string }[];
}

const str = (v: unknown): string | null => (v == null ? null : String(v));

/** What is installed where, for the admin page: every household, elder and gateway in a region. Never a secret hash. */
export class Inventory {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  households(region: string): HouseholdListing[] {
    const within = regionSubtreeSql('h.region', region);
    return this.#db
      .prepare(
        `SELECT h.id, h.region, r.name AS region_name, h.address,
           (SELECT count(*) FROM elders e WHERE e.household_id = h.id) AS elders,
           (SELECT count(*) FROM gateways g WHERE g.household_id = h.id AND g.revoked_at IS NULL) AS gateways
         FROM households h JOIN regions r ON r.id = h.region WHERE ${within.sql} ORDER BY h.id`,
      )
      .all(...within.params)
      .map((r) => ({
        id: String(r.id),
        region: String(r.region),
        regionName: String(r.region_name),
        address: String(r.address),
        elders: Number(r.elders),
        gateways: Number(r.gateways),
      }));
  }

  elders(region: string): ElderListing[] {
    const within = regionSubtreeSql('h.region', region);
    return this.#db
      .prepare(
        `SELECT e.id, e.name, e.household_id, h.region, h.address
         FROM elders e JOIN households h ON h.id = e.household_id WHERE ${within.sql} ORDER BY e.id`,
      )
      .all(...within.params)
      .map((r) => ({
        id: String(r.id),
        name: String(r.name),
        householdId: String(r.household_id),
        region: String(r.region),
        address: String(r.address),
      }));
  }

  gateways(region: string): GatewayListing[] {
    const within = regionSubtreeSql('h.region', region);
    const devices = this.#db
      .prepare(
        `SELECT d.gateway_id, d.id, d.kind, d.elder_id FROM devices d
         JOIN gateways g ON g.id = d.gateway_id JOIN households h ON h.id = g.household_id
         WHERE ${within.sql} ORDER BY d.gateway_id, d.id`,
      )
      .all(...within.params);
    return this.#db
      .prepare(
        `SELECT g.id, g.household_id, h.region, h.address, g.created_at, g.revoked_at, s.state, s.updated_at
         FROM gateways g JOIN households h ON h.id = g.household_id
         LEFT JOIN gateway_status s ON s.gateway_id = g.id WHERE ${within.sql} ORDER BY g.id`,
      )
      .all(...within.params)
      .map((g) => ({
        id: String(g.id),
        householdId: String(g.household_id),
        region: String(g.region),
        address: String(g.address),
        createdAt: String(g.created_at),
        revokedAt: str(g.revoked_at),
        state: g.state === 'online' || g.state === 'offline' ? g.state : null,
        lastSeenAt: str(g.updated_at),
        devices: devices
          .filter((d) => d.gateway_id === g.id)
          .map((d) => ({
            id: String(d.id),
            kind: String(d.kind),
            ...(d.elder_id != null ? { elderId: String(d.elder_id) } : {}),
          })),
      }));
  }
}
