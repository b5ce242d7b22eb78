import type { AlertType, EventType, Severity } from '../../protocol/index.ts';

/** An event as rules see it: the contract envelope placed in the registry's world. */
export interface RuleEvent {
  type: EventType;
  eventId: string;
  gatewayId: string;
  deviceId: string;
  elderId: string;
  householdId: string;
  region: string;
  /** The event's own `ts`, in ms. */
  occurredAt: number;
  data?: Record<string, unknown>;
}

/** What a rule asks for: the engine turns it into a new alert or a repeat of the open one. */
export interface AlertDraft {
  type: AlertType;
  severity: Severity;
  /** One active alert per key: a repeat while it is open updates it instead of raising another. */
  dedupeKey: string;
}

export interface Evaluation<S> {
  alerts: AlertDraft[];
  nextState: S | undefined;
}

/**
 * A rule is pure: no I/O, no timers, no clock reads. The engine hands it the event, the rule's own
 * state for this elder and the time, and owns storage, time and publishing.
 */
export interface Rule<S = unknown> {
  readonly id: string;
  readonly eventTypes: readonly EventType[];
  evaluate(event: RuleEvent, state: S | undefined, now: number): Evaluation<S>;
}
