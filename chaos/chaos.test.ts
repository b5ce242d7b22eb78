import { describe, expect, it } from 'vitest';
import type { ScenarioResult } from './harness/report.ts';
import type { Scenario } from './harness/scenario.ts';
import { brokerKill, clusterBrokerKill } from './scenarios/broker-kill.ts';
import { cloudKill } from './scenarios/cloud-kill.ts';
import { cloudLinkCut } from './scenarios/cloud-link-cut.ts';
import { cloudPause } from './scenarios/cloud-pause.ts';
import { cloudLeaseTakeover, cloudPgKill } from './scenarios/cloud-postgres.ts';
import { diskFull, diskFullPrerequisite } from './scenarios/disk-full.ts';
import { disorder } from './scenarios/disorder.ts';
import { feedbackVitals } from './scenarios/feedback-vitals.ts';
import { linkFaults } from './scenarios/link-faults.ts';
import { redisKill } from './scenarios/redis-kill.ts';

/**
 * The reduced form of `npm run chaos`: every scenario on real processes, with 40 gateways and a 10 s
 * pause instead of 300 and 30 s. No timing bars (this shares 2 cores with the rest of the suite): the
 * counts are the assertion.
 */
const reduced = { gateways: 40, pauseS: 10, log: () => {} };

async function run(scenario: Scenario): Promise<ScenarioResult> {
  const result = await scenario.run(reduced);
  const { tally, checks } = result;
  expect(tally.expected).toBeGreaterThanOrEqual(reduced.gateways);
  expect({ found: tally.found, duplicated: tally.duplicated, ackedLost: tally.ackedLost }).toEqual({
    found: tally.expected,
    duplicated: 0,
    ackedLost: 0,
  });
  expect(checks.filter((c) => !c.ok).map((c) => c.what)).toEqual([]);
  return result;
}

describe('fault injection on real processes: nothing lost, nothing doubled', () => {
  it('when the cloud is killed -9 mid-burst and restarted, every SOS is exactly one alert', async () => {
    await run(cloudKill);
  }, 120_000);

  it('when the broker is killed -9 mid-burst and restarted, every SOS is exactly one alert', async () => {
    await run(brokerKill);
  }, 120_000);

  it('when one of three cluster brokers is killed -9 mid-burst, its gateways move and every SOS is one alert', async () => {
    await run(clusterBrokerKill);
  }, 150_000);

  it('when the cloud is frozen with SIGSTOP and resumed, the SOS sent meanwhile all become alerts', async () => {
    await run(cloudPause);
  }, 150_000);

  it('when the gateway link is delayed, throttled and cut, every SOS still arrives once', async () => {
    await run(linkFaults);
  }, 150_000);

  it('duplicated ids, a cancel ahead of its SOS and clocks 10 minutes off neither double nor drop an alert', async () => {
    await run(disorder);
  }, 120_000);

  it('when DATA_DIR fills up, the error is clear, the stores stay intact and held SOS arrive once space returns', async () => {
    const missing = diskFullPrerequisite();
    // Not a skip: a run without root fails here, naming what it needs.
    if (missing) throw new Error(missing);
    await run(diskFull);
  }, 150_000);

  it('when Redis is killed -9 under three brokers mid-burst and restarted, nothing is PUBACKed meanwhile and every SOS is one alert, without restarting a broker', async () => {
    await run(redisKill);
  }, 150_000);

  it('when the cloud on PostgreSQL is killed -9 mid-burst and restarted, every SOS is exactly one alert', async () => {
    await run(cloudPgKill);
  }, 150_000);

  it('when one of two clouds sharing partitions is frozen past its lease, the other takes over and nothing is raised or escalated twice', async () => {
    await run(cloudLeaseTakeover);
  }, 180_000);

  it('when the cloud-broker link is cut and healed, every SOS still arrives once', async () => {
    await run(cloudLinkCut);
  }, 150_000);

  it('alerts acknowledged while the broker is dead have their feedback delivered to their gateways once it is back', async () => {
    const result = await run(feedbackVitals);
    // QoS 0 vitals may be lost; the fraction is reported, and most of them must still arrive.
    expect(result.notes?.join('\n')).toMatch(/QoS 0 vitals: \d+ sent/);
  }, 150_000);
});
