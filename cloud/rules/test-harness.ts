/**
 * Runs one rule the way the engine does, on a fake clock, for tests: state by key, `tick` whenever the
 * clock reaches a key's `wakeAt`, and every state stored as JSON (so a state that does not survive
 * `JSON.stringify`/`parse` unchanged fails the test at once, as it would break in the database).
 */
import { isDeepStrictEqual } from 'node:util';
import type { EventType } from '../../protocol/index.ts';
import type { Evaluation, Rule, RuleAction, RuleInput, Subject, VitalReadings } from './rule.ts';
import { localInstant } from './time.ts';

export { DAY_MS, HOUR_MS, MINUTE_MS } from './time.ts';
export const SECOND_MS = 1000;

/** 2026-11-23 00:00 UTC, 08:00 in China (the rules' default offset): a weekday morning. */
export const T0 = Date.UTC(2026, 10, 23);

/** A local time in China on a day: `at('2026-11-23', '07:00')`. */
export const at = (date: string, time: string, offsetMinutes = 480): number =>
  localInstant(date, time, offsetMinutes);

export function subject(overrides: Partial<Subject> = {}): Subject {
  return {
    elderId: 'el-1',
    householdId: 'hh-1',
    region: 'r-1',
    gatewayId: 'gw-1',
    deviceId: 'dev-1',
    ...overrides,
  };
}

interface InputOptions {
  id?: string;
  subject?: Partial<Subject>;
}

let sequence = 0;
const nextId = (): string => `ev-${String(++sequence).padStart(6, '0')}`;

export function event(
  type: EventType,
  time: number,
  options: InputOptions & { data?: Record<string, unknown> } = {},
): RuleInput {
  const input: RuleInput = {
    kind: 'event',
    subject: subject(options.subject),
    type,
    eventId: options.id ?? nextId(),
    at: time,
  };
  return options.data ? { ...input, data: options.data } : input;
}

export function vitals(time: number, readings: VitalReadings, options: InputOptions = {}): RuleInput {
  return {
    kind: 'vitals',
    subject: subject(options.subject),
    eventId: options.id ?? nextId(),
    at: time,
    readings,
  };
}

export function gatewayState(online: boolean, time: number, options: InputOptions = {}): RuleInput {
  return { kind: 'gateway-state', subject: subject({ deviceId: '', ...options.subject }), online, at: time };
}

export function deviceState(online: boolean, time: number, options: InputOptions = {}): RuleInput {
  return { kind: 'device-state', subject: subject(options.subject), online, at: time };
}

/** One action, with when and why it was asked for. */
export interface Step {
  now: number;
  key: string;
  via: 'evaluate' | 'tick';
  action: RuleAction;
}

export interface HarnessOptions<C> {
  /** The clock's start; default T0. */
  now?: number;
  /** Overrides for every elder, merged shallowly over the rule's defaults like the engine's resolver. */
  config?: Partial<C>;
  /** Overrides for one elder, by elder id, merged over `config`. */
  elders?: Record<string, Partial<C>>;
}

interface Stored {
  elderId: string;
  state: string;
  wakeAt: number | null;
}

export class RuleHarness<S, C> {
  readonly rule: Rule<S, C>;
  readonly log: Step[] = [];
  now: number;
  #options: HarnessOptions<C>;
  #stored = new Map<string, Stored>();

  constructor(rule: Rule<S, C>, options: HarnessOptions<C> = {}) {
    this.rule = rule;
    this.#options = options;
    this.now = options.now ?? T0;
  }

