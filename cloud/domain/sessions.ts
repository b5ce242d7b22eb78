import { createHash, randomBytes } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';

/** Session tokens: random, shown once to the client, stored only as a SHA-256 digest. */
export class Sessions {
  readonly #db: DatabaseSync;
  readonly #ttlMs: number;

  constructor(db: DatabaseSync, ttlMs = 12 * 3600_000) {
    this.#db = db;
    this.#ttlMs = ttlMs;
  }

  create(username: string, now = Date.now()): { token: string; expiresAt: string } {
    // Logins are rare next to requests: the right moment to drop sessions that have run out.
    this.purgeExpired(now);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now + this.#ttlMs).toISOString();
    this.#db
      .prepare('INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)')
      .run(digest(token), username, new Date(now).toISOString(), expiresAt);
    return { token, expiresAt };
  }

  /** The username a live token belongs to, or null. */
  resolve(token: string, now = Date.now()): string | null {
    const row = this.#db
      .prepare('SELECT username, expires_at FROM sessions WHERE token_hash = ?')
      .get(digest(token));
    if (!row || Date.parse(String(row.expires_at)) <= now) return null;
    return String(row.username);
  }

  revoke(token: string): void {
    this.#db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(digest(token));
  }

  /** Ends every session of `username` (account disabled, password reset). */
  revokeUser(username: string): void {
    this.#db.prepare('DELETE FROM sessions WHERE username = ?').run(username);
  }

  purgeExpired(now = Date.now()): void {
    this.#db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(new Date(now).toISOString());
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
