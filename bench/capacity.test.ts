import { describe, expect, it } from 'vitest';
import { verifySecret } from '../cloud/domain/secrets.ts';
import type { RampResult, ScryptStormResult } from './broker-capacity.ts';
import { FULL, runCapacity } from './capacity.ts';
import type { IngestResult } from './cloud-ingest.ts';
import { hashAtCost, secretOf } from './population.ts';

describe('the capacity load generator', () => {
  it('writes hashes the registry verifies, at the cost it was given', async () => {
    const secret = secretOf({ key: 'k' }, 'gw-000001');
    const hash = await hashAtCost(secret, 1024);
    expect(hash.split('$').slice(0, 4)).toEqual(['scrypt', '1024', '8', '1']);
    expect(await verifySecret(secret, hash)).toBe(true);
    expect(await verifySecret(secretOf({ key: 'k' }, 'gw-000002'), hash)).toBe(false);
  });

  it('connects a few hundred gateways with their own credentials, forwards their vitals and stores them in the cloud', async () => {
    const report = await runCapacity(
      {
        ...FULL,
        only: ['scrypt', 'broker', 'ingest'],
        scryptGateways: 20,
        scryptRuns: 1,
        sizes: [100, 200],
        throughputAt: [200],
        rates: [400],
        stepSeconds: 1,
        reconnectRuns: 1,
        rampReconnectRuns: 1,
        ingest: { setups: ['sqlite'], gateways: 10, vitalsPerGateway: 5, eventsPerGateway: 2, runs: 1 },
        workers: 2,
      },
      Number.POSITIVE_INFINITY,
    );
    const json = JSON.parse(JSON.stringify(report)) as typeof report;
    expect(json.kind).toBe('eldercare-capacity');
    expect(json.machine).toMatchObject({ cpus: expect.any(Number), node: process.version });
    expect(Object.keys(json.loadBefore)).toEqual(['scrypt', 'broker', 'ingest']);

    const scrypt = json.results.scrypt as ScryptStormResult;
    expect(scrypt.first.map((s) => [s.gateways, s.failed])).toEqual([[20, 0]]);
    expect(scrypt.reconnect.map((s) => s.gateways)).toEqual([20]);
    // The first connect pays scrypt at the production cost; a reconnect is answered from the digest cache.
    expect(scrypt.first[0]?.brokerCpuMsPerConnect).toBeGreaterThan(
      scrypt.reconnect[0]?.brokerCpuMsPerConnect ?? 0,
    );

    const broker = json.results.broker as RampResult;
    expect(broker.plateaus.map((p) => [p.gateways, p.connect.gateways, p.connect.failed])).toEqual([
      [100, 100, 0],
      [200, 100, 0],
    ]);
    expect(broker.plateaus[1]?.brokerOpenFiles).toBeGreaterThanOrEqual(200);
    expect(broker.plateaus[1]?.brokerRssMiB).toBeGreaterThan(broker.idleRssMiB);
    const step = broker.plateaus[1]?.throughput?.steps[0];
    expect(step?.sent).toBeGreaterThan(0);
    expect((step?.receivedInWindow ?? 0) + (step?.receivedLate ?? 0)).toBe(step?.sent);
    expect(broker.reconnect[0]).toMatchObject({ gateways: 200, failed: 0 });

    const ingest = (json.results.ingest as Record<string, IngestResult>).sqlite;
    expect(ingest?.vitals[0]).toMatchObject({ stored: 50, expected: 50 });
    expect(ingest?.events[0]).toMatchObject({ stored: 20, expected: 20 });
    expect(ingest?.vitalsPerS.median).toBeGreaterThan(0);
  }, 120_000);
});
