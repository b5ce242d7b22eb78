import { createHash, randomBytes } from 'node:crypto';
import type { SqlSession } from '../db/sql.ts';

/** Session tokens: random, shown once to the client, stored only as a SHA-256 digest. */
export class Sessions {
  readonly #db: SqlSession;
  readonly #ttlMs: number;

  constructor(db: SqlSession, ttlMs = 12 * 3600_000) {
    this.#db = db;
    this.#ttlMs = ttlMs;
  }

  async create(username: string, now = Date.now()): Promise<{ token: string; expiresAt: string }> {
    // Logins are rare next to requests: the right moment to drop sessions that have run out.
    await this.purgeExpired(now);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now + this.#ttlMs).toISOString();
    await this.#db.run(
      'INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES ($1, $2, $3, $4)',
      [digest(token), username, new Date(now).toISOString(), expiresAt],
    );
    return { token, expiresAt };
  }

  /** The username a live token belongs to, or null. */
  async resolve(token: string, now = Date.now()): Promise<string | null> {
    const row = await this.#db.get('SELECT username, expires_at FROM sessions WHERE token_hash = $1', [
      digest(token),
    ]);
    if (!row || Date.parse(String(row.expires_at)) <= now) return null;
    return String(row.username);
  }

  async revoke(token: string): Promise<void> {
    await this.#db.run('DELETE FROM sessions WHERE token_hash = $1', [digest(token)]);
  }

  /** Ends every session of `username` (account disabled, password reset). */
  async revokeUser(username: string): Promise<void> {
    await this.#db.run('DELETE FROM sessions WHERE username = $1', [username]);
  }

  async purgeExpired(now = Date.now()): Promise<void> {
    await this.#db.run('DELETE FROM sessions WHERE expires_at <= $1', [new Date(now).toISOString()]);
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
