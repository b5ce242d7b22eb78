import { describe, expect, it } from 'vitest';
import { checkRuleOverride } from './config-check.ts';
import { RULES } from './registry.ts';

const rule = (id: string) => {
  const found = RULES.find((r) => r.id === id);
  if (!found) throw new Error(id);
  return found;
};

describe('per-elder rule settings are checked against the rule’s defaults', () => {
  it('accepts a partial override of the kinds the defaults have', () => {
    expect(checkRuleOverride(rule('vitals'), { hr: { high: 120 }, forS: 120 })).toBeNull();
    expect(checkRuleOverride(rule('fall'), { graceS: 45 })).toBeNull();
    expect(checkRuleOverride(rule('checkin'), { checkinBy: '10:00' })).toBeNull();
    expect(checkRuleOverride(rule('checkin'), { checkinBy: null })).toBeNull();
  });

  it('names the field of an unknown key, a wrong kind, a bad time, or an elder fact', () => {
    expect(checkRuleOverride(rule('fall'), { graceSeconds: 45 })).toBe(
      '/graceSeconds is not a setting of this rule',
    );
    expect(checkRuleOverride(rule('vitals'), { hr: { high: 'fast' } })).toBe('/hr/high must be a number ≥ 0');
    expect(checkRuleOverride(rule('inactivity'), { dayStart: '25:00' })).toBe(
      '/dayStart must be a time HH:MM',
    );
    expect(checkRuleOverride(rule('inactivity'), { livesAlone: true })).toMatch(
      /^\/livesAlone comes from the elder's profile/,
    );
    expect(checkRuleOverride(rule('fall'), [1])).toBe('/ must be an object');
  });
});
