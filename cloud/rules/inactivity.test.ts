import { describe, expect, it } from 'vitest';
import { inactivityRule } from './inactivity.ts';
import { at, event, HOUR_MS, MINUTE_MS, RuleHarness, vitals } from './test-harness.ts';

const day = '2026-11-23';
const next = '2026-11-24';
const alone = () => new RuleHarness(inactivityRule, { now: at(day, '06:00'), config: { livesAlone: true } });

describe('inactivity rule', () => {
  it('when an elder living alone shows no activity for 4 daytime hours, a high inactivity alert is raised', () => {
    const h = alone();
    h.send(event('motion', at(day, '08:00')));
    expect(h.advanceTo(at(day, '12:00') - 1)).toEqual([]);
    expect(h.advanceBy(1)).toEqual([
      {
        kind: 'raise',
        alert: expect.objectContaining({
          type: 'inactivity',
          severity: 'high',
          dedupeKey: 'el-1:inactivity',
          eventId: `rule:inactivity:el-1:${at(day, '08:00')}`,
          occurredAt: at(day, '08:00'),
        }),
      },
    ]);
  });

  it('when the elder does not live alone, nothing is watched and nothing is kept', () => {
    const h = new RuleHarness(inactivityRule, { now: at(day, '06:00') });
    expect(h.send(event('motion', at(day, '08:00')))).toEqual([]);
    expect(h.state('el-1')).toBeUndefined();
    expect(h.advanceBy(48 * HOUR_MS)).toEqual([]);
  });

  it('when only vitals keep coming, it is still inactivity', () => {
    const h = alone();
    h.send(event('presence', at(day, '08:00')));
    for (let t = at(day, '08:10'); t < at(day, '12:00'); t += 10 * MINUTE_MS) h.send(vitals(t, { hr: 70 }));
    expect(h.advanceTo(at(day, '12:00')).map((a) => a.kind)).toEqual(['raise']);
  });

  it('every activity type restarts the clock', () => {
    for (const type of [
      'presence',
      'motion',
      'door_open',
      'door_closed',
      'checkin',
      'sos',
      'service_request',
    ] as const) {
      const h = alone();
      h.send(event('absence', at(day, '08:00')));
      h.send(event(type, at(day, '11:00')));
      expect(h.advanceTo(at(day, '14:59')), type).toEqual([]);
      expect(h.advanceTo(at(day, '15:00')), type).toHaveLength(1);
    }
  });

  it('the clock pauses at night: a silence from 20:00 counts one hour that day and goes on at 07:00', () => {
    const h = alone();
    h.send(event('motion', at(day, '20:00')));
    expect(h.advanceTo(at(next, '09:59'))).toEqual([]);
    expect(h.advanceTo(at(next, '10:00'))).toHaveLength(1);
    expect(h.log[0]?.now).toBe(at(next, '10:00'));
  });

  it('activity at night restarts the clock from the next morning', () => {
    const h = alone();
    h.send(event('motion', at(day, '18:00')));
    h.send(event('door_open', at(day, '23:30')));
    expect(h.advanceTo(at(next, '10:59'))).toEqual([]);
    expect(h.advanceTo(at(next, '11:00'))).toHaveLength(1);
  });

  it('the first input ever seen starts the clock: nothing is raised from nothing', () => {
    const h = alone();
    h.send(vitals(at(day, '09:00'), { hr: 70 }));
    expect(h.advanceTo(at(day, '12:59'))).toEqual([]);
    expect(h.advanceTo(at(day, '13:00'))).toHaveLength(1);
  });

  it('when activity comes after the alert, it clears and the clock starts again', () => {
    const h = alone();
    h.send(event('motion', at(day, '08:00')));
    h.advanceTo(at(day, '13:00'));
    expect(h.send(event('motion', at(day, '13:30')))).toEqual([
      { kind: 'clear', dedupeKey: 'el-1:inactivity', note: 'activity seen (motion)' },
    ]);
    expect(h.advanceTo(at(day, '17:30')).map((a) => a.kind)).toEqual(['raise']);
  });

  it('when an activity observed before the silence ran out arrives after, before the tick, nothing is raised', () => {
    const h = alone();
    h.send(event('motion', at(day, '08:00')));
    expect(h.sendBeforeDue(event('motion', at(day, '11:59')), at(day, '12:05'))).toEqual([]);
    expect(h.advanceTo(at(day, '15:58'))).toEqual([]);
    const g = alone();
    g.send(event('motion', at(day, '08:00')));
    expect(g.sendBeforeDue(event('motion', at(day, '12:00')), at(day, '12:00')).map((a) => a.kind)).toEqual([
      'raise',
      'clear',
    ]);
  });

  it('when an old activity is delivered late, it does not move the clock back', () => {
    const h = alone();
    h.send(event('motion', at(day, '10:00')));
    h.send(event('motion', at(day, '08:00')), at(day, '10:30'));
    expect(h.advanceTo(at(day, '13:59'))).toEqual([]);
    expect(h.advanceTo(at(day, '14:00'))).toHaveLength(1);
  });

  it('when the cloud restarts during a silence, the restored state still raises on time', () => {
    const h = alone();
    h.send(event('motion', at(day, '08:00')));
    h.advanceTo(at(day, '10:00'));
    const restarted = RuleHarness.restore(inactivityRule, h.snapshot(), { config: { livesAlone: true } });
    expect(restarted.advanceTo(at(day, '18:00'))).toHaveLength(1);
    expect(restarted.log[0]?.now).toBe(at(day, '12:00'));
  });

  it('per-elder settings apply: a shorter window and another time zone', () => {
    const h = new RuleHarness(inactivityRule, {
      now: at(day, '00:00', 0),
      elders: { 'el-1': { livesAlone: true, inactiveHours: 2, timeZoneOffsetMinutes: 0 } },
    });
    h.send(event('motion', at(day, '20:00', 0)));
    expect(h.advanceTo(at(next, '07:59', 0))).toEqual([]);
    expect(h.advanceTo(at(next, '08:00', 0))).toHaveLength(1);
  });

  it('when the elder stops living alone while an alert is open, it clears and the watch is dropped', () => {
    const h = alone();
    h.send(event('motion', at(day, '08:00')));
    h.advanceTo(at(day, '13:00'));
    // The profile changed: the resolver now gives livesAlone false.
    const later = RuleHarness.restore(inactivityRule, h.snapshot());
    expect(later.send(event('motion', at(day, '14:00')))).toEqual([
      {
        kind: 'clear',
        dedupeKey: 'el-1:inactivity',
        note: 'the elder no longer lives alone; inactivity is not watched',
      },
    ]);
    expect(later.state('el-1')).toBeUndefined();
  });
});
