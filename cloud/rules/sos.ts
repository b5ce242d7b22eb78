import { ELDER_FACT_DEFAULTS, type ElderFacts, elderKey } from './elder.ts';
import type { Evaluation, Rule, RuleAction, RuleInput, Subject } from './rule.ts';

export interface SosConfig extends ElderFacts {
  /** A cancel observed within this many seconds of the SOS resolves it as a false alarm. */
  cancelWindowS: number;
}

export interface SosState {
  subject: Subject;
  /** The newest SOS event id, so a gateway's resend does not count as another press. */
  lastSosEventId: string | null;
  /** When the first press of the SOS that a cancel may still settle was observed; null when none is. */
  openSince: number | null;
  /** The newest cancel observed, kept so a cancel delivered before its SOS still settles it. */
  lastCancelAt: number | null;
}

type EventInput = Extract<RuleInput, { kind: 'event' }>;

const dedupeKeyOf = (subject: Subject): string => `${elderKey(subject)}:sos`;

/**
 * One-key call for help: a critical alert at once, one per elder while it is being handled. The elder's
 * own cancel soon after is a false alarm; a late cancel only tells the operator, who decides. The
 * cancel window runs from the FIRST press of an open SOS: pressing again means the elder still wants
 * help, so it must not extend the time in which the alert can resolve itself.
 */
export const sosRule: Rule<SosState, SosConfig> = {
  id: 'sos',
  defaults: { ...ELDER_FACT_DEFAULTS, cancelWindowS: 120 },
  key(input) {
    if (input.kind !== 'event' || (input.type !== 'sos' && input.type !== 'sos_cancel')) return null;
    return elderKey(input.subject);
  },
  evaluate(input, state, _now, config) {
    if (input.kind !== 'event') return { actions: [], nextState: state };
    const prior = state ?? {
      subject: input.subject,
      lastSosEventId: null,
      openSince: null,
      lastCancelAt: null,
    };
    return input.type === 'sos' ? press(input, prior, config) : cancel(input.at, prior, config);
  },
};

function press(input: EventInput, state: SosState, config: SosConfig): Evaluation<SosState> {
  if (input.eventId === state.lastSosEventId) return { actions: [], nextState: state };
  const next: SosState = {
    ...state,
    subject: input.subject,
    lastSosEventId: input.eventId,
    openSince: state.openSince === null ? input.at : Math.min(state.openSince, input.at),
  };
  const raise: RuleAction = {
    kind: 'raise',
    alert: {
      type: 'sos',
      severity: 'critical',
      dedupeKey: dedupeKeyOf(input.subject),
      subject: input.subject,
      eventId: input.eventId,
      occurredAt: input.at,
    },
  };
  // Out of order: a cancel pressed after this SOS reached us first; it settles this SOS now.
  if (state.openSince === null && state.lastCancelAt !== null && state.lastCancelAt >= input.at) {
    const settled = cancel(state.lastCancelAt, next, config);
    return { actions: [raise, ...settled.actions], nextState: settled.nextState };
  }
  return { actions: [raise], nextState: next };
}

function cancel(at: number, state: SosState, config: SosConfig): Evaluation<SosState> {
  const next: SosState = { ...state, lastCancelAt: Math.max(state.lastCancelAt ?? at, at) };
  // Nothing to cancel, or a cancel pressed before the SOS it would settle.
  if (state.openSince === null || at < state.openSince) return { actions: [], nextState: next };
  const dedupeKey = dedupeKeyOf(state.subject);
  const afterS = Math.round((at - state.openSince) / 1000);
  const action: RuleAction =
    at - state.openSince < config.cancelWindowS * 1000
      ? { kind: 'resolve', dedupeKey, outcome: 'false_alarm', note: 'cancelled by the elder at the button' }
      : {
          kind: 'clear',
          dedupeKey,
          note: `the elder pressed cancel ${afterS} s after the SOS, later than the ${config.cancelWindowS} s window; the operator decides`,
        };
  return { actions: [action], nextState: { ...next, openSince: null } };
}
