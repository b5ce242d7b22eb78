import type { DatabaseSync } from 'node:sqlite';
import type { Role } from '../../protocol/index.ts';
import { transaction } from '../db/database.ts';
import { regionSubtreeSql } from './figures.ts';

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
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** Users whose scope lies within `scope`, by username. */
  list(scope: string): UserView[] {
    const subtree = regionSubtreeSql('scope', scope);
    return this.#db
      .prepare(`SELECT ${COLUMNS} FROM users WHERE ${subtree.sql} ORDER BY username`)
      .all(...subtree.params)
      .map(viewOf);
  }

  get(username: string): UserView | null {
    const row = this.#db.prepare(`SELECT ${COLUMNS} FROM users WHERE username = ?`).get(username);
    return row ? viewOf(row) : null;
  }

  /** False when the username is taken. */
  create(u: UserChange & { username: string; passwordHash: string }): boolean {
    const result = this.#db
      .prepare(
        'INSERT INTO users (username, password_hash, role, scope, elder_ids) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      )
      .run(u.username, u.passwordHash, u.role, u.scope, JSON.stringify(u.elderIds));
    return result.changes === 1;
  }

  /** New role and scope, and with `disabledAt` a disable (keeping the first time) or, with null, an enable. */
  update(username: string, change: UserChange, disabledAt?: string | null): void {
    transaction(this.#db, () => {
      this.#db
        .prepare('UPDATE users SET role = ?, scope = ?, elder_ids = ? WHERE username = ?')
        .run(change.role, change.scope, JSON.stringify(change.elderIds), username);
      if (disabledAt === undefined) return;
      this.#db
        .prepare(
          'UPDATE users SET disabled_at = CASE WHEN ? IS NULL THEN NULL ELSE coalesce(disabled_at, ?) END WHERE username = ?',
        )
        .run(disabledAt, disabledAt, username);
    });
  }

  setPasswordHash(username: string, passwordHash: string): void {
    this.#db.prepare('UPDATE users SET password_hash = ? WHERE username = ?').run(passwordHash, username);
  }
}
