import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../protocol/index.ts';
import { RULES, ruleById } from './registry.ts';
import type { RuleInput } from './rule.ts';
import {
  deviceState,
  event,
  gatewayState,
  lifecycleViolation,
  MINUTE_MS,
  RuleHarness,
  T0,
  vitals,
} from './test-harness.ts';

describe('rule registry', () => {
  it('lists every rule once, under a stable id', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([
      'sos',
      'fall',
      'hazard',
      'vitals',
      'night-door',
      'inactivity',
      'checkin',
      'gateway-supervision',
      'device-offline',
      'wearable-off',
      'device-notice',
    ]);
    expect(ruleById('fall')?.defaults).toMatchObject({ graceS: 30 });
  });

  it('every rule’s defaults carry the elder facts (China time, not alone, no dementia) and survive JSON', () => {
    for (const rule of RULES) {
      expect(rule.defaults, rule.id).toMatchObject({
        livesAlone: false,
        dementia: false,
        timeZoneOffsetMinutes: 480,
      });
      expect(JSON.parse(JSON.stringify(rule.defaults)), rule.id).toEqual(rule.defaults);
    }
  });

  it('for any mix of inputs and waits, every rule keeps JSON states, wakes forward and respects the alert lifecycle', () => {
    const elder = fc.constantFrom('el-1', 'el-2', '');
    const input = fc.oneof(
      fc.record({ kind: fc.constant('event'), type: fc.constantFrom(...EVENT_TYPES), elder }),
      fc.record({
        kind: fc.constant('vitals'),
        hr: fc.integer({ min: 20, max: 200 }),
        spo2: fc.integer({ min: 70, max: 100 }),
        elder,
      }),
      fc.record({ kind: fc.constantFrom('gateway-up', 'gateway-down', 'device-up', 'device-down'), elder }),
    );
    const step = fc.record({
      dt: fc.integer({ min: 0, max: 90 }),
      input: fc.option(input, { nil: undefined }),
    });
    const build = (
      s: { kind: string; elder: string; type?: (typeof EVENT_TYPES)[number]; hr?: number; spo2?: number },
      t: number,
    ): RuleInput => {
      const options = { subject: { elderId: s.elder, deviceId: s.elder ? `dev-${s.elder}` : 'dev-shared' } };
      if (s.kind === 'event') return event(s.type ?? 'motion', t, options);
      if (s.kind === 'vitals') return vitals(t, { hr: s.hr ?? 70, spo2: s.spo2 ?? 97 }, options);
      if (s.kind.startsWith('gateway')) return gatewayState(s.kind === 'gateway-up', t, options);
      return deviceState(s.kind === 'device-up', t, options);
    };
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.boolean(), (steps, facts) => {
        const config = { livesAlone: facts, dementia: facts, checkinBy: facts ? '10:00' : null };
        for (const rule of RULES) {
          const h = new RuleHarness(rule, { config });
          let t = T0;
          for (const s of steps) {
            t += s.dt * MINUTE_MS;
            if (s.input) h.send(build(s.input, t));
            else h.advanceTo(t);
          }
          h.advanceBy(24 * 60 * MINUTE_MS);
          expect(lifecycleViolation(h.log.map((l) => l.action)), rule.id).toBeNull();
        }
      }),
      { numRuns: 60 },
    );
  });
});
