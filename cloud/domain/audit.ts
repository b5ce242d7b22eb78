import { regionWithin } from '../../protocol/index.ts';
import type { SqlSession } from '../db/sql.ts';
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
  readonly #db: SqlSession;

  constructor(db: SqlSession) {
    this.#db = db;
  }

  async record(user: User, entry: Omit<AuditEntry, 'username' | 'role'>): Promise<void> {
    await this.#db.run(
      'INSERT INTO audit_log (at, username, role, actor_scope, method, route, target, status, address) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [
        entry.at,
        user.username,
        user.role,
        user.scope,
        entry.method,
        entry.route,
        entry.target ? JSON.stringify(entry.target) : null,
        entry.status,
        entry.address,
      ],
    );
  }

  /** Newest first; a reader sees the actions of users whose scope lies within their own. */
  async list(reader: User, limit = 200, before?: string): Promise<AuditEntry[]> {
    const rows = await this.#db.all('SELECT * FROM audit_log WHERE at < $1 ORDER BY seq DESC LIMIT $2', [
      before ?? '9999',
      limit * 5,
    ]);
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
