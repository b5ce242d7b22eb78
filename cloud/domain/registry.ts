import type { Role } from '../../protocol/index.ts';
import { atomically, type SqlSession } from '../db/sql.ts';
import type { User } from './scope.ts';
import { hashGatewaySecret, verifySecret } from './secrets.ts';

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

/**
 * The registry of the managed world: regions → households → elders, gateways and devices, users.
 * Inside a caller's transaction, use the view `in(tx)`.
 */
export class Registry {
  readonly #db: SqlSession;

  constructor(db: SqlSession) {
    this.#db = db;
  }

  /** The same registry, its statements inside transaction `tx`. */
  in(tx: SqlSession): Registry {
    return new Registry(tx);
  }

  async isEmpty(): Promise<boolean> {
    return Number((await this.#db.get('SELECT count(*) AS n FROM regions'))?.n) === 0;
  }

  async insertRegion(r: RegionRow): Promise<void> {
    await this.#db.run('INSERT INTO regions (id, name, level, parent) VALUES ($1, $2, $3, $4)', [
      r.id,
      r.name,
      r.level,
      r.parent,
    ]);
  }

  async regionExists(id: string): Promise<boolean> {
    return (await this.#db.get('SELECT 1 AS x FROM regions WHERE id = $1', [id])) !== undefined;
  }

  async regionLevel(id: string): Promise<string | null> {
    const row = await this.#db.get('SELECT level FROM regions WHERE id = $1', [id]);
    return row ? String(row.level) : null;
  }

  async insertHousehold(h: HouseholdRow): Promise<void> {
    if (await this.getHousehold(h.id)) throw new ConflictError(`household ${h.id} exists`);
    if ((await this.regionLevel(h.region)) !== 'community')
      throw new ReferenceError_('region', 'region must be a community');
    const inserted = await this.#db.run(
      'INSERT INTO households (id, region, address, profile) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING',
      [h.id, h.region, h.address, json(h.profile)],
    );
    // Another request made it between the check and the insert.
    if (inserted.changes === 0) throw new ConflictError(`household ${h.id} exists`);
  }

  async getHousehold(id: string): Promise<HouseholdRow | null> {
    const row = await this.#db.get('SELECT id, region, address, profile FROM households WHERE id = $1', [id]);
    if (!row) return null;
    return {
      id: String(row.id),
      region: String(row.region),
      address: String(row.address),
      profile: JSON.parse(String(row.profile)),
    };
  }

