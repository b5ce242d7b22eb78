import { SERVICE_KINDS } from './payloads.ts';

export type ServiceKind = (typeof SERVICE_KINDS)[number];

/**
 * A service ticket's life: the elder asked (the green key), a helper accepted, the helper finished; a
 * helper may cancel one nobody needs any more (the elder rang to say never mind, a duplicate).
 */
export const SERVICE_STATES = ['requested', 'accepted', 'done', 'cancelled'] as const;
export type ServiceState = (typeof SERVICE_STATES)[number];

/**
 * The service kind of a `service_request` event's `data`: `data.service` when it is one of the
 * contract's kinds, else `other` (a key configured with no service, or an unknown one, is still a request).
 */
export function serviceKindOf(data: unknown): ServiceKind {
  const service =
    typeof data === 'object' && data !== null ? (data as Record<string, unknown>).service : undefined;
  return (SERVICE_KINDS as readonly unknown[]).includes(service) ? (service as ServiceKind) : 'other';
}

/**
 * A low-severity everyday request for help (a meal, a visit, a chat), handled by the community's
 * helpers; never an alert. Times are T strings; optional fields are absent, never null.
 */
export interface ServiceTicket {
  id: string;
  service: ServiceKind;
  state: ServiceState;
  elderId: string;
  householdId: string;
  region: string;
  gatewayId: string;
  deviceId: string;
  /** The event that asked; one event id never makes more than one ticket. */
  eventId: string;
  /** When the elder pressed the key (the gateway's time, or our receipt when its clock ran ahead). */
  requestedAt: string;
  receivedAt: string;
  /** Further presses of the same kind while this ticket was still waiting or accepted. */
  repeatCount: number;
  lastRequestedAt: string;
  acceptedAt?: string;
  acceptedBy?: string;
  doneAt?: string;
  doneBy?: string;
  cancelledAt?: string;
  cancelledBy?: string;
  /** The helper's note when finishing or cancelling. */
  note?: string;
  /** Seconds from the request to done; present once done. */
  tookS?: number;
  elderName?: string;
  address?: string;
}
