/** Shapes of the REST answers the dashboard reads (CONTRACT §4 plus the documented extensions). */
import type { Alert, Role } from '../../protocol/alerts.ts';

export type { Alert, AlertState, Outcome, Severity } from '../../protocol/alerts.ts';
export type { ServiceTicket } from '../../protocol/services.ts';
export type { WatchEntry, WatchListAnswer } from '../../protocol/visits.ts';

export interface AlertView extends Alert {
  elderName?: string;
  address?: string;
  regionName?: string;
  repeatCount?: number;
  lastSeenAt?: string;
  details?: Record<string, unknown>;
  firstPushedAt?: string;
  clearedAt?: string;
  clockSkewMs?: number;
}

export interface SessionUser {
  username: string;
  role: Role;
  scope: string;
  elderIds?: string[];
}

export interface TimelineEntry {
  at: string;
  actor: string;
  action: string;
  note?: string;
  data?: Record<string, unknown>;
}

export interface Contact {
  name: string;
  relation?: string;
  phone?: string;
}

export interface ElderProfile {
  birthYear?: number;
  sex?: string;
  livesAlone?: boolean;
  mobility?: string;
  conditions?: string[];
  medications?: string[];
  accessNotes?: string;
  contacts?: Contact[];
  phone?: string;
  responseProcedure?: string[];
}

export interface ElderDetail {
  id: string;
  name: string;
  householdId: string;
  address?: string;
  region?: string;
  regionName?: string;
  age?: number;
  profile?: ElderProfile;
}

export interface DeviceInfo {
  id: string;
  kind: string;
  elderId?: string;
  location?: string;
  online: boolean;
  battery?: number;
  rssi?: number;
  lastSeenAt?: string;
}

export interface GatewayInfo {
  id: string;
  state: string;
  lastSeenAt?: string;
  devices: DeviceInfo[];
}

export interface HouseholdDetail {
  id: string;
  region: string;
  regionName?: string;
  address: string;
  elders: { id: string; name: string }[];
  gateways: GatewayInfo[];
}

export interface DeviceProblem {
  gatewayId: string;
  deviceId: string | null;
  kind: string;
  householdId: string;
  address?: string;
  region?: string;
  elderName?: string;
  online: boolean;
  battery?: number;
  lastSeenAt?: string;
}

export interface RegionSummary {
  id: string;
  name: string;
  level: 'city' | 'district' | 'community' | string;
  parent: string | null;
  open: { critical: number; high: number; medium: number; low: number };
  acknowledged: number;
  openTotal: number;
}

export type { ImportReport } from '../../cloud/domain/csv-import.ts';
// The server's own shapes (type-only imports: nothing of the cloud reaches the bundle).
export type { DayFigures, Figures, GroupFigures } from '../../cloud/domain/figures.ts';
export type { ElderListing, GatewayListing, HouseholdListing } from '../../cloud/domain/inventory.ts';
export type { UserView } from '../../cloud/domain/user-store.ts';

export interface SimHome {
  gatewayId: string;
  householdId: string;
  address: string;
  elderNames: string[];
  connected: boolean;
  powered: boolean;
}

export type VitalsRow = { ts: string } & Partial<
  Record<'hr' | 'spo2' | 'rr' | 'temp' | 'sys' | 'dia', number>
>;
