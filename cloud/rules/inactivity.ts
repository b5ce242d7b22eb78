import type { EventType } from '../../protocol/index.ts';
import { ELDER_FACT_DEFAULTS, type ElderFacts } from './elder.ts';
import type { Evaluation, Rule, RuleAction, Subject } from './rule.ts';
import { addWindowMs, HOUR_MS, parseTimeOfDay } from './time.ts';

export interface InactivityConfig extends ElderFacts {
  /** Hours of daytime without any sign of activity before a welfare check. */
  inactiveHours: number;
  /**
   * Hours of daytime an elder who went out (a door, then no sign of life inside) may stay away before a
   * "not back" check; 0 treats a door like any other activity (no going-out judgement at all).
   */
  awayHours: number;
  /** Local `HH:MM` the daytime clock starts and stops; silence at night is sleep, not a worry. */
  dayStart: string;
  dayEnd: string;
}

export interface InactivityState {
  subject: Subject;
  /** The newest sign of activity, or the first input ever seen when there was none yet. */
  lastActivityAt: number;
  raised: boolean;
  /** This home has reported motion or presence: only then can a door followed by silence mean "out". */
  seesMotion?: boolean;
  /** The door event that began the present spell out (no motion inside since); absent while home. */
  leftAt?: number;
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
const DOOR_TYPES: ReadonlySet<EventType> = new Set<EventType>(['door_open', 'door_closed']);
const INSIDE_SENSORS: ReadonlySet<EventType> = new Set<EventType>(['motion', 'presence']);

/**
 * An elder who lives alone showing no activity for `inactiveHours` of daytime: a welfare check (high).
 * The clock runs only between `dayStart` and `dayEnd`, so a silence from 20:00 counts one hour that day
 * and goes on at 07:00. The first input ever seen for an elder starts the clock: nothing raises from
 * nothing. Elders who do not live alone are not watched (someone else would notice).
 *
 * Going out: in a home whose motion or presence sensor has ever reported, a door event with no sign of
 * life inside after it means the elder probably went out. A worker with forty lone elders does not want
 * a welfare check for everyone at the market, so the normal span does not apply then; instead, a
 * "not back" check (medium) after `awayHours` of daytime from the first door of that spell. A door alone
 * does not end the spell (someone came back and fell in the hall looks the same); the elder is back once
 * motion, presence, a check-in, an SOS or a service request is seen, and the normal clock starts again.
 */
export const inactivityRule: Rule<InactivityState, InactivityConfig> = {
  id: 'inactivity',
  defaults: {
    ...ELDER_FACT_DEFAULTS,
    inactiveHours: 4,
    awayHours: 8,
    dayStart: '07:00',
    dayEnd: '21:00',
  },
  key: (input) =>
    (input.kind === 'event' || input.kind === 'vitals') && input.subject.elderId
      ? input.subject.elderId
      : null,
  evaluate(input, state, now, config) {
    if (!config.livesAlone) return unwatched(state);
    const at = Math.min(input.at, now);
    if (!state) {
      const first: InactivityState = { subject: input.subject, lastActivityAt: at, raised: false };
      return settle(input.kind === 'event' ? observe(first, input.type, at, config) : first, now, config);
    }
    const active = input.kind === 'event' && ACTIVITY_TYPES.has(input.type) && at > state.lastActivityAt;
    if (!active) return settle(state, now, config);
    // Judged by the activity's own time: if the silence had already run out, the check is raised (when
    // the tick has not run yet) and, unless this is only a door of a spell out, cleared; an activity
    // before that means no alert.
    const judged = settle(state, at, config);
    const next = observe({ ...state, subject: input.subject }, input.type, at, config);
    const stillOut = next.leftAt !== undefined && state.leftAt !== undefined;
    const note = `activity seen (${input.type})`;
    const clear: RuleAction[] =
      judged.nextState.raised && !stillOut
        ? [{ kind: 'clear', dedupeKey: dedupeKeyOf(state.subject.elderId), note }]
        : [];
    const settled = settle({ ...next, raised: stillOut && judged.nextState.raised }, now, config);
    return { ...settled, actions: [...judged.actions, ...clear, ...settled.actions] };
  },
  tick: (state, now, config) => (config.livesAlone ? settle(state, now, config) : unwatched(state)),
};

const dedupeKeyOf = (elderId: string): string => `${elderId}:inactivity`;

/** The state after an activity of `type` at `at`: home (and active then), or out since the first door. */
function observe(
  state: InactivityState,
  type: EventType,
  at: number,
  config: InactivityConfig,
): InactivityState {
  const seesMotion = state.seesMotion === true || INSIDE_SENSORS.has(type);
  const { leftAt: _left, ...home } = state;
  const base: InactivityState = {
    ...home,
    lastActivityAt: at,
    raised: false,
    ...(seesMotion ? { seesMotion } : {}),
  };
  if (!DOOR_TYPES.has(type) || !seesMotion || config.awayHours <= 0) return base;
  return { ...base, leftAt: state.leftAt ?? at };
}

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
  const out = state.leftAt !== undefined && config.awayHours > 0;
  const since = out ? (state.leftAt as number) : state.lastActivityAt;
  const hours = out ? config.awayHours : config.inactiveHours;
  const start = parseTimeOfDay(config.dayStart, 'dayStart');
  const end = parseTimeOfDay(config.dayEnd, 'dayEnd');
  const dueAt = addWindowMs(since, hours * HOUR_MS, start, end, config.timeZoneOffsetMinutes);
  if (dueAt === null) return { actions: [], nextState: state };
  if (now < dueAt) return { actions: [], nextState: state, wakeAt: dueAt };
  const { subject } = state;
  const details: Record<string, unknown> = out
    ? { away: true, leftAt: new Date(since).toISOString(), hours }
    : { lastActivityAt: new Date(since).toISOString(), hours };
  const action: RuleAction = {
    kind: 'raise',
    alert: {
      type: 'inactivity',
      severity: out ? 'medium' : 'high',
      dedupeKey: dedupeKeyOf(subject.elderId),
      subject,
      eventId: `rule:inactivity:${subject.elderId}:${out ? `away:${since}` : since}`,
      occurredAt: since,
      details,
    },
  };
  return { actions: [action], nextState: { ...state, raised: true } };
}
