import type { DatabaseSync } from 'node:sqlite';
import type { Role } from '../../protocol/index.ts';
import { transaction } from '../db/database.ts';
import type { User } from './scope.ts';
import { verifySecret } from './secrets.ts';

export interface RegionRow {
  id: string;
  name: string;
  level: 'city' | 'district' | 'community';
  parent: string | null;
}
export interface HouseholdRow {
  id: string;
  region: string;
  address: string;
  profile?: Record<string, unknown>;
}
export interface ElderRow {
  id: string;
  householdId: string;
  name: string;
  profile?: Record<string, unknown>;
}
export interface DeviceRow {
  id: string;
  kind: string;
  elderId?: string;
  config?: Record<string, unknown>;
}

/** Where an event from a gateway's device belongs: the household, its community and the elder. */
export interface DeviceContext {
  gatewayId: string;
  deviceId: string;
  deviceKind: string | null;
  /** Where the device is in the home (the registry's `location`, e.g. 卫生间), when known. */
  location?: string;
  householdId: string;
  region: string;
  elderId: string;
}

/** Thrown by provisioning when the id is taken (→ 409). */
export class ConflictError extends Error {
  readonly code = 'ERR_CONFLICT';
}
/** Thrown by provisioning when a referenced row is missing (→ 400 naming the field). */
export class ReferenceError_ extends Error {
  readonly code = 'ERR_BAD_REFERENCE';
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

const json = (value: unknown): string => JSON.stringify(value ?? {});

/** The registry of the managed world: regions → households → elders, gateways and devices, users. */
export class Registry {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  isEmpty(): boolean {
    return this.#db.prepare('SELECT count(*) AS n FROM regions').get()?.n === 0;
  }

  insertRegion(r: RegionRow): void {
    this.#db
      .prepare('INSERT INTO regions (id, name, level, parent) VALUES (?, ?, ?, ?)')
      .run(r.id, r.name, r.level, r.parent);
  }

  regionExists(id: string): boolean {
    return this.#db.prepare('SELECT 1 AS x FROM regions WHERE id = ?').get(id) !== undefined;
  }

  regionLevel(id: string): string | null {
    const row = this.#db.prepare('SELECT level FROM regions WHERE id = ?').get(id);
    return row ? String(row.level) : null;
  }

  insertHousehold(h: HouseholdRow): void {
    if (this.getHousehold(h.id)) throw new ConflictError(`household ${h.id} exists`);
    if (this.regionLevel(h.region) !== 'community')
      throw new ReferenceError_('region', 'region must be a community');
    this.#db
      .prepare('INSERT INTO households (id, region, address, profile) VALUES (?, ?, ?, ?)')
      .run(h.id, h.region, h.address, json(h.profile));
  }

  getHousehold(id: string): HouseholdRow | null {
    const row = this.#db.prepare('SELECT id, region, address, profile FROM households WHERE id = ?').get(id);
    if (!row) return null;
    return {
      id: String(row.id),
      region: String(row.region),
      address: String(row.address),
      profile: JSON.parse(String(row.profile)),
    };
  }

  insertElder(e: ElderRow): void {
    if (this.getElder(e.id)) throw new ConflictError(`elder ${e.id} exists`);
    if (!this.getHousehold(e.householdId))
      throw new ReferenceError_('householdId', 'household does not exist');
    this.#db
      .prepare('INSERT INTO elders (id, household_id, name, profile) VALUES (?, ?, ?, ?)')
      .run(e.id, e.householdId, e.name, json(e.profile));
  }

  getElder(id: string): ElderRow | null {
    const row = this.#db.prepare('SELECT id, household_id, name, profile FROM elders WHERE id = ?').get(id);
    if (!row) return null;
    return {
      id: String(row.id),
      householdId: String(row.household_id),
      name: String(row.name),
      profile: JSON.parse(String(row.profile)),
    };
  }

  eldersOf(householdId: string): ElderRow[] {
    return this.#db
      .prepare('SELECT id FROM elders WHERE household_id = ? ORDER BY id')
      .all(householdId)
      .map((r) => this.getElder(String(r.id)) as ElderRow);
  }

