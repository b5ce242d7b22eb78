import { ELDER_FACT_DEFAULTS, type ElderFacts } from './elder.ts';
import type { Evaluation, Rule, RuleAction, RuleInput, Subject } from './rule.ts';
import { DAY_MS, localDate, localMidnight, MINUTE_MS, nextLocalTime, parseTimeOfDay } from './time.ts';

export interface CheckinConfig extends ElderFacts {
  /** Local `HH:MM` by which the elder's daily "I am OK" is due; null: the elder has no daily check-in. */
  checkinBy: string | null;
}

export interface CheckinState {
  subject: Subject;
  /** The next deadline to judge: epoch ms of `checkinBy` on a local day. */
  nextDueAt: number;
  /** The newest local day (`yyyy-mm-dd`) with a check-in before its deadline. */
  onTimeDay: string | null;
  /** The newest check-in observed, so one seen late, before the deadline was judged, still clears. */
  lastCheckinAt: number | null;
  /** The local day of the open missed-check-in alert, so a late check-in that day clears it. */
  missedDay: string | null;
}

type Settled = Evaluation<CheckinState> & { nextState: CheckinState };

const dedupeKeyOf = (elderId: string): string => `${elderId}:missed_checkin`;
const LATE_NOTE = 'the elder checked in late';

/**
 * A missed daily check-in: no `checkin` event before `checkinBy` local time → medium `missed_checkin`,
 * at most one a day (its event id names the day); a later check-in that day clears it. A check-in at
 * exactly `checkinBy` is late, like every window's end. The watch starts with the first input seen for
 * the elder, and the first deadline judged is the next one after that: a day the cloud did not watch
 * from its start cannot be judged.
 */
export const checkinRule: Rule<CheckinState, CheckinConfig> = {
  id: 'checkin',
  defaults: { ...ELDER_FACT_DEFAULTS, checkinBy: null },
  key: (input) =>
    (input.kind === 'event' || input.kind === 'vitals') && input.subject.elderId
      ? input.subject.elderId
      : null,
  evaluate(input, state, now, config) {
    if (config.checkinBy === null) return { actions: [], nextState: undefined };
    const by = parseTimeOfDay(config.checkinBy, 'checkinBy');
    const tz = config.timeZoneOffsetMinutes;
    const base = state ?? {
      subject: input.subject,
      nextDueAt: nextLocalTime(now, by, tz),
      onTimeDay: null,
      lastCheckinAt: null,
      missedDay: null,
    };
    if (input.kind !== 'event' || input.type !== 'checkin') return settle(base, now, by, tz);
    return checkIn(input, base, now, by, tz);
  },
  tick(state, now, config) {
    if (config.checkinBy === null) return { actions: [], nextState: undefined };
    return settle(state, now, parseTimeOfDay(config.checkinBy, 'checkinBy'), config.timeZoneOffsetMinutes);
  },
};

function checkIn(input: RuleInput, state: CheckinState, now: number, by: number, tz: number): Settled {
  const at = Math.min(input.at, now);
  const day = localDate(at, tz);
  const onTime = at < localMidnight(at, tz) + by * MINUTE_MS;
  const newer = (a: string | null) => (a !== null && a > day ? a : day);
  const late = !onTime && state.missedDay === day;
  const next: CheckinState = {
    ...state,
    subject: input.subject,
    onTimeDay: onTime ? newer(state.onTimeDay) : state.onTimeDay,
    lastCheckinAt: Math.max(state.lastCheckinAt ?? at, at),
    missedDay: late ? null : state.missedDay,
  };
  const clear: RuleAction[] = late
    ? [{ kind: 'clear', dedupeKey: dedupeKeyOf(state.subject.elderId), note: LATE_NOTE }]
    : [];
  const settled = settle(next, now, by, tz);
  return { ...settled, actions: [...clear, ...settled.actions] };
}

/** Judges the latest deadline once it has come, then waits for the next one. */
function settle(state: CheckinState, now: number, by: number, tz: number): Settled {
  if (now < state.nextDueAt) return { actions: [], nextState: state, wakeAt: state.nextDueAt };
  // After a long outage only the latest deadline is judged: one alert, not one per day missed.
  const deadline = nextLocalTime(now, by, tz) - DAY_MS;
  const day = localDate(deadline, tz);
  const next: CheckinState = { ...state, nextDueAt: nextLocalTime(now, by, tz) };
  const wakeAt = next.nextDueAt;
  if (state.onTimeDay !== null && state.onTimeDay >= day) return { actions: [], nextState: next, wakeAt };
  const { subject } = state;
  const dedupeKey = dedupeKeyOf(subject.elderId);
  const raise: RuleAction = {
    kind: 'raise',
    alert: {
      type: 'missed_checkin',
      severity: 'medium',
      dedupeKey,
      subject,
      eventId: `rule:checkin:${subject.elderId}:${day}`,
      occurredAt: deadline,
      details: {
        day,
        checkinBy: `${String(Math.floor(by / 60)).padStart(2, '0')}:${String(by % 60).padStart(2, '0')}`,
      },
    },
  };
  // A check-in seen after the deadline but before this judgement: late, so raised and cleared at once.
  if (state.lastCheckinAt !== null && state.lastCheckinAt >= deadline) {
    return { actions: [raise, { kind: 'clear', dedupeKey, note: LATE_NOTE }], nextState: next, wakeAt };
  }
  return { actions: [raise], nextState: { ...next, missedDay: day }, wakeAt };
}
