import type { AlertType, ServiceTicket, Severity } from '../../protocol/index.ts';
import type { SqlSession } from '../db/sql.ts';
import type { AlertStore, AlertView, TimelineEntry } from './alert-store.ts';
import type { Directory } from './directory.ts';
import type { User } from './scope.ts';
import type { ServiceTicketStore } from './service-store.ts';

/** One device as a family member sees it: is it working, and when did it last speak. */
export interface FamilyDevice {
  id: string;
  kind: string;
  location?: string;
  /** False when the device or its gateway last said offline; null when it never reported. */
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

/** What the centre did about an alert, in words a family may read: no operator notes, no operator names. */
export interface CentreEntry {
  at: string;
  action: string;
  responder?: string;
  etaMinutes?: number;
  /** The family member who accepted (family_accepted only). */
  by?: string;
  outcome?: string;
  /** A family member's own message (family_accepted only). */
  note?: string;
}

export interface FamilyHistoryItem {
  id: string;
  type: AlertType;
  severity: Severity;
  occurredAt: string;
  resolvedAt?: string;
  outcome?: string;
}

export interface FamilyElder {
  id: string;
  name: string;
  age?: number;
  address: string;
  atHome: boolean | null;
  devices: FamilyDevice[];
  latestVitals: FamilyVitals | null;
  openAlerts: (AlertView & { centre: CentreEntry[] })[];
  history: FamilyHistoryItem[];
  /** The elder's green-key requests still waiting, and those closed in the last week, newest first. */
  requests: FamilyRequest[];
}

/**
 * A service request as the family sees it: what was asked, where it stands and when. Like the centre's
 * entries on an alert, no helper's name or note: those are the staff's.
 */
export type FamilyRequest = Pick<
  ServiceTicket,
  'id' | 'service' | 'state' | 'requestedAt' | 'acceptedAt' | 'doneAt' | 'cancelledAt'
>;

/** How far back the family page shows closed requests, and how many at most. */
const REQUESTS_CLOSED_WITHIN_MS = 7 * 24 * 3600_000;
const REQUESTS_SHOWN = 10;

/** The family's view of the requests (newest first): waiting ones, and ones closed within the week. */
export function familyRequests(tickets: readonly ServiceTicket[], now: number): FamilyRequest[] {
  const since = now - REQUESTS_CLOSED_WITHIN_MS;
  return tickets
    .filter((t) => {
      const closedAt = t.doneAt ?? t.cancelledAt;
      return closedAt === undefined || Date.parse(closedAt) >= since;
    })
    .sort((a, b) => b.requestedAt.localeCompare(a.requestedAt))
    .slice(0, REQUESTS_SHOWN)
    .map((t) => ({
      id: t.id,
      service: t.service,
      state: t.state,
      requestedAt: t.requestedAt,
      ...(t.acceptedAt ? { acceptedAt: t.acceptedAt } : {}),
      ...(t.doneAt ? { doneAt: t.doneAt } : {}),
      ...(t.cancelledAt ? { cancelledAt: t.cancelledAt } : {}),
    }));
}

export interface PresenceEvent {
  deviceId: string;
  type: string;
  ts: string;
}

const CENTRE_ACTIONS = new Set([
  'acknowledged',
  'responder_accepted',
  'on_scene',
  'help_confirmed',
  'family_accepted',
  'resolved',
]);
const VITALS = ['hr', 'spo2', 'rr', 'temp', 'sys', 'dia'] as const;
/** Readings of different devices merge only when this close to the newest, so a stale value never poses as current. */
const VITALS_MERGE_MS = 60 * 60_000;
const HISTORY_LENGTH = 20;

/**
 * The timeline entries a family may see, each reduced to the facts it carries. Free text is dropped
 * except on a family member's own acceptance: operators write notes for each other, not for relatives.
 */
export function centreEntries(timeline: readonly TimelineEntry[]): CentreEntry[] {
  return timeline
    .filter((e) => CENTRE_ACTIONS.has(e.action))
    .map((e) => {
      const d = e.data ?? {};
      const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
      const eta = typeof d.etaMinutes === 'number' ? d.etaMinutes : undefined;
      const family = e.action === 'family_accepted';
      const entry: CentreEntry = { at: e.at, action: e.action };
      const responder = e.action === 'responder_accepted' ? str(d.responder) : undefined;
      if (responder) entry.responder = responder;
      if (eta !== undefined && (family || e.action === 'responder_accepted')) entry.etaMinutes = eta;
      if (family) entry.by = str(d.by) ?? e.actor;
      if (family && e.note) entry.note = e.note;
      const outcome = e.action === 'resolved' ? str(d.outcome) : undefined;
      if (outcome) entry.outcome = outcome;
      return entry;
    });
}

/**
 * Is the elder at home, from their presence radars and the door (events newest first). Any radar whose
 * last word is presence: yes. Every radar empty: out if the door moved after they were last seen (or
 * when the home has no door sensor to tell), else still in, just out of the radars' sight. No radar
 * ever spoke: unknown.
 */
export function atHomeFrom(events: readonly PresenceEvent[]): boolean | null {
  const lastWord = new Map<string, string>();
  let lastPresence: string | null = null;
  let lastDoor: string | null = null;
  for (const e of events) {
    if (e.type === 'presence' || e.type === 'absence') {
      if (!lastWord.has(e.deviceId)) lastWord.set(e.deviceId, e.type);
      if (e.type === 'presence' && (lastPresence === null || e.ts > lastPresence)) lastPresence = e.ts;
    } else if (lastDoor === null || e.ts > lastDoor) lastDoor = e.ts;
  }
  if (lastWord.size === 0) return null;
  if ([...lastWord.values()].includes('presence')) return true;
  if (lastDoor === null || lastPresence === null) return false;
  return lastDoor < lastPresence;
}

/** Each vital's newest value near the newest reading (rows newest first). */
export function mergeVitals(rows: readonly Record<string, unknown>[]): FamilyVitals | null {
  const newest = rows[0];
  if (!newest || typeof newest.ts !== 'string') return null;
  const out: FamilyVitals = { ts: newest.ts };
  const floor = Date.parse(newest.ts) - VITALS_MERGE_MS;
  for (const row of rows) {
    if (typeof row.ts !== 'string' || Date.parse(row.ts) < floor) break;
    for (const key of VITALS) {
      const value = row[key];
      if (out[key] === undefined && typeof value === 'number') out[key] = value;
    }
  }
  return out;
}

/** The family page's read model: each of a family user's elders, their home, their devices and alerts. */
export class FamilyOverview {
  readonly #db: SqlSession;
  readonly #store: AlertStore;
  readonly #directory: Directory;
  readonly #tickets: ServiceTicketStore;
  readonly #now: () => number;

