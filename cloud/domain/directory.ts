import type { DatabaseSync, SQLOutputValue } from 'node:sqlite';
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

type Row = Record<string, SQLOutputValue>;

const text = (value: SQLOutputValue | undefined): string | null => (value == null ? null : String(value));

/** `config` and `profile` columns hold JSON objects; anything else reads as empty. */
function jsonObject(value: SQLOutputValue | undefined): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(String(value ?? '{}'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function gatewayState(value: SQLOutputValue | undefined): 'online' | 'offline' | null {
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
    lastSeenAt: text(r.updated_at),
  };
}

/** Read-only views of the registry joined with the latest device states, for the dashboard. */
export class Directory {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  elder(id: string, now: number = Date.now()): ElderDetail | null {
    const r = this.#db
      .prepare(
        `SELECT e.id, e.name, e.household_id, e.profile, h.address, h.region, r.name AS region_name
         FROM elders e JOIN households h ON h.id = e.household_id JOIN regions r ON r.id = h.region
         WHERE e.id = ?`,
      )
      .get(id);
    if (!r) return null;
    const profile = jsonObject(r.profile);
    const { birthYear } = profile;
    // Only the year is stored, so the age is the one the elder turns this (local) year.
    const year = new Date(now + LOCAL_OFFSET_MS).getUTCFullYear();
    return {
      id: String(r.id),
      name: String(r.name),
      householdId: String(r.household_id),
      address: String(r.address),
      region: String(r.region),
      regionName: String(r.region_name),
      profile,
      ...(typeof birthYear === 'number' && Number.isInteger(birthYear) ? { age: year - birthYear } : {}),
    };
  }

  household(id: string): HouseholdDetail | null {
    const h = this.#db
      .prepare(
        `SELECT h.id, h.region, h.address, r.name AS region_name
         FROM households h JOIN regions r ON r.id = h.region WHERE h.id = ?`,
      )
      .get(id);
    if (!h) return null;
    const elders = this.#db
      .prepare('SELECT id, name FROM elders WHERE household_id = ? ORDER BY id')
      .all(id)
      .map((e) => ({ id: String(e.id), name: String(e.name) }));
    return {
      id: String(h.id),
      region: String(h.region),
      regionName: String(h.region_name),
      address: String(h.address),
      elders,
      gateways: this.#gatewaysOf(id),
    };
  }

  /** The household's gateways that are not revoked, each with its devices' latest states. */
  #gatewaysOf(householdId: string): GatewayDetail[] {
    const devices = this.#db
      .prepare(
        `SELECT d.gateway_id, d.id, d.kind, d.elder_id, d.config, s.online, s.battery, s.rssi, s.updated_at
         FROM devices d JOIN gateways g ON g.id = d.gateway_id
         LEFT JOIN device_status s ON s.gateway_id = d.gateway_id AND s.device_id = d.id
         WHERE g.household_id = ? AND g.revoked_at IS NULL ORDER BY d.gateway_id, d.id`,
      )
      .all(householdId);
    return this.#db
      .prepare(
        `SELECT g.id, s.state, s.updated_at FROM gateways g
         LEFT JOIN gateway_status s ON s.gateway_id = g.id
         WHERE g.household_id = ? AND g.revoked_at IS NULL ORDER BY g.id`,
      )
      .all(householdId)
      .map((g) => ({
        id: String(g.id),
        state: gatewayState(g.state),
        lastSeenAt: text(g.updated_at),
        devices: devices.filter((d) => d.gateway_id === g.id).map(deviceOf),
      }));
  }
}
