import { expect } from 'vitest';
import type { ScenarioResult } from './report.ts';
import type { Scenario } from './scenario.ts';

/**
 * The reduced form of `npm run chaos`: every scenario on real processes, with 40 gateways and a 10 s
 * pause instead of 300 and 30 s. No timing bars (this shares 2 cores with the rest of the suite): the
 * counts are the assertion.
 */
export const reduced = { gateways: 40, pauseS: 10, log: () => {} };

export async function runReduced(scenario: Scenario): Promise<ScenarioResult> {
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