  async insertElder(e: ElderRow): Promise<void> {
    if (await this.getElder(e.id)) throw new ConflictError(`elder ${e.id} exists`);
    if (!(await this.getHousehold(e.householdId)))
      throw new ReferenceError_('householdId', 'household does not exist');
    const inserted = await this.#db.run(
      'INSERT INTO elders (id, household_id, name, profile) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING',
      [e.id, e.householdId, e.name, json(e.profile)],
    );
    if (inserted.changes === 0) throw new ConflictError(`elder ${e.id} exists`);
  }

  async getElder(id: string): Promise<ElderRow | null> {
    const row = await this.#db.get('SELECT id, household_id, name, profile FROM elders WHERE id = $1', [id]);
    if (!row) return null;
    return {
      id: String(row.id),
      householdId: String(row.household_id),
      name: String(row.name),
      profile: JSON.parse(String(row.profile)),
    };
  }

  async eldersOf(householdId: string): Promise<ElderRow[]> {
    const rows = await this.#db.all(
      'SELECT id, household_id, name, profile FROM elders WHERE household_id = $1 ORDER BY id',
      [householdId],
    );
    return rows.map((row) => ({
      id: String(row.id),
      householdId: String(row.household_id),
      name: String(row.name),
      profile: JSON.parse(String(row.profile)),
    }));
  }

  /** Inserts a gateway and its devices atomically; the secret arrives already hashed. */
  async insertGateway(g: {
    id: string;
    householdId: string;
    secretHash: string;
    devices: DeviceRow[];
  }): Promise<void> {
    if (await this.#db.get('SELECT 1 AS x FROM gateways WHERE id = $1', [g.id]))
      throw new ConflictError(`gateway ${g.id} exists`);
    if (!(await this.getHousehold(g.householdId)))
      throw new ReferenceError_('householdId', 'household does not exist');
    for (const [i, d] of g.devices.entries()) {
      const elder = d.elderId ? await this.getElder(d.elderId) : null;
      if (d.elderId && elder?.householdId !== g.householdId) {
        throw new ReferenceError_(`devices/${i}/elderId`, 'elder does not live in this household');
      }
    }
    await atomically(this.#db, async (tx) => {
      const inserted = await tx.run(
        `INSERT INTO gateways (id, household_id, secret_hash, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO NOTHING`,
        [g.id, g.householdId, g.secretHash, new Date().toISOString()],
      );
      if (inserted.changes === 0) throw new ConflictError(`gateway ${g.id} exists`);
      for (const d of g.devices)
        await tx.run(
          'INSERT INTO devices (gateway_id, id, kind, elder_id, config) VALUES ($1, $2, $3, $4, $5)',
          [g.id, d.id, d.kind, d.elderId ?? null, json(d.config)],
        );
    });
  }

  /** The gateway's household, or null when there is no such gateway. */
  async gatewayHousehold(gatewayId: string): Promise<HouseholdRow | null> {
    const row = await this.#db.get('SELECT household_id FROM gateways WHERE id = $1', [gatewayId]);
    return row ? this.getHousehold(String(row.household_id)) : null;
  }

  /** A revoked gateway is refused at its next CONNECT; its record and history stay. */
  async revokeGateway(gatewayId: string, at: string): Promise<void> {
    await this.#db.run('UPDATE gateways SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2', [
      at,
      gatewayId,
    ]);
  }

  /** A new secret (already hashed); the old one stops working at once. Also lifts a revocation. */
  async rotateGatewaySecret(gatewayId: string, secretHash: string): Promise<void> {
    await this.#db.run('UPDATE gateways SET secret_hash = $1, revoked_at = NULL WHERE id = $2', [
      secretHash,
      gatewayId,
    ]);
  }

  /**
   * Whether `secret` is the gateway's (not revoked). A secret proven against an scrypt hash (stored before
   * gateway secrets were salted SHA-256) is stored again as SHA-256, so the gateway's next first CONNECT
   * (after a broker restart) is cheap; only if the hash is still the one checked, so a rotation meanwhile
   * wins. The upgrade is best effort: a store that cannot write leaves the old hash, which still verifies.
   */
  async verifyGateway(gatewayId: string, secret: string): Promise<boolean> {
    const row = await this.#db.get('SELECT secret_hash FROM gateways WHERE id = $1 AND revoked_at IS NULL', [
      gatewayId,
    ]);
    if (!row) return false;
    const stored = String(row.secret_hash);
    if (!(await verifySecret(secret, stored))) return false;
    if (stored.startsWith('scrypt$'))
      await this.#db
        .run('UPDATE gateways SET secret_hash = $1 WHERE id = $2 AND secret_hash = $3', [
          hashGatewaySecret(secret),
          gatewayId,
          stored,
        ])
        .catch(() => undefined);
    return true;
  }

  async insertUser(u: {
    username: string;
    passwordHash: string;
    role: Role;
    scope: string;
    elderIds?: string[];
  }): Promise<void> {
    await this.#db.run(
      'INSERT INTO users (username, password_hash, role, scope, elder_ids) VALUES ($1, $2, $3, $4, $5)',
      [u.username, u.passwordHash, u.role, u.scope, JSON.stringify(u.elderIds ?? [])],
    );
  }

  /** The user, their password hash, and when the account was disabled (null while enabled). */
  async findUser(
    username: string,
  ): Promise<{ user: User; passwordHash: string; disabledAt: string | null } | null> {
    const row = await this.#db.get(
      'SELECT username, password_hash, role, scope, elder_ids, disabled_at FROM users WHERE username = $1',
      [username],
    );
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
  async deviceContext(gatewayId: string, deviceId: string): Promise<DeviceContext | null> {
    const row = await this.#db.get(
      `SELECT g.household_id, h.region, d.kind, d.elder_id, d.config,
         (SELECT e.id FROM elders e WHERE e.household_id = g.household_id ORDER BY e.id LIMIT 1) AS first_elder
       FROM gateways g JOIN households h ON h.id = g.household_id
       LEFT JOIN devices d ON d.gateway_id = g.id AND d.id = $2
       WHERE g.id = $1`,
      [gatewayId, deviceId],
    );
    if (!row) return null;
    const known = row.kind != null;
    const location = known ? (JSON.parse(String(row.config)) as { location?: unknown }).location : undefined;
    return {
      gatewayId,
      deviceId,
      deviceKind: known ? String(row.kind) : null,
      ...(typeof location === 'string' ? { location } : {}),
      householdId: String(row.household_id),
      region: String(row.region),
      elderId: row.elder_id ? String(row.elder_id) : row.first_elder ? String(row.first_elder) : '',
    };
  }
}
