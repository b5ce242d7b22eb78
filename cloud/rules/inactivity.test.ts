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
    h.send(event('presence', at(day, '23:30')));
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

  describe('going out: a door, then no sign of life inside', () => {
    const homeWithSensors = () => {
      const h = alone();
      h.send(event('motion', at(day, '07:30')));
      return h;
    };

    it('an elder who went out at 09:00 and came back at 15:00 gets no welfare check all day', () => {
      const h = homeWithSensors();
      h.send(event('door_open', at(day, '09:00')));
      h.send(event('door_closed', at(day, '09:01')));
      expect(h.state('el-1')).toMatchObject({ leftAt: at(day, '09:00') });
      // The normal span (4 h) passes at 13:00 while she is out: nothing.
      expect(h.advanceTo(at(day, '14:59'))).toEqual([]);
      // Back: the door, then motion inside.
      expect(h.send(event('door_open', at(day, '15:00')))).toEqual([]);
      h.send(event('door_closed', at(day, '15:01')));
      expect(h.send(event('motion', at(day, '15:03')))).toEqual([]);
      expect(h.state('el-1')).not.toHaveProperty('leftAt');
      // Home again, the normal clock runs from her last movement inside.
      expect(h.advanceTo(at(day, '19:02'))).toEqual([]);
      expect(h.advanceTo(at(day, '19:03'))).toEqual([
        {
          kind: 'raise',
          alert: expect.objectContaining({ severity: 'high', occurredAt: at(day, '15:03') }),
        },
      ]);
    });

    it('an elder not back after 8 daytime hours gets a medium "not back" check, and motion inside clears it', () => {
      const h = homeWithSensors();
      h.send(event('door_open', at(day, '09:00')));
      expect(h.advanceTo(at(day, '16:59'))).toEqual([]);
      expect(h.advanceTo(at(day, '17:00'))).toEqual([
        {
          kind: 'raise',
          alert: expect.objectContaining({
            type: 'inactivity',
            severity: 'medium',
            dedupeKey: 'el-1:inactivity',
            eventId: `rule:inactivity:el-1:away:${at(day, '09:00')}`,
            occurredAt: at(day, '09:00'),
            details: { away: true, leftAt: new Date(at(day, '09:00')).toISOString(), hours: 8 },
          }),
        },
      ]);
      // The door alone does not say she is back (someone could have come in and fallen in the hall).
      expect(h.send(event('door_open', at(day, '18:00')))).toEqual([]);
      expect(h.send(event('motion', at(day, '18:02')))).toEqual([
        { kind: 'clear', dedupeKey: 'el-1:inactivity', note: 'activity seen (motion)' },
      ]);
    });

    it('a second door while out does not stretch the time away: it counts from the first', () => {
      const h = homeWithSensors();
      h.send(event('door_open', at(day, '09:00')));
      h.send(event('door_open', at(day, '14:00')));
      expect(h.advanceTo(at(day, '17:00'))).toHaveLength(1);
    });

    it('motion right after the door means she stayed in (a visitor at the door): the normal span applies', () => {
      const h = homeWithSensors();
      h.send(event('door_open', at(day, '09:00')));
      h.send(event('motion', at(day, '09:02')));
      expect(h.advanceTo(at(day, '13:02'))).toEqual([
        { kind: 'raise', alert: expect.objectContaining({ severity: 'high' }) },
      ]);
    });

    it('time away pauses at night: out from 19:00, the "not back" check comes at 13:00 the next day', () => {
      const h = homeWithSensors();
      h.send(event('door_closed', at(day, '19:00')));
      expect(h.advanceTo(at(next, '12:59'))).toEqual([]);
      expect(h.advanceTo(at(next, '13:00'))).toHaveLength(1);
    });

    it('in a home whose motion sensor never reported, a door is ordinary activity', () => {
      const h = alone();
      h.send(event('door_open', at(day, '09:00')));
      expect(h.state('el-1')).not.toHaveProperty('leftAt');
      expect(h.advanceTo(at(day, '13:00'))).toEqual([
        { kind: 'raise', alert: expect.objectContaining({ severity: 'high', occurredAt: at(day, '09:00') }) },
      ]);
    });

    it('with awayHours 0 a door is ordinary activity, as before', () => {
      const h = new RuleHarness(inactivityRule, {
        now: at(day, '06:00'),
        config: { livesAlone: true, awayHours: 0 },
      });
      h.send(event('motion', at(day, '07:30')));
      h.send(event('door_open', at(day, '09:00')));
      expect(h.advanceTo(at(day, '13:00'))).toEqual([
        { kind: 'raise', alert: expect.objectContaining({ severity: 'high' }) },
      ]);
    });

    it('a silence inside that ran out is cleared by the door, and the elder is then out', () => {
      const h = homeWithSensors();
      expect(h.advanceTo(at(day, '11:30')).map((a) => a.kind)).toEqual(['raise']);
      expect(h.send(event('door_open', at(day, '12:00')))).toEqual([
        { kind: 'clear', dedupeKey: 'el-1:inactivity', note: 'activity seen (door_open)' },
      ]);
      expect(h.state('el-1')).toMatchObject({ leftAt: at(day, '12:00'), raised: false });
    });

    it('a state stored before going out was judged (no seesMotion, no leftAt) still works after a restart', () => {
      const h = alone();
      h.send(event('checkin', at(day, '08:00')));
      const restarted = RuleHarness.restore(inactivityRule, h.snapshot(), { config: { livesAlone: true } });
      expect(restarted.advanceTo(at(day, '12:00'))).toHaveLength(1);
    });
  });
});
