import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { PgSql } from '../cloud/db/pg-sql.ts';
import type { Sql } from '../cloud/db/sql.ts';
import { SqliteSql } from '../cloud/db/sqlite-sql.ts';
// The hash format and its check are the registry's; the broker only asks it.
import { Registry } from '../cloud/domain/registry.ts';
import type { GatewayVerifier } from './auth.ts';

export interface ClosableVerifier extends GatewayVerifier {
  close(): void | Promise<void>;
}

/**
 * Reads the cloud's SQLite registry read-only (a broker on the cloud's machine). Opened at the first
 * CONNECT, so brokers may start before the cloud has created its store; until then every gateway is
 * refused. Read-only, it never stores an scrypt-hashed secret again as SHA-256 (`Registry.verifyGateway`
 * tries, and leaves the old hash when the write fails).
 */
export class SqliteRegistryVerifier implements ClosableVerifier {
  readonly #path: string;
  #db: DatabaseSync | null = null;
  #registry: Registry | null = null;

  constructor(path: string) {
    this.#path = path;
  }

  async verifyGateway(gatewayId: string, secret: string): Promise<boolean> {
    const registry = this.#open();
    return registry ? registry.verifyGateway(gatewayId, secret).catch(() => false) : false;
  }

  #open(): Registry | null {
    if (this.#registry) return this.#registry;
    if (!existsSync(this.#path)) return null;
    this.#db = new DatabaseSync(this.#path, { readOnly: true });
    this.#db.exec('PRAGMA busy_timeout = 5000');
    this.#registry = new Registry(new SqliteSql(this.#db));
    return this.#registry;
  }

  close(): void {
    if (this.#db?.isOpen) this.#db.close();
  }
}

/**
 * Reads the registry through the cloud's SQL port: the cloud's PostgreSQL (brokers on other machines).
 * A database that cannot be reached refuses the CONNECT; the gateway retries, and the secrets it proved
 * before are remembered by the authenticator meanwhile.
 */
export class SqlRegistryVerifier implements ClosableVerifier {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  async verifyGateway(gatewayId: string, secret: string): Promise<boolean> {
    return new Registry(this.#sql).verifyGateway(gatewayId, secret).catch(() => false);
  }

  close(): Promise<void> {
    return this.#sql.close();
  }
}

const postgres = (location: string) => new SqlRegistryVerifier(new PgSql(`postgres:${location}`, { max: 4 }));

/** How a standalone broker checks gateway secrets, by the scheme of GATEWAY_REGISTRY. Add one here. */
export const VERIFIERS: Record<string, (location: string) => ClosableVerifier> = {
  sqlite: (path) => new SqliteRegistryVerifier(path),
  // GATEWAY_REGISTRY=postgres://user:pass@host:5432/eldercare, the cloud's DATABASE_URL.
  postgres,
  postgresql: postgres,
};

/** `scheme:location`, e.g. `sqlite:/var/lib/eldercare/cloud.db` or `postgres://…`; null when the scheme is unknown. */
export function verifierFor(spec: string): ClosableVerifier | null {
  const colon = spec.indexOf(':');
  const make = colon > 0 ? VERIFIERS[spec.slice(0, colon)] : undefined;
  const location = spec.slice(colon + 1);
  return make && location ? make(location) : null;
}
