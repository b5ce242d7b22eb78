import type { EventType } from './payloads.ts';
import type { ServiceTicket } from './services.ts';

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ALERT_STATES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** How a resolved alert ended; the figures count false alarms by `false_alarm`. */
export const OUTCOMES = [
  'false_alarm',
  'assisted',
  'family_assisted',
  'ems_dispatched',
  'hospitalised',
  'no_answer_visited',
  'deceased',
  'other',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Alert types are the event types that raise them, plus the cloud's own supervision and welfare alerts. */
export type AlertType =
  | EventType
  | 'gateway_offline'
  | 'device_offline'
  | 'vitals'
  | 'inactivity'
  | 'missed_checkin'
  | 'night_door';

/** The contract's Alert (CONTRACT §4): times are T strings, optional fields are absent, never null. */
export interface Alert {
  id: string;
  type: AlertType;
  severity: Severity;
  state: AlertState;
  elderId: string;
  householdId: string;
  region: string;
  gatewayId: string;
  deviceId: string;
  eventId: string;
  occurredAt: string;
  receivedAt: string;
  raisedAt: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  resolvedAt?: string;
  resolvedBy?: string;
  outcome?: string;
  escalationLevel: number;
}

export const ROLES = ['operator', 'supervisor', 'admin', 'family'] as const;
export type Role = (typeof ROLES)[number];

/** Socket.IO namespace of the dispatch dashboard, and the events it carries to a client. */
export const DISPATCH_NAMESPACE = '/dispatch';
export interface DispatchServerEvents {
  'alert:raised': (alert: Alert) => void;
  'alert:updated': (alert: Alert) => void;
  /** A new service ticket (the green key): the helpers' queue, never the alert queue. */
  'service:raised': (ticket: ServiceTicket) => void;
  /** A ticket accepted, done, cancelled, or pressed for again. */
  'service:updated': (ticket: ServiceTicket) => void;
}
// biome-ignore lint/complexity/noBannedTypes: the dispatch namespace takes no client-to-server events yet.
export type DispatchClientEvents = {};
