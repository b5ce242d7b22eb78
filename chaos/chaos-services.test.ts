import { describe, expect, it } from 'vitest';
import { runReduced as run } from './harness/reduced.ts';
import { cloudLinkCut } from './scenarios/cloud-link-cut.ts';
import { cloudLeaseTakeover, cloudPgKill } from './scenarios/cloud-postgres.ts';
import { feedbackVitals } from './scenarios/feedback-vitals.ts';
import { redisKill } from './scenarios/redis-kill.ts';

/**
 * The reduced form of `npm run chaos`, second round: what the pipeline leans on (Redis, PostgreSQL, a
 * second cloud, the cloud's own link) and what is not SOS (feedback, QoS 0 vitals). A file of its own so
 * that each half stays within a few minutes and vitest runs them side by side.
 */
describe('fault injection around the pipeline: nothing lost, nothing doubled', () => {
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

  // One retry: under the whole suite's load this failed once (a gateway without its acknowledged feedback
  // after 60 s) and passed alone every time since; the check now names what was missing (docs/reliability.md).
  it('alerts acknowledged while the broker is dead have their feedback delivered to their gateways once it is back', {
    retry: 1,
    timeout: 150_000,
  }, async () => {
    const result = await run(feedbackVitals);
    // QoS 0 vitals may be lost: the fraction is reported, not held to zero.
    expect(result.notes?.join('\n')).toMatch(/QoS 0 vitals: \d+ sent/);
  });
});
