/** Pure helpers for local time with a fixed offset (no DST: the homes are in China). Times are epoch ms. */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/**
 * The end of a window that began at `start`. Every rule's windows are half-open, [start, end): at
 * exactly `end` the window is over and the alert side wins. The rule fires at `end`, and a recovery
 * observed at `end` (a fall cleared at exactly `graceS`) is too late: it clears the alert, after
 * raising it if the tick has not run yet. So the outcome never depends on which the engine runs first.
 */
export function windowEnd(start: number, windowMs: number): number {
  return start + windowMs;
}

/** Minutes after local midnight of `HH:MM` (00:00 to 24:00); throws naming the setting, for a bad config. */
export function parseTimeOfDay(text: string, setting: string): number {
  const match = /^(\d\d):(\d\d)$/.exec(text);
  const minutes = match ? Number(match[1]) * 60 + Number(match[2]) : Number.NaN;
  if (!match || Number(match[2]) > 59 || !(minutes <= 1440)) {
    throw new Error(`${setting} must be HH:MM between 00:00 and 24:00, got ${JSON.stringify(text)}`);
  }
  return minutes;
}

/** Epoch ms of the local midnight that starts the local day containing `ms`. */
export function localMidnight(ms: number, offsetMinutes: number): number {
  const offset = offsetMinutes * MINUTE_MS;
  return Math.floor((ms + offset) / DAY_MS) * DAY_MS - offset;
}

/** Local date `yyyy-mm-dd` of `ms`. */
export function localDate(ms: number, offsetMinutes: number): string {
  return new Date(ms + offsetMinutes * MINUTE_MS).toISOString().slice(0, 10);
}

/** Epoch ms of a local date and time of day, e.g. `localInstant('2026-11-23', '07:00', 480)`. */
export function localInstant(date: string, time: string, offsetMinutes: number): number {
  return Date.parse(`${date}T00:00:00.000Z`) + (parseTimeOfDay(time, 'time') - offsetMinutes) * MINUTE_MS;
}

/** The first instant strictly after `after` whose local time of day is `minuteOfDay`. */
export function nextLocalTime(after: number, minuteOfDay: number, offsetMinutes: number): number {
  const sameDay = localMidnight(after, offsetMinutes) + minuteOfDay * MINUTE_MS;
  return sameDay > after ? sameDay : sameDay + DAY_MS;
}

/** Length of a daily window from `start` to `end` minutes; it wraps past midnight when `end < start`. */
function windowLength(start: number, end: number): number {
  return (end >= start ? end - start : end + 1440 - start) * MINUTE_MS;
}

/** Whether `ms` falls in the daily window [start, end) of local time (22:00 to 06:00 wraps). */
export function inDailyWindow(ms: number, start: number, end: number, offsetMinutes: number): boolean {
  const minute = (ms - localMidnight(ms, offsetMinutes)) / MINUTE_MS;
  return start <= end ? minute >= start && minute < end : minute >= start || minute < end;
}

/** Milliseconds of [from, to) that fall inside the daily window [start, end). */
export function windowMsBetween(
  from: number,
  to: number,
  start: number,
  end: number,
  offsetMinutes: number,
): number {
  const length = windowLength(start, end);
  let total = 0;
  // A window that wraps past midnight may have opened the local day before `from`.
  for (let day = localMidnight(from, offsetMinutes) - DAY_MS; day < to; day += DAY_MS) {
    const open = day + start * MINUTE_MS;
    total += Math.max(0, Math.min(open + length, to) - Math.max(open, from));
  }
  return total;
}

/**
 * The instant at which `amount` ms of window time have passed since `from`, the clock running only
 * inside the daily window [start, end); null when the window is empty and the clock never runs.
 */
export function addWindowMs(
  from: number,
  amount: number,
  start: number,
  end: number,
  offsetMinutes: number,
): number | null {
  const length = windowLength(start, end);
  if (length === 0) return null;
  if (amount <= 0) return from;
  let left = amount;
  for (let day = localMidnight(from, offsetMinutes) - DAY_MS; ; day += DAY_MS) {
    const open = Math.max(day + start * MINUTE_MS, from);
    const close = day + start * MINUTE_MS + length;
    if (close <= open) continue;
    if (close - open >= left) return open + left;
    left -= close - open;
  }
}
