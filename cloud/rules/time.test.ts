import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addWindowMs,
  DAY_MS,
  HOUR_MS,
  inDailyWindow,
  localDate,
  localInstant,
  localMidnight,
  nextLocalTime,
  parseTimeOfDay,
  windowEnd,
  windowMsBetween,
} from './time.ts';

const CN = 480;
const day = (time: string, date = '2026-11-23') => localInstant(date, time, CN);

describe('local time helpers', () => {
  it('local date and midnight follow the offset, not UTC', () => {
    const t = Date.parse('2026-11-22T17:30:00.000Z'); // 01:30 on the 23rd in China
    expect(localDate(t, CN)).toBe('2026-11-23');
    expect(localDate(t, 0)).toBe('2026-11-22');
    expect(localMidnight(t, CN)).toBe(Date.parse('2026-11-22T16:00:00.000Z'));
    expect(localDate(Date.parse('2026-11-23T03:00:00.000Z'), -300)).toBe('2026-11-22');
  });

  it('parses HH:MM and names the setting when it is bad', () => {
    expect(parseTimeOfDay('07:30', 'dayStart')).toBe(450);
    expect(parseTimeOfDay('24:00', 'dayEnd')).toBe(1440);
    for (const bad of ['7:00', '24:01', '12:60', 'noon', '']) {
      expect(() => parseTimeOfDay(bad, 'dayStart')).toThrow(/dayStart must be HH:MM/);
    }
  });

  it('the next local time is strictly after the instant', () => {
    expect(nextLocalTime(day('09:00'), 600, CN)).toBe(day('10:00'));
    expect(nextLocalTime(day('10:00'), 600, CN)).toBe(day('10:00') + DAY_MS);
  });

  it('a daily window includes its start, excludes its end, and may wrap past midnight', () => {
    expect([inDailyWindow(day('07:00'), 420, 1260, CN), inDailyWindow(day('21:00'), 420, 1260, CN)]).toEqual([
      true,
      false,
    ]);
    expect(
      [day('22:00'), day('03:00'), day('06:00'), day('12:00')].map((t) => inDailyWindow(t, 1320, 360, CN)),
    ).toEqual([true, true, false, false]);
  });

  it('window time counts only the window: 20:00 to 10:00 next day is 1 h + 3 h of 07:00–21:00', () => {
    expect(windowMsBetween(day('20:00'), day('10:00', '2026-11-24'), 420, 1260, CN)).toBe(4 * HOUR_MS);
    expect(addWindowMs(day('20:00'), 4 * HOUR_MS, 420, 1260, CN)).toBe(day('10:00', '2026-11-24'));
    expect(addWindowMs(day('20:00'), HOUR_MS, 1320, 360, CN)).toBe(day('23:00'));
    expect(addWindowMs(day('20:00'), HOUR_MS, 420, 420, CN)).toBeNull();
  });

  it('a window is half-open: it ends, and its alert is due, at start + length', () => {
    expect(windowEnd(1000, 0)).toBe(1000);
    expect(windowEnd(1000, 30_000)).toBe(31_000);
  });

  it('for any start, amount and window, the window time up to addWindowMs is the amount', () => {
    const minute = fc.integer({ min: 0, max: 1440 });
    fc.assert(
      fc.property(
        fc.integer({ min: day('00:00'), max: day('00:00') + 30 * DAY_MS }),
        fc.integer({ min: 0, max: 40 * HOUR_MS }),
        minute,
        minute,
        fc.integer({ min: -720, max: 840 }),
        (from, amount, start, end, offset) => {
          // 24:00 is 00:00: a window from one to the other is empty (null), like any start === end.
          fc.pre(start % 1440 !== end % 1440);
          const until = addWindowMs(from, amount, start, end, offset);
          expect(until).not.toBeNull();
          expect(windowMsBetween(from, until ?? from, start, end, offset)).toBe(amount);
        },
      ),
    );
  });
});
