import { Params, type SqlSession } from '../db/sql.ts';
import { regionSubtreeSql } from './region-sql.ts';

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
  readonly #db: SqlSession;

  constructor(db: SqlSession) {
    this.#db = db;
  }

  async households(region: string): Promise<HouseholdListing[]> {
    const p = new Params();
    const within = regionSubtreeSql('h.region', region, p);
    const rows = await this.#db.all(
      `SELECT h.id, h.region, r.name AS region_name, h.address,
         (SELECT count(*) FROM elders e WHERE e.household_id = h.id) AS elders,
         (SELECT count(*) FROM gateways g WHERE g.household_id = h.id AND g.revoked_at IS NULL) AS gateways
       FROM households h JOIN regions r ON r.id = h.region WHERE ${within} ORDER BY h.id`,
      p.values,
    );
    return rows.map((r) => ({
      id: String(r.id),
      region: String(r.region),
      regionName: String(r.region_name),
      address: String(r.address),
      elders: Number(r.elders),
      gateways: Number(r.gateways),
    }));
  }

  async elders(region: string): Promise<ElderListing[]> {
    const p = new Params();
    const within = regionSubtreeSql('h.region', region, p);
    const rows = await this.#db.all(
      `SELECT e.id, e.name, e.household_id, h.region, h.address
       FROM elders e JOIN households h ON h.id = e.household_id WHERE ${within} ORDER BY e.id`,
      p.values,
    );
    return rows.map((r) => ({
      id: String(r.id),
      name: String(r.name),
      householdId: String(r.household_id),
      region: String(r.region),
      address: String(r.address),
    }));
  }

  async gateways(region: string): Promise<GatewayListing[]> {
    const p = new Params();
    const within = regionSubtreeSql('h.region', region, p);
    const devices = await this.#db.all(
      `SELECT d.gateway_id, d.id, d.kind, d.elder_id FROM devices d
       JOIN gateways g ON g.id = d.gateway_id JOIN households h ON h.id = g.household_id
       WHERE ${within} ORDER BY d.gateway_id, d.id`,
      p.values,
    );
    const gateways = await this.#db.all(
      `SELECT g.id, g.household_id, h.region, h.address, g.created_at, g.revoked_at, s.state, s.updated_at
       FROM gateways g JOIN households h ON h.id = g.household_id
       LEFT JOIN gateway_status s ON s.gateway_id = g.id WHERE ${within} ORDER BY g.id`,
      p.values,
    );
    return gateways.map((g) => ({
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
