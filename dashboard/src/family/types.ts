/** Shapes of `GET /api/family/elders` (docs/contract.md, family page). */

// The server's own shapes (type-only: nothing of the cloud reaches the bundle).
import type { CentreEntry, FamilyDevice, FamilyRequest, FamilyVitals } from '../../../cloud/domain/family.ts';
import type { AlertView } from '../types.ts';

export type {
  CentreEntry,
  FamilyDevice,
  FamilyRequest,
  FamilyVitals,
} from '../../../cloud/domain/family.ts';
export type { NotificationPrefs } from '../../../cloud/notify/types.ts';

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
  requests: FamilyRequest[];
}
