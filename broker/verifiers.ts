import { existsSync } from 'node:fs';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
// The hash format is the registry's; the broker only checks against it.
import { verifySecret } from '../cloud/domain/secrets.ts';
import type { GatewayVerifier } from './auth.ts';

export interface ClosableVerifier extends GatewayVerifier {
  close(): void;
}

/**
 * Reads the cloud's SQLite registry read-only (a broker on the cloud's machine). Opened at the first
 * CONNECT, so brokers may start before the cloud has created its store; until then every gateway is
 * refused.
 */
export class SqliteRegistryVerifier implements ClosableVerifier {
  readonly #path: string;
  #db: DatabaseSync | null = null;
  #query: StatementSync | null = null;

  constructor(path: string) {
    this.#path = path;
  }

  async verifyGateway(gatewayId: string, secret: string): Promise<boolean> {
    const query = this.#open();
    const row = query?.get(gatewayId);
    if (!row) return false;
    return verifySecret(secret, String(row.secret_hash));
  }

  #open(): StatementSync | null {
    if (this.#query) return this.#query;
    if (!existsSync(this.#path)) return null;
    this.#db = new DatabaseSync(this.#path, { readOnly: true });
    this.#db.exec('PRAGMA busy_timeout = 5000');
    this.#query = this.#db.prepare('SELECT secret_hash FROM gateways WHERE id = ? AND revoked_at IS NULL');
    return this.#query;
  }

  close(): void {
    if (this.#db?.isOpen) this.#db.close();
  }
}

/** How a standalone broker checks gateway secrets, by the scheme of GATEWAY_REGISTRY. Add one here. */
export const VERIFIERS: Record<string, (location: string) => ClosableVerifier> = {
  sqlite: (path) => new SqliteRegistryVerifier(path),
};

/** `scheme:location`, e.g. `sqlite:/var/lib/eldercare/cloud.db`; null when the scheme is unknown. */
export function verifierFor(spec: string): ClosableVerifier | null {
  const colon = spec.indexOf(':');
  const make = colon > 0 ? VERIFIERS[spec.slice(0, colon)] : undefined;
  const location = spec.slice(colon + 1);
  return make && location ? make(location) : null;
}