  configFor(elderId: string): C {
    return { ...this.rule.defaults, ...this.#options.config, ...this.#options.elders?.[elderId] };
  }

  /**
   * Delivers an input at `now` (default: its own time, or the clock if that is later), first firing
   * every wake-up due by then, as the engine's scheduler would. Returns the actions it caused.
   */
  send(input: RuleInput, now: number = Math.max(this.now, input.at)): RuleAction[] {
    const from = this.log.length;
    this.advanceTo(now);
    this.sendBeforeDue(input, now);
    return this.log.slice(from).map((step) => step.action);
  }

  /**
   * Delivers an input at `now` BEFORE the wake-ups due by then fire (they fire right after): the engine
   * got the input before its scheduler called `due()`. For the edges where the order could matter.
   */
  sendBeforeDue(input: RuleInput, now: number = Math.max(this.now, input.at)): RuleAction[] {
    if (now < this.now) throw new Error(`the clock cannot go back from ${this.now} to ${now}`);
    const from = this.log.length;
    this.now = now;
    const key = this.rule.key(input);
    if (key !== null) {
      const elderId = input.subject.elderId;
      const result = this.rule.evaluate(input, this.state(key), this.now, this.configFor(elderId));
      this.#store(key, elderId, result, 'evaluate');
      this.advanceTo(this.now);
    }
    return this.log.slice(from).map((step) => step.action);
  }

  /** Moves the clock forward, calling `tick` for each key at its `wakeAt`, earliest first. */
  advanceTo(time: number): RuleAction[] {
    if (time < this.now) throw new Error(`the clock cannot go back from ${this.now} to ${time}`);
    const from = this.log.length;
    for (let due = this.#nextDue(time); due; due = this.#nextDue(time)) {
      const [key, stored] = due;
      this.now = Math.max(this.now, stored.wakeAt ?? this.now);
      const tick = this.rule.tick;
      if (!tick) {
        stored.wakeAt = null;
        continue;
      }
      const result = tick(JSON.parse(stored.state) as S, this.now, this.configFor(stored.elderId));
      if (result.wakeAt !== undefined && result.wakeAt <= this.now) {
        throw new Error(
          `${this.rule.id} tick at ${this.now} asked to wake again at ${result.wakeAt} for ${key}`,
        );
      }
      this.#store(key, stored.elderId, result, 'tick');
    }
    this.now = time;
    return this.log.slice(from).map((step) => step.action);
  }

  /**
   * The engine was down until `time`: the clock jumps there and every wake-up missed meanwhile fires
   * once, late, at `time`, as the engine's first `due()` after a restart does.
   */
  resumeAt(time: number): RuleAction[] {
    if (time < this.now) throw new Error(`the clock cannot go back from ${this.now} to ${time}`);
    this.now = time;
    return this.advanceTo(time);
  }

  advanceBy(ms: number): RuleAction[] {
    return this.advanceTo(this.now + ms);
  }

  state(key: string): S | undefined {
    const stored = this.#stored.get(key);
    return stored ? (JSON.parse(stored.state) as S) : undefined;
  }

  wakeAt(key: string): number | undefined {
    return this.#stored.get(key)?.wakeAt ?? undefined;
  }

  /** Everything the engine would have persisted, as one JSON string. */
  snapshot(): string {
    return JSON.stringify({ now: this.now, stored: [...this.#stored] });
  }

  /** A fresh harness (a restarted engine) that starts from a snapshot. */
  static restore<S, C>(
    rule: Rule<S, C>,
    snapshot: string,
    options: HarnessOptions<C> = {},
  ): RuleHarness<S, C> {
    const saved = JSON.parse(snapshot) as { now: number; stored: [string, Stored][] };
    const harness = new RuleHarness(rule, { ...options, now: saved.now });
    for (const [key, stored] of saved.stored) harness.#stored.set(key, stored);
    return harness;
  }

  /** The actions of one kind in the whole log, e.g. `h.actions('raise')`. */
  actions<K extends RuleAction['kind']>(kind: K): Extract<RuleAction, { kind: K }>[] {
    return this.log
      .map((step) => step.action)
      .filter((a): a is Extract<RuleAction, { kind: K }> => a.kind === kind);
  }

  #nextDue(time: number): [string, Stored] | undefined {
    let best: [string, Stored] | undefined;
    for (const entry of this.#stored) {
      const wakeAt = entry[1].wakeAt;
      if (wakeAt !== null && wakeAt <= time && (!best || wakeAt < (best[1].wakeAt ?? 0))) best = entry;
    }
    return best;
  }

  #store(key: string, elderId: string, result: Evaluation<S>, via: Step['via']): void {
    for (const action of result.actions) this.log.push({ now: this.now, key, via, action });
    if (result.nextState === undefined) {
      this.#stored.delete(key);
      return;
    }
    const state = JSON.stringify(result.nextState);
    if (!isDeepStrictEqual(JSON.parse(state), result.nextState)) {
      throw new Error(`${this.rule.id} state for ${key} does not survive JSON: ${state}`);
    }
    this.#stored.set(key, { elderId, state, wakeAt: result.wakeAt ?? null });
  }
}

/**
 * The alert lifecycle a log must respect, per dedupe key: a clear or resolve only while an alert is
 * open (raised and not yet cleared or resolved). Returns the first violation, or null.
 */
export function lifecycleViolation(actions: readonly RuleAction[]): string | null {
  const open = new Set<string>();
  for (const [i, action] of actions.entries()) {
    if (action.kind === 'raise') {
      open.add(action.alert.dedupeKey);
    } else if (!open.delete(action.dedupeKey)) {
      return `action ${i} ${action.kind}s ${action.dedupeKey}, which is not open`;
    }
  }
  return null;
}
