import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../cloud/db/migrate.ts';
import { PgSql } from '../cloud/db/pg-sql.ts';
import { hashSecret } from '../cloud/domain/secrets.ts';
import { type PostgresServer, startPostgres } from '../tests/support/postgres.ts';
import { verifierFor } from './verifiers.ts';

describe('a standalone broker checking gateway secrets in the cloud’s PostgreSQL', () => {
  let postgres: PostgresServer;
  let url: string;
  beforeAll(async () => {
    postgres = await startPostgres();
    url = await postgres.newDatabase('registry');
    const sql = new PgSql(url);
    await migrate(sql);
    await sql.run("INSERT INTO regions (id, name, level) VALUES ('c', 'City', 'city')");
    await sql.run("INSERT INTO households (id, region, address) VALUES ('hh-1', 'c', 'somewhere')");
    for (const [id, revoked] of [
      ['gw-live', null],
      ['gw-revoked', '2026-11-01T00:00:00.000Z'],
    ] as const)
      await sql.run(
        'INSERT INTO gateways (id, household_id, secret_hash, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5)',
        [id, 'hh-1', await hashSecret(`secret-of-${id}`), '2026-10-01T00:00:00.000Z', revoked],
      );
    await sql.close();
  }, 120_000);
  afterAll(async () => {
    await postgres?.stop();
  });

  it('GATEWAY_REGISTRY=postgres://… lets in the right secret only, and never a revoked gateway', async () => {
    const verifier = verifierFor(url);
    if (!verifier) throw new Error('no verifier for a postgres:// registry');
    try {
      expect(await verifier.verifyGateway('gw-live', 'secret-of-gw-live')).toBe(true);
      expect(await verifier.verifyGateway('gw-live', 'secret-of-gw-revoked')).toBe(false);
      expect(await verifier.verifyGateway('gw-revoked', 'secret-of-gw-revoked')).toBe(false);
      expect(await verifier.verifyGateway('gw-unknown', 'anything')).toBe(false);
    } finally {
      await verifier.close();
    }
  });

  it('an unreachable database refuses the gateway instead of failing the CONNECT handler', async () => {
    const verifier = verifierFor('postgres://eldercare@127.0.0.1:1/none');
    expect(await verifier?.verifyGateway('gw-live', 'secret-of-gw-live')).toBe(false);
    await verifier?.close();
  });
});
