import type { AlertDraft, Evaluation, RuleAction, Subject } from './rule.ts';
import { windowEnd } from './time.ts';

/** A condition that raises once it has held for more than a window: a device offline, a wearable off. */
export interface HeldState {
  subject: Subject;
  /** When the condition began (its own time, never after the cloud's clock); null while it does not hold. */
  since: number | null;
  /** The event that began it, when there is one, for the alert. */
  sinceEventId: string | null;
  raised: boolean;
  /** The newest observation applied; an older one delivered late cannot undo it. */
  lastAt: number;
}

export interface HeldSpec {
  windowMs: number;
  dedupeKey: string;
  draft(state: HeldState & { since: number }): AlertDraft;
  /** Why the alert cleared, shown to the operator. */
  clearNote: string;
}

export interface Observation {
  subject: Subject;
  holds: boolean;
  at: number;
  eventId: string | null;
}

/**
 * Applies one observation of the condition. The first observation ever that it does not hold is a
 * transition from unknown: it clears nothing (Home Assistant's rule for states at boot).
 */
export function observe(
  state: HeldState | undefined,
  seen: Observation,
  now: number,
  spec: HeldSpec,
): Evaluation<HeldState> {
  if (state && seen.at < state.lastAt) return settle(state, now, spec);
  const base = state ?? {
    subject: seen.subject,
    since: null,
    sinceEventId: null,
    raised: false,
    lastAt: seen.at,
  };
  if (seen.holds) {
    const started = base.since !== null;
    const since = started ? base.since : Math.min(seen.at, now);
    const sinceEventId = started ? base.sinceEventId : seen.eventId;
    return settle({ ...base, subject: seen.subject, since, sinceEventId, lastAt: seen.at }, now, spec);
  }
  // Judged by the observation's own time: a recovery seen at or after the window's end is too late, so
  // the alert is raised (if the tick has not run yet) and then cleared.
  const judged = settle(base, Math.min(seen.at, now), spec);
  const clear: RuleAction[] = judged.nextState.raised
    ? [{ kind: 'clear', dedupeKey: spec.dedupeKey, note: spec.clearNote }]
    : [];
  const actions = [...judged.actions, ...clear];
  const nextState = {
    ...base,
    subject: seen.subject,
    since: null,
    sinceEventId: null,
    raised: false,
    lastAt: seen.at,
  };
  return { actions, nextState };
}

/** Raises a condition that has held long enough; otherwise asks to be woken when it will have. */
export function settle(
  state: HeldState,
  now: number,
  spec: HeldSpec,
): Evaluation<HeldState> & { nextState: HeldState } {
  const since = state.since;
  if (since === null || state.raised) return { actions: [], nextState: state };
  const dueAt = windowEnd(since, spec.windowMs);
  if (now < dueAt) return { actions: [], nextState: state, wakeAt: dueAt };
  return {
    actions: [{ kind: 'raise', alert: spec.draft({ ...state, since }) }],
    nextState: { ...state, raised: true },
  };
}
