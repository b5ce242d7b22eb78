import { describe, expect, it } from 'vitest';
import { checkinRule } from './checkin.ts';
import { at, DAY_MS, event, RuleHarness } from './test-harness.ts';

const day = '2026-11-23';
const next = '2026-11-24';
const byTen = () => new RuleHarness(checkinRule, { now: at(day, '06:00'), config: { checkinBy: '10:00' } });

describe('missed check-in rule', () => {
  it('when checkinBy is not set, nothing is watched', () => {
    const h = new RuleHarness(checkinRule, { now: at(day, '06:00') });
    expect(h.send(event('motion', at(day, '08:00')))).toEqual([]);
    expect(h.state('el-1')).toBeUndefined();
    expect(h.advanceBy(3 * DAY_MS)).toEqual([]);
  });

  it('when no check-in comes by 10:00, a medium missed_checkin alert is raised for that day', () => {
    const h = byTen();
    h.send(event('motion', at(day, '08:00')));
    expect(h.advanceTo(at(day, '10:00') - 1)).toEqual([]);
    expect(h.advanceBy(1)).toEqual([
      {
        kind: 'raise',
        alert: expect.objectContaining({
          type: 'missed_checkin',
          severity: 'medium',
          dedupeKey: 'el-1:missed_checkin',
          eventId: 'rule:checkin:el-1:2026-11-23',
          occurredAt: at(day, '10:00'),
        }),
      },
    ]);
  });

  it('when the elder checks in on time, nothing that day, and the next day is watched again', () => {
    const h = byTen();
    h.send(event('checkin', at(day, '09:00')));
    expect(h.advanceTo(at(next, '10:00') - 1)).toEqual([]);
    const [action] = h.advanceBy(1);
    expect(action?.kind === 'raise' && action.alert.eventId).toBe('rule:checkin:el-1:2026-11-24');
  });

  it('a check-in 1 ms before checkinBy is in time; one at exactly checkinBy is late: raised, then cleared', () => {
    const h = byTen();
    h.send(event('motion', at(day, '08:00')));
    h.send(event('checkin', at(day, '10:00') - 1));
    expect(h.advanceTo(at(day, '23:00'))).toEqual([]);
    const g = byTen();
    g.send(event('motion', at(day, '08:00')));
    expect(g.send(event('checkin', at(day, '10:00'))).map((a) => a.kind)).toEqual(['raise', 'clear']);
  });

  it('when a late check-in is evaluated before the deadline was judged, the alert is raised and cleared at once', () => {
    const config = { ...checkinRule.defaults, checkinBy: '10:00' };
    const first = checkinRule.evaluate(
      event('motion', at(day, '08:00')),
      undefined,
      at(day, '08:00'),
      config,
    );
    const late = event('checkin', at(day, '10:30'));
    const result = checkinRule.evaluate(late, first.nextState, at(day, '10:31'), config);
    expect(result.actions.map((a) => a.kind)).toEqual(['raise', 'clear']);
    expect(result.nextState?.missedDay).toBeNull();
    expect(result.wakeAt).toBe(at(next, '10:00'));
  });

  it('when the elder checks in late that day, the alert clears', () => {
    const h = byTen();
    h.send(event('motion', at(day, '08:00')));
    h.advanceTo(at(day, '11:00'));
    expect(h.send(event('checkin', at(day, '11:20')))).toEqual([
      { kind: 'clear', dedupeKey: 'el-1:missed_checkin', note: 'the elder checked in late' },
    ]);
  });

  it('when the watch starts after the deadline, that day is not judged', () => {
    const h = byTen();
    h.send(event('motion', at(day, '11:00')));
    expect(h.advanceTo(at(next, '10:00') - 1)).toEqual([]);
    expect(h.advanceBy(1)).toHaveLength(1);
  });

  it('at most one alert a day, and after an outage of days only the latest day is raised', () => {
    const h = byTen();
    h.send(event('motion', at(day, '08:00')));
    const restarted = RuleHarness.restore(checkinRule, h.snapshot(), { config: { checkinBy: '10:00' } });
    // The engine was down for three days; its first due() runs on the 26th at noon.
    const actions = restarted.resumeAt(at('2026-11-26', '12:00'));
    expect(actions.map((a) => a.kind === 'raise' && a.alert.eventId)).toEqual([
      'rule:checkin:el-1:2026-11-26',
    ]);
    expect(restarted.advanceTo(at('2026-11-26', '23:59'))).toEqual([]);
  });

  it('when the cloud restarts before the deadline, the restored state still raises at it', () => {
    const h = byTen();
    h.send(event('motion', at(day, '08:00')));
    const restarted = RuleHarness.restore(checkinRule, h.snapshot(), { config: { checkinBy: '10:00' } });
    expect(restarted.advanceTo(at(day, '12:00'))).toHaveLength(1);
    expect(restarted.log[0]?.now).toBe(at(day, '10:00'));
  });
});
