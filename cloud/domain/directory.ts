import { type Row, type SqlSession, textOrNull } from '../db/sql.ts';
import { LOCAL_OFFSET_MS } from './figures.ts';

/** An elder's file for the dispatcher: who, where, and the stored profile (contacts, conditions, ...). */
export interface ElderDetail {
  id: string;
  name: string;
  householdId: string;
  address: string;
  region: string;
  regionName: string;
  profile: Record<string, unknown>;
  /** Local calendar year minus `birthYear`; absent when the profile has no birth year. */
  age?: number;
}

export interface DeviceDetail {
  id: string;
  kind: string;
  elderId?: string;
  location?: string;
  /** The device's last reported state; null when it never reported. */
  online: boolean | null;
  battery?: number;
  rssi?: number;
  /** When the cloud received the device's last state. */
  lastSeenAt: string | null;
}

export interface GatewayDetail {
  id: string;
  state: 'online' | 'offline' | null;
  lastSeenAt: string | null;
  devices: DeviceDetail[];
}

export interface HouseholdDetail {
  id: string;
  region: string;
  regionName: string;
  address: string;
  elders: { id: string; name: string }[];
  gateways: GatewayDetail[];
}

/** `config` and `profile` columns hold JSON objects; anything else reads as empty. */
export function jsonObject(value: unknown): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(String(value ?? '{}'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/**
 * Local calendar year minus the profile's `birthYear`: only the year is stored, so the age is the one the
 * elder turns this (local) year. Undefined without a whole-number birth year.
 */
export function ageIn(profile: Record<string, unknown>, now: number): number | undefined {
  const { birthYear } = profile;
  if (typeof birthYear !== 'number' || !Number.isInteger(birthYear)) return undefined;
  return new Date(now + LOCAL_OFFSET_MS).getUTCFullYear() - birthYear;
}

function gatewayState(value: unknown): 'online' | 'offline' | null {
  return value === 'online' || value === 'offline' ? value : null;
}

function deviceOf(r: Row): DeviceDetail {
  const location = jsonObject(r.config).location;
  return {
    id: String(r.id),
    kind: String(r.kind),
    ...(r.elder_id != null ? { elderId: String(r.elder_id) } : {}),
    ...(typeof location === 'string' ? { location } : {}),
    online: r.online == null ? null : r.online === 1,
    ...(r.battery != null ? { battery: Number(r.battery) } : {}),
    ...(r.rssi != null ? { rssi: Number(r.rssi) } : {}),
    lastSeenAt: textOrNull(r.updated_at),
  };
}

/** Read-only views of the registry joined with the latest device states, for the dashboard. */
export class Directory {
  readonly #db: SqlSession;

  constructor(db: SqlSession) {
    this.#db = db;
  }

  async elder(id: string, now: number = Date.now()): Promise<ElderDetail | null> {
    const r = await this.#db.get(
      `SELECT e.id, e.name, e.household_id, e.profile, h.address, h.region, r.name AS region_name
       FROM elders e JOIN households h ON h.id = e.household_id JOIN regions r ON r.id = h.region
       WHERE e.id = $1`,
      [id],
    );
    if (!r) return null;
    const profile = jsonObject(r.profile);
    const age = ageIn(profile, now);
    return {
      id: String(r.id),
      name: String(r.name),
      householdId: String(r.household_id),
      address: String(r.address),
      region: String(r.region),
      regionName: String(r.region_name),
      profile,
      ...(age !== undefined ? { age } : {}),
    };
  }

  async household(id: string): Promise<HouseholdDetail | null> {
    const h = await this.#db.get(
      `SELECT h.id, h.region, h.address, r.name AS region_name
       FROM households h JOIN regions r ON r.id = h.region WHERE h.id = $1`,
      [id],
    );
    if (!h) return null;
    const elders = (
      await this.#db.all('SELECT id, name FROM elders WHERE household_id = $1 ORDER BY id', [id])
    ).map((e) => ({ id: String(e.id), name: String(e.name) }));
    return {
      id: String(h.id),
      region: String(h.region),
      regionName: String(h.region_name),
      address: String(h.address),
      elders,
      gateways: await this.#gatewaysOf(id),
    };
  }

  /** The household's gateways that are not revoked, each with its devices' latest states. */
  async #gatewaysOf(householdId: string): Promise<GatewayDetail[]> {
    const devices = await this.#db.all(
      `SELECT d.gateway_id, d.id, d.kind, d.elder_id, d.config, s.online, s.battery, s.rssi, s.updated_at
       FROM devices d JOIN gateways g ON g.id = d.gateway_id
       LEFT JOIN device_status s ON s.gateway_id = d.gateway_id AND s.device_id = d.id
       WHERE g.household_id = $1 AND g.revoked_at IS NULL ORDER BY d.gateway_id, d.id`,
      [householdId],
    );
    const gateways = await this.#db.all(
      `SELECT g.id, s.state, s.updated_at FROM gateways g
       LEFT JOIN gateway_status s ON s.gateway_id = g.id
       WHERE g.household_id = $1 AND g.revoked_at IS NULL ORDER BY g.id`,
      [householdId],
    );
    return gateways.map((g) => ({
      id: String(g.id),
      state: gatewayState(g.state),
      lastSeenAt: textOrNull(g.updated_at),
      devices: devices.filter((d) => d.gateway_id === g.id).map(deviceOf),
    }));
  }
}
