import { describe, expect, it } from 'vitest';
import { hazardRule } from './hazard.ts';
import { event, RuleHarness, T0 } from './test-harness.ts';

describe('hazard rule', () => {
  it('smoke raises a critical alert at once, with the room the detector names', () => {
    const [action] = new RuleHarness(hazardRule).send(
      event('smoke', T0, { id: 'ev-smoke', data: { room: 'kitchen' } }),
    );
    expect(action).toEqual({
      kind: 'raise',
      alert: expect.objectContaining({
        type: 'smoke',
        severity: 'critical',
        dedupeKey: 'el-1:smoke',
        eventId: 'ev-smoke',
        occurredAt: T0,
        details: { room: 'kitchen' },
      }),
    });
  });

  it('gas is critical and a water leak is high, each under its own key', () => {
    const h = new RuleHarness(hazardRule);
    h.send(event('gas', T0));
    h.send(event('water_leak', T0));
    expect(h.actions('raise').map((a) => [a.alert.dedupeKey, a.alert.severity])).toEqual([
      ['el-1:gas', 'critical'],
      ['el-1:water_leak', 'high'],
    ]);
  });

  it('a detector that serves the household and no one elder is keyed by the household', () => {
    const [action] = new RuleHarness(hazardRule).send(event('smoke', T0, { subject: { elderId: '' } }));
    expect(action?.kind === 'raise' && action.alert.dedupeKey).toBe('hh-1:smoke');
    expect(action?.kind === 'raise' && action.alert.details).toBeUndefined();
  });

  it('other events are not its business, and it keeps no state', () => {
    expect(hazardRule.key(event('motion', T0))).toBeNull();
    const h = new RuleHarness(hazardRule);
    h.send(event('smoke', T0));
    expect(h.state('el-1')).toBeUndefined();
  });
});
