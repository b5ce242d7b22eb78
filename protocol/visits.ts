import type { EventType } from './payloads.ts';

/** Welfare visits (探访) and the watch list of at-risk elders: the REST shapes (docs/alerting.md). */
export const VISIT_KINDS = ['home', 'phone', 'video'] as const;
export type VisitKind = (typeof VISIT_KINDS)[number];
export const VISIT_OUTCOMES = ['well', 'needs_followup', 'not_home', 'hospitalised', 'other'] as const;
export type VisitOutcome = (typeof VISIT_OUTCOMES)[number];
export const AT_RISK_REASONS = ['livesAlone', 'disabled', 'mobility'] as const;
export type AtRiskReason = (typeof AT_RISK_REASONS)[number];

/** One at-risk elder on the watch list of `GET /api/watchlist`; times are T strings. */
export interface WatchEntry {
  elderId: string;
  name: string;
  age?: number;
  address: string;
  householdId: string;
  community: string;
  communityName: string;
  reasons: AtRiskReason[];
  lastHomeVisit: { at: string; visitor: string; outcome: VisitOutcome } | null;
  /** The last visit or call of any kind. */
  lastContact: { at: string; visitor: string; kind: VisitKind } | null;
  /** When the next home visit is due; null when the elder was never visited at home (due now). */
  visitDueAt: string | null;
  overdue: boolean;
  /** Whole days past `visitDueAt` (0 on the first day); null when not overdue or never visited at home. */
  daysOverdue: number | null;
  lastActivity: { at: string; type: EventType } | null;
  atHome: boolean | null;
  /** Alerts open or acknowledged. */
  openAlerts: number;
  /** Service tickets requested or accepted. */
  openRequests: number;
}

export interface WatchListAnswer {
  region: string;
  asOf: string;
  intervalDays: number;
  elders: WatchEntry[];
}
