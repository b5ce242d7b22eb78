import { ELDER_FACT_DEFAULTS, type ElderFacts, elderKey } from './elder.ts';
import type { Evaluation, Rule, RuleAction, RuleInput, Subject } from './rule.ts';
import { windowEnd } from './time.ts';

export interface FallConfig extends ElderFacts {
  /** Seconds the elder has, from the fall's own time, to get up (`fall_cleared`) or cancel (FALL_GRACE_S). */
  graceS: number;
}

export interface FallState {
  subject: Subject;
  /** The fall in its grace window (`raised` false) or reported; null when there is none. */
  fall: { eventId: string; at: number; dueAt: number; raised: boolean } | null;
  /** The newest fall event id, so a gateway's resend does not start another grace. */
  lastFallEventId: string | null;
  /** The newest recovery observed, kept so a recovery delivered before its fall still cancels it. */
  lastRecoveryAt: number | null;
}

type EventInput = Extract<RuleInput, { kind: 'event' }>;

const dedupeKeyOf = (subject: Subject): string => `${elderKey(subject)}:fall`;

/**
 * A fall waits out a grace window, measured from the fall's own time, in which only the elder's
 * `fall_cleared` or `sos_cancel` cancels it: presence, absence or motion are not a recovery (a radar
 * still sees someone lying on the floor). The grace is half-open: the alert fires at exactly `graceS`,
 * and a recovery observed at `graceS` or later only clears it (raising it first if the tick has not
 * run yet). A fall that arrives as old as its grace (late delivery) is reported at once.
 */
export const fallRule: Rule<FallState, FallConfig> = {
  id: 'fall',
  defaults: { ...ELDER_FACT_DEFAULTS, graceS: 30 },
  key(input) {
    if (input.kind !== 'event') return null;
    const watched = input.type === 'fall' || input.type === 'fall_cleared' || input.type === 'sos_cancel';
    return watched ? elderKey(input.subject) : null;
  },
  evaluate(input, state, now, config) {
    if (input.kind !== 'event') return settle(state, now);
    const prior = state ?? {
      subject: input.subject,
      fall: null,
      lastFallEventId: null,
      lastRecoveryAt: null,
    };
    return input.type === 'fall'
      ? onFall(input, prior, now, config)
      : onRecovery(input.at, prior, now, config);
  },
  tick: (state, now) => settle(state, now),
};

function onFall(input: EventInput, state: FallState, now: number, config: FallConfig): Evaluation<FallState> {
  if (input.eventId === state.lastFallEventId) return settle(state, now);
  const next: FallState = { ...state, lastFallEventId: input.eventId };
  const fall = state.fall;
  // Another fall while the elder is reported down: the open alert counts it; it began at the first.
  if (fall?.raised) {
    const again = draft(state.subject, input.eventId, fall.at);
    return { actions: [again], nextState: next };
  }
  // A second fall inside the grace keeps the first's time and deadline.
  if (fall) return settle(next, now);
  const graceMs = config.graceS * 1000;
  const recovered = state.lastRecoveryAt;
  if (recovered !== null && recovered >= input.at && recovered - input.at < graceMs) {
    return { actions: [], nextState: next };
  }
  // A gateway clock running ahead must not postpone the alert: the grace starts no later than now.
  const dueAt = windowEnd(Math.min(input.at, now), graceMs);
  return settle(
    { ...next, subject: input.subject, fall: { eventId: input.eventId, at: input.at, dueAt, raised: false } },
    now,
  );
}

function onRecovery(at: number, state: FallState, now: number, config: FallConfig): Evaluation<FallState> {
  const next: FallState = { ...state, lastRecoveryAt: Math.max(state.lastRecoveryAt ?? at, at) };
  const fall = state.fall;
  // Nothing to recover from, or a recovery observed before the fall (out of order): it cancels nothing.
  if (fall === null || at < fall.at) return settle(next, now);
  if (!fall.raised && at - fall.at < config.graceS * 1000)
    return { actions: [], nextState: { ...next, fall: null } };
  // The elder was down longer than the grace: the alert stands (raised now if the tick has not run yet).
  const raise = fall.raised ? [] : [draft(state.subject, fall.eventId, fall.at)];
  const note = 'the elder got up or cancelled after the grace; the operator decides';
  const clear: RuleAction = { kind: 'clear', dedupeKey: dedupeKeyOf(state.subject), note };
  return { actions: [...raise, clear], nextState: { ...next, fall: null } };
}

/** Raises a fall whose grace is over; otherwise asks to be woken when it will be. */
function settle(state: FallState | undefined, now: number): Evaluation<FallState> {
  const fall = state?.fall;
  if (!state || !fall || fall.raised) return { actions: [], nextState: state };
  if (now < fall.dueAt) return { actions: [], nextState: state, wakeAt: fall.dueAt };
  return {
    actions: [draft(state.subject, fall.eventId, fall.at)],
    nextState: { ...state, fall: { ...fall, raised: true } },
  };
}

function draft(subject: Subject, eventId: string, at: number): RuleAction {
  return {
    kind: 'raise',
    alert: {
      type: 'fall',
      severity: 'critical',
      dedupeKey: dedupeKeyOf(subject),
      subject,
      eventId,
      occurredAt: at,
    },
  };
}
