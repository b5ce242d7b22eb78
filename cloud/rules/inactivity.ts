import type { EventType } from '../../protocol/index.ts';
import { ELDER_FACT_DEFAULTS, type ElderFacts } from './elder.ts';
import type { Evaluation, Rule, RuleAction, Subject } from './rule.ts';
import { addWindowMs, HOUR_MS, parseTimeOfDay } from './time.ts';

export interface InactivityConfig extends ElderFacts {
  /** Hours of daytime without any sign of activity before a welfare check. */
  inactiveHours: number;
  /** Local `HH:MM` the daytime clock starts and stops; silence at night is sleep, not a worry. */
  dayStart: string;
  dayEnd: string;
}

export interface InactivityState {
  subject: Subject;
  /** The newest sign of activity, or the first input ever seen when there was none yet. */
  lastActivityAt: number;
  raised: boolean;
}

/** What shows the elder is up and about. Vitals do not: a worn sensor reports from someone lying still. */
export const ACTIVITY_TYPES: ReadonlySet<EventType> = new Set<EventType>([
  'presence',
  'motion',
  'door_open',
  'door_closed',
  'checkin',
  'sos',
  'service_request',
]);

/**
 * An elder who lives alone showing no activity for `inactiveHours` of daytime: a welfare check. The
 * clock runs only between `dayStart` and `dayEnd`, so a silence from 20:00 counts one hour that day
 * and goes on at 07:00. The first input ever seen for an elder starts the clock: nothing raises from
 * nothing. Elders who do not live alone are not watched (someone else would notice).
 */
export const inactivityRule: Rule<InactivityState, InactivityConfig> = {
  id: 'inactivity',
  defaults: { ...ELDER_FACT_DEFAULTS, inactiveHours: 4, dayStart: '07:00', dayEnd: '21:00' },
  key: (input) =>
    (input.kind === 'event' || input.kind === 'vitals') && input.subject.elderId
      ? input.subject.elderId
      : null,
  evaluate(input, state, now, config) {
    if (!config.livesAlone) return unwatched(state);
    const at = Math.min(input.at, now);
    if (!state) return settle({ subject: input.subject, lastActivityAt: at, raised: false }, now, config);
    const active = input.kind === 'event' && ACTIVITY_TYPES.has(input.type) && at > state.lastActivityAt;
    if (!active) return settle(state, now, config);
    // Judged by the activity's own time: if the silence had already run out, the welfare check is
    // raised (when the tick has not run yet) and cleared; an activity before that means no alert.
    const judged = settle(state, at, config);
    const note = `activity seen (${input.type})`;
    const clear: RuleAction[] = judged.nextState.raised
      ? [{ kind: 'clear', dedupeKey: dedupeKeyOf(state.subject.elderId), note }]
      : [];
    const settled = settle({ subject: input.subject, lastActivityAt: at, raised: false }, now, config);
    return { ...settled, actions: [...judged.actions, ...clear, ...settled.actions] };
  },
  tick: (state, now, config) => (config.livesAlone ? settle(state, now, config) : unwatched(state)),
};

const dedupeKeyOf = (elderId: string): string => `${elderId}:inactivity`;

/** The elder no longer lives alone: forget the watch, and clear a welfare check it raised. */
function unwatched(state: InactivityState | undefined): Evaluation<InactivityState> {
  const note = 'the elder no longer lives alone; inactivity is not watched';
  const actions: RuleAction[] = state?.raised
    ? [{ kind: 'clear', dedupeKey: dedupeKeyOf(state.subject.elderId), note }]
    : [];
  return { actions, nextState: undefined };
}

function settle(
  state: InactivityState,
  now: number,
  config: InactivityConfig,
): Evaluation<InactivityState> & { nextState: InactivityState } {
  if (state.raised) return { actions: [], nextState: state };
  const start = parseTimeOfDay(config.dayStart, 'dayStart');
  const end = parseTimeOfDay(config.dayEnd, 'dayEnd');
  const dueAt = addWindowMs(
    state.lastActivityAt,
    config.inactiveHours * HOUR_MS,
    start,
    end,
    config.timeZoneOffsetMinutes,
  );
  if (dueAt === null) return { actions: [], nextState: state };
  if (now < dueAt) return { actions: [], nextState: state, wakeAt: dueAt };
  const { subject, lastActivityAt } = state;
  const action: RuleAction = {
    kind: 'raise',
    alert: {
      type: 'inactivity',
      severity: 'high',
      dedupeKey: dedupeKeyOf(subject.elderId),
      subject,
      eventId: `rule:inactivity:${subject.elderId}:${lastActivityAt}`,
      occurredAt: lastActivityAt,
      details: { lastActivityAt: new Date(lastActivityAt).toISOString(), hours: config.inactiveHours },
    },
  };
  return { actions: [action], nextState: { ...state, raised: true } };
}