  constructor(
    db: SqlSession,
    store: AlertStore,
    directory: Directory,
    tickets: ServiceTicketStore,
    now: () => number = Date.now,
  ) {
    this.#db = db;
    this.#store = store;
    this.#directory = directory;
    this.#tickets = tickets;
    this.#now = now;
  }

  async eldersOf(user: User): Promise<FamilyElder[]> {
    if (user.role !== 'family') return [];
    const elders: FamilyElder[] = [];
    for (const id of user.elderIds) {
      const elder = await this.elder(user, id);
      if (elder) elders.push(elder);
    }
    return elders;
  }

  async elder(user: User, elderId: string): Promise<FamilyElder | null> {
    const detail = await this.#directory.elder(elderId);
    if (!detail) return null;
    // The store scopes by the user's elders; narrowing the user narrows the lists to this elder.
    const only: User = { ...user, role: 'family', elderIds: [elderId] };
    const open = [
      ...(await this.#store.listForUser(only, 'open')),
      ...(await this.#store.listForUser(only, 'acknowledged')),
    ].sort((a, b) => b.raisedAt.localeCompare(a.raisedAt));
    const openAlerts: FamilyElder['openAlerts'] = [];
    for (const a of open) openAlerts.push({ ...a, centre: centreEntries(await this.#store.timeline(a.id)) });
    return {
      id: detail.id,
      name: detail.name,
      ...(detail.age !== undefined ? { age: detail.age } : {}),
      address: detail.address,
      atHome: atHomeFrom(await this.#presenceEvents(detail.householdId, elderId)),
      devices: await this.#devices(detail.householdId, elderId),
      latestVitals: mergeVitals(await this.#recentVitals(elderId)),
      openAlerts,
      history: (await this.#store.listForUser(only, 'resolved', HISTORY_LENGTH)).map((a) => ({
        id: a.id,
        type: a.type,
        severity: a.severity,
        occurredAt: a.occurredAt,
        ...(a.resolvedAt ? { resolvedAt: a.resolvedAt } : {}),
        ...(a.outcome ? { outcome: a.outcome } : {}),
      })),
      requests: familyRequests(await this.#tickets.listForUser(only, undefined, 200), this.#now()),
    };
  }

  /** The elder's own devices and the home's shared ones (a door sensor belongs to nobody). */
  async #devices(householdId: string, elderId: string): Promise<FamilyDevice[]> {
    const household = await this.#directory.household(householdId);
    return (household?.gateways ?? []).flatMap((gw) =>
      gw.devices
        .filter((d) => d.elderId === undefined || d.elderId === elderId)
        .map((d) => ({
          id: d.id,
          kind: d.kind,
          ...(d.location !== undefined ? { location: d.location } : {}),
          // A device behind an offline gateway cannot reach anyone, whatever it last said.
          online: gw.state === 'offline' ? false : d.online,
          ...(d.battery !== undefined ? { battery: d.battery } : {}),
          lastSeenAt: d.lastSeenAt,
        })),
    );
  }

  async #presenceEvents(householdId: string, elderId: string): Promise<PresenceEvent[]> {
    const rows = await this.#db.all(
      `SELECT e.device_id, e.type, e.ts FROM events e
       JOIN gateways g ON g.id = e.gateway_id
       LEFT JOIN devices d ON d.gateway_id = e.gateway_id AND d.id = e.device_id
       WHERE g.household_id = $1 AND (d.elder_id = $2 OR d.elder_id IS NULL)
         AND e.type IN ('presence', 'absence', 'door_open', 'door_closed')
       ORDER BY e.ts DESC LIMIT 500`,
      [householdId, elderId],
    );
    return rows.map((r) => ({ deviceId: String(r.device_id), type: String(r.type), ts: String(r.ts) }));
  }

  #recentVitals(elderId: string): Promise<Record<string, unknown>[]> {
    return this.#db.all(
      'SELECT ts, hr, spo2, rr, temp, sys, dia FROM vitals WHERE elder_id = $1 ORDER BY ts DESC LIMIT 100',
      [elderId],
    );
  }
}
