import type { Role } from '../../protocol/index.ts';
import { atomically, Params, type SqlSession } from '../db/sql.ts';
import { regionSubtreeSql } from './region-sql.ts';

/** A user as admins see them: never the password hash. */
export interface UserView {
  username: string;
  role: Role;
  scope: string;
  /** Family users only: the elders they follow. */
  elderIds?: string[];
  disabled: boolean;
  /** When the account was disabled; absent while it is enabled. */
  disabledAt?: string;
}

export interface UserChange {
  role: Role;
  scope: string;
  elderIds: string[];
}

const COLUMNS = 'username, role, scope, elder_ids, disabled_at';

function viewOf(row: Record<string, unknown>): UserView {
  const role = row.role as Role;
  return {
    username: String(row.username),
    role,
    scope: String(row.scope),
    ...(role === 'family' ? { elderIds: JSON.parse(String(row.elder_ids)) as string[] } : {}),
    disabled: row.disabled_at != null,
    ...(row.disabled_at != null ? { disabledAt: String(row.disabled_at) } : {}),
  };
}

/** User accounts for the admin page: list, create, change, disable, reset password. */
export class UserStore {
  readonly #db: SqlSession;

  constructor(db: SqlSession) {
    this.#db = db;
  }

  /** Users whose scope lies within `scope`, by username. */
  async list(scope: string): Promise<UserView[]> {
    const p = new Params();
    const subtree = regionSubtreeSql('scope', scope, p);
    const rows = await this.#db.all(
      `SELECT ${COLUMNS} FROM users WHERE ${subtree} ORDER BY username`,
      p.values,
    );
    return rows.map(viewOf);
  }

  async get(username: string): Promise<UserView | null> {
    const row = await this.#db.get(`SELECT ${COLUMNS} FROM users WHERE username = $1`, [username]);
    return row ? viewOf(row) : null;
  }

  /** False when the username is taken. */
  async create(u: UserChange & { username: string; passwordHash: string }): Promise<boolean> {
    const result = await this.#db.run(
      'INSERT INTO users (username, password_hash, role, scope, elder_ids) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
      [u.username, u.passwordHash, u.role, u.scope, JSON.stringify(u.elderIds)],
    );
    return result.changes === 1;
  }

  /** New role and scope, and with `disabledAt` a disable (keeping the first time) or, with null, an enable. */
  async update(username: string, change: UserChange, disabledAt?: string | null): Promise<void> {
    await atomically(this.#db, async (tx) => {
      await tx.run('UPDATE users SET role = $1, scope = $2, elder_ids = $3 WHERE username = $4', [
        change.role,
        change.scope,
        JSON.stringify(change.elderIds),
        username,
      ]);
      if (disabledAt === undefined) return;
      await tx.run(
        disabledAt === null
          ? 'UPDATE users SET disabled_at = NULL WHERE username = $1'
          : 'UPDATE users SET disabled_at = coalesce(disabled_at, $2) WHERE username = $1',
        disabledAt === null ? [username] : [username, disabledAt],
      );
    });
  }

  async setPasswordHash(username: string, passwordHash: string): Promise<void> {
    await this.#db.run('UPDATE users SET password_hash = $1 WHERE username = $2', [passwordHash, username]);
  }
}
