import type { AlertType, EventType, Outcome, Severity } from '../../protocol/index.ts';

/** Where something happened: the registry's world around a gateway's device. */
export interface Subject {
  elderId: string;
  householdId: string;
  region: string;
  gatewayId: string;
  deviceId: string;
}

/** What rules see. Times are epoch ms; `at` is when the device or gateway observed it. */
export type RuleInput =
  | {
      kind: 'event';
      subject: Subject;
      type: EventType;
      eventId: string;
      at: number;
      data?: Record<string, unknown>;
    }
  | { kind: 'vitals'; subject: Subject; eventId: string; at: number; readings: VitalReadings }
  | { kind: 'gateway-state'; subject: Subject; online: boolean; at: number }
  | { kind: 'device-state'; subject: Subject; online: boolean; battery?: number; at: number };

export interface VitalReadings {
  hr?: number;
  spo2?: number;
  rr?: number;
  temp?: number;
  sys?: number;
  dia?: number;
}

/** What a rule asks the engine to do; the engine owns storage, time and publishing. */
export type RuleAction =
  /** Raise an alert, or, while one with the same dedupe key is open or acknowledged, update it (count, last seen). */
  | { kind: 'raise'; alert: AlertDraft }
  /** Resolve the active alert with this key (e.g. `sos_cancel` → false alarm); the record is kept. */
  | { kind: 'resolve'; dedupeKey: string; outcome: Outcome; note: string }
  /** The condition behind the active alert with this key is gone; it stays for an operator to resolve. */
  | { kind: 'clear'; dedupeKey: string; note: string };

export interface AlertDraft {
  type: AlertType;
  severity: Severity;
  /** One active alert per key: per elder and type, or per device for device supervision. */
  dedupeKey: string;
  subject: Subject;
  /** The event that caused it; rules raising on a timer make a stable synthetic id (`rule:<id>:<key>:<at>`). */
  eventId: string;
  /** When the condition began (the event's own time), epoch ms. */
  occurredAt: number;
  /** Shown on the alert (e.g. `{vital: 'hr', value: 142, threshold: 130}`, or the room of a smoke alarm). */
  details?: Record<string, unknown>;
}

export interface Evaluation<S> {
  actions: RuleAction[];
  /** The rule's state for this key after the input; undefined forgets it. */
  nextState: S | undefined;
  /** When the engine must call `tick` for this key (a grace period, a supervision window); undefined: never. */
  wakeAt?: number;
}

/**
 * A rule is pure: no I/O, no timers, no clock reads. For each input it names the key its state lives
 * under (usually the elder); the engine loads that state, calls `evaluate`, stores `nextState`, and calls
 * `tick` at `wakeAt`. State and wake-up times are persisted, so a restart mid-window keeps them.
 */
export interface Rule<S = unknown, C = unknown> {
  readonly id: string;
  /** Defaults of the rule's settings; the engine merges per-elder overrides over them. */
  readonly defaults: C;
  /** The state key this input belongs to, or null when the rule does not care about it. */
  key(input: RuleInput): string | null;
  evaluate(input: RuleInput, state: S | undefined, now: number, config: C): Evaluation<S>;
  tick?(state: S, now: number, config: C): Evaluation<S>;
}

/** Only for a rule registry's list: rules differ in state and config types. */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds rules of every state and config type.
export type AnyRule = Rule<any, any>;
