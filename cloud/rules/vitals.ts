import type { Severity } from '../../protocol/index.ts';
import { ELDER_FACT_DEFAULTS, type ElderFacts, elderKey } from './elder.ts';
import type { Rule, RuleAction, RuleInput, Subject } from './rule.ts';
import {
  type Breach,
  breachOf,
  type Direction,
  isBackInside,
  isWorse,
  severityOf,
  VITAL_LIMITS,
  VITALS,
  type Vital,
  type VitalLimits,
} from './vital-limits.ts';

export interface VitalsConfig extends ElderFacts, Record<Vital, Partial<VitalLimits>> {
  /** Seconds an out-of-range value must hold, reading after reading, before it raises. */
  forS: number;
  /** Readings farther apart than this (seconds) break a run: nothing is known about the gap. */
  maxGapS: number;
}

/** Where one vital stands for one elder. */
export interface VitalTrack {
  /** The newest reading applied; an older one delivered late is ignored. */
  lastAt: number;
  /** The current run of out-of-range readings not yet raised; null when the last reading was fine. */
  run: { direction: Direction; since: number; lastAt: number } | null;
  /** The alert raised for this vital, until the value comes back inside; null when none. */
  raised: (Breach & { severity: Severity; since: number }) | null;
}

export interface VitalsState {
  subject: Subject;
  tracks: Partial<Record<Vital, VitalTrack>>;
}

type VitalsInput = Extract<RuleInput, { kind: 'vitals' }>;
type Change =
  | { kind: 'raise'; breach: Breach; severity: Severity; value: number; since: number }
  | { kind: 'clear'; breach: Breach; value: number; hysteresis: number };

/**
 * Out-of-range vitals that hold for `forS`: one alert per elder and vital, raised again with a higher
 * severity when it gets worse, cleared when the value is back inside by the hysteresis. Thresholds are
 * per vital objects; an elder's override may give only the fields it changes (`{hr: {high: 120}}`).
 */
export const vitalsRule: Rule<VitalsState, VitalsConfig> = {
  id: 'vitals',
  defaults: { ...ELDER_FACT_DEFAULTS, ...VITAL_LIMITS, forS: 60, maxGapS: 300 },
  key: (input) => (input.kind === 'vitals' ? elderKey(input.subject) : null),
  evaluate(input, state, _now, config) {
    if (input.kind !== 'vitals') return { actions: [], nextState: state };
    const tracks = { ...state?.tracks };
    const actions: RuleAction[] = [];
    for (const vital of VITALS) {
      const value = input.readings[vital];
      if (value === undefined || !Number.isFinite(value)) continue;
      const { track, changes } = step(tracks[vital], value, input.at, limitsOf(config, vital), config);
      tracks[vital] = track;
      for (const change of changes) actions.push(toAction(change, vital, input));
    }
    return { actions, nextState: { subject: input.subject, tracks } };
  },
};

/** The resolver merges configs shallowly, so an override of one field must not lose the others. */
function limitsOf(config: VitalsConfig, vital: Vital): VitalLimits {
  return { ...VITAL_LIMITS[vital], ...config[vital] };
}

function step(
  prev: VitalTrack | undefined,
  value: number,
  at: number,
  limits: VitalLimits,
  timing: { forS: number; maxGapS: number },
): { track: VitalTrack; changes: Change[] } {
  if (prev && at <= prev.lastAt) return { track: prev, changes: [] };
  const raised = prev?.raised ?? null;
  const breach = breachOf(value, limits);
  if (raised && !isBackInside(value, raised, limits.hysteresis)) {
    // Still out, or inside but within the hysteresis: only a worse severity is news.
    const severity =
      breach?.direction === raised.direction ? severityOf(value, breach.direction, limits) : raised.severity;
    const worse = isWorse(severity, raised.severity);
    const track = { lastAt: at, run: null, raised: worse ? { ...raised, severity } : raised };
    return {
      track,
      changes: worse ? [{ kind: 'raise', breach: raised, severity, value, since: raised.since }] : [],
    };
  }
  const changes: Change[] = raised
    ? [{ kind: 'clear', breach: raised, value, hysteresis: limits.hysteresis }]
    : [];
  if (!breach) return { track: { lastAt: at, run: null, raised: null }, changes };
  const run = prev?.run;
  const continues = run && run.direction === breach.direction && at - run.lastAt <= timing.maxGapS * 1000;
  const since = continues ? run.since : at;
  if (at - since < timing.forS * 1000) {
    return {
      track: { lastAt: at, run: { direction: breach.direction, since, lastAt: at }, raised: null },
      changes,
    };
  }
  const severity = severityOf(value, breach.direction, limits);
  changes.push({ kind: 'raise', breach, severity, value, since });
  return { track: { lastAt: at, run: null, raised: { ...breach, severity, since } }, changes };
}

function toAction(change: Change, vital: Vital, input: VitalsInput): RuleAction {
  const dedupeKey = `${elderKey(input.subject)}:vitals:${vital}`;
  const { breach, value } = change;
  if (change.kind === 'clear') {
    const note = `${vital} ${value} is back inside ${breach.threshold} by at least ${change.hysteresis}`;
    return { kind: 'clear', dedupeKey, note };
  }
  return {
    kind: 'raise',
    alert: {
      type: 'vitals',
      severity: change.severity,
      dedupeKey,
      subject: input.subject,
      // One envelope may raise several vitals, and one event id must never make two alerts.
      eventId: `rule:vitals:${elderKey(input.subject)}:${vital}:${input.at}`,
      occurredAt: change.since,
      details: { vital, value, threshold: breach.threshold, direction: breach.direction },
    },
  };
}