  /** Inserts a gateway and its devices atomically; the secret arrives already hashed. */
  insertGateway(g: { id: string; householdId: string; secretHash: string; devices: DeviceRow[] }): void {
    if (this.#db.prepare('SELECT 1 AS x FROM gateways WHERE id = ?').get(g.id))
      throw new ConflictError(`gateway ${g.id} exists`);
    if (!this.getHousehold(g.householdId))
      throw new ReferenceError_('householdId', 'household does not exist');
    for (const [i, d] of g.devices.entries()) {
      const elder = d.elderId ? this.getElder(d.elderId) : null;
      if (d.elderId && elder?.householdId !== g.householdId) {
        throw new ReferenceError_(`devices/${i}/elderId`, 'elder does not live in this household');
      }
    }
    transaction(this.#db, () => {
      this.#db
        .prepare('INSERT INTO gateways (id, household_id, secret_hash, created_at) VALUES (?, ?, ?, ?)')
        .run(g.id, g.householdId, g.secretHash, new Date().toISOString());
      const insert = this.#db.prepare(
        'INSERT INTO devices (gateway_id, id, kind, elder_id, config) VALUES (?, ?, ?, ?, ?)',
      );
      for (const d of g.devices) insert.run(g.id, d.id, d.kind, d.elderId ?? null, json(d.config));
    });
  }

  /** The gateway's household, or null when there is no such gateway. */
  gatewayHousehold(gatewayId: string): HouseholdRow | null {
    const row = this.#db.prepare('SELECT household_id FROM gateways WHERE id = ?').get(gatewayId);
    return row ? this.getHousehold(String(row.household_id)) : null;
  }

  /** A revoked gateway is refused at its next CONNECT; its record and history stay. */
  revokeGateway(gatewayId: string, at: string): void {
    this.#db
      .prepare('UPDATE gateways SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?')
      .run(at, gatewayId);
  }

  /** A new secret (already hashed); the old one stops working at once. Also lifts a revocation. */
  rotateGatewaySecret(gatewayId: string, secretHash: string): void {
    this.#db
      .prepare('UPDATE gateways SET secret_hash = ?, revoked_at = NULL WHERE id = ?')
      .run(secretHash, gatewayId);
  }

  async verifyGateway(gatewayId: string, secret: string): Promise<boolean> {
    const row = this.#db
      .prepare('SELECT secret_hash FROM gateways WHERE id = ? AND revoked_at IS NULL')
      .get(gatewayId);
    if (!row) return false;
    return verifySecret(secret, String(row.secret_hash));
  }

  insertUser(u: {
    username: string;
    passwordHash: string;
    role: Role;
    scope: string;
    elderIds?: string[];
  }): void {
    this.#db
      .prepare('INSERT INTO users (username, password_hash, role, scope, elder_ids) VALUES (?, ?, ?, ?, ?)')
      .run(u.username, u.passwordHash, u.role, u.scope, JSON.stringify(u.elderIds ?? []));
  }

  /** The user, their password hash, and when the account was disabled (null while enabled). */
  findUser(username: string): { user: User; passwordHash: string; disabledAt: string | null } | null {
    const row = this.#db
      .prepare(
        'SELECT username, password_hash, role, scope, elder_ids, disabled_at FROM users WHERE username = ?',
      )
      .get(username);
    if (!row) return null;
    return {
      user: {
        username: String(row.username),
        role: row.role as Role,
        scope: String(row.scope),
        elderIds: JSON.parse(String(row.elder_ids)),
      },
      passwordHash: String(row.password_hash),
      disabledAt: row.disabled_at == null ? null : String(row.disabled_at),
    };
  }

  /**
   * Resolves where an event belongs. A device the registry does not know still belongs to its gateway's
   * household (an SOS is never dropped for a paperwork gap); the elder is the device's, else the
   * household's first. Null only when the gateway itself is unknown.
   */
  deviceContext(gatewayId: string, deviceId: string): DeviceContext | null {
    const gw = this.#db
      .prepare(
        'SELECT g.household_id, h.region FROM gateways g JOIN households h ON h.id = g.household_id WHERE g.id = ?',
      )
      .get(gatewayId);
    if (!gw) return null;
    const householdId = String(gw.household_id);
    const device = this.#db
      .prepare('SELECT kind, elder_id, config FROM devices WHERE gateway_id = ? AND id = ?')
      .get(gatewayId, deviceId);
    const location = device
      ? (JSON.parse(String(device.config)) as { location?: unknown }).location
      : undefined;
    const firstElder = this.#db
      .prepare('SELECT id FROM elders WHERE household_id = ? ORDER BY id LIMIT 1')
      .get(householdId);
    return {
      gatewayId,
      deviceId,
      deviceKind: device ? String(device.kind) : null,
      ...(typeof location === 'string' ? { location } : {}),
      householdId,
      region: String(gw.region),
      elderId: device?.elder_id ? String(device.elder_id) : firstElder ? String(firstElder.id) : '',
    };
  }
}
