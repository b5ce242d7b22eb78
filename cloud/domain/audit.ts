import type { DatabaseSync } from 'node:sqlite';
import { regionWithin } from '../../protocol/index.ts';
import type { User } from './scope.ts';

export interface AuditEntry {
  at: string;
  username: string;
  role: string;
  method: string;
  /** The route pattern, e.g. `/api/alerts/:id/ack`: no bodies, so no names or notes end up here. */
  route: string;
  /** The ids in the URL, e.g. `{"id":"…"}`. */
  target: Record<string, string> | null;
  status: number;
  address: string;
}

/** Every state-changing request that succeeded: who, what, when, from which address. */
export class AuditLog {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  record(user: User, entry: Omit<AuditEntry, 'username' | 'role'>): void {
    this.#db
      .prepare(
        'INSERT INTO audit_log (at, username, role, actor_scope, method, route, target, status, address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        entry.at,
        user.username,
        user.role,
        user.scope,
        entry.method,
        entry.route,
        entry.target ? JSON.stringify(entry.target) : null,
        entry.status,
        entry.address,
      );
  }

  /** Newest first; a reader sees the actions of users whose scope lies within their own. */
  list(reader: User, limit = 200, before?: string): AuditEntry[] {
    const rows = this.#db
      .prepare('SELECT * FROM audit_log WHERE at < ? ORDER BY seq DESC LIMIT ?')
      .all(before ?? '9999', limit * 5);
    return rows
      .filter((r) => regionWithin(String(r.actor_scope), reader.scope))
      .slice(0, limit)
      .map((r) => ({
        at: String(r.at),
        username: String(r.username),
        role: String(r.role),
        method: String(r.method),
        route: String(r.route),
        target: r.target === null ? null : (JSON.parse(String(r.target)) as Record<string, string>),
        status: Number(r.status),
        address: String(r.address),
      }));
  }
}
