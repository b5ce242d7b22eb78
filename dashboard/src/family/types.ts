/** Shapes of `GET /api/family/elders` (docs/contract.md, family page). */
import type { AlertView } from '../types.ts';

export interface FamilyDevice {
  id: string;
  kind: string;
  location?: string;
  online: boolean | null;
  battery?: number;
  lastSeenAt: string | null;
}

export interface FamilyVitals {
  hr?: number;
  spo2?: number;
  rr?: number;
  temp?: number;
  sys?: number;
  dia?: number;
  ts: string;
}

export interface CentreEntry {
  at: string;
  action: string;
  responder?: string;
  etaMinutes?: number;
  by?: string;
  outcome?: string;
  note?: string;
}

export type FamilyAlert = AlertView & { centre: CentreEntry[] };

export interface FamilyElder {
  id: string;
  name: string;
  age?: number;
  address: string;
  atHome: boolean | null;
  devices: FamilyDevice[];
  latestVitals: FamilyVitals | null;
  openAlerts: FamilyAlert[];
  history: {
    id: string;
    type: string;
    severity: string;
    occurredAt: string;
    resolvedAt?: string;
    outcome?: string;
  }[];
}

export interface NotificationPrefs {
  push: boolean;
  email?: string;
  webhook?: string;
  severities: string[];
  quietHours?: { start: string; end: string };
}
