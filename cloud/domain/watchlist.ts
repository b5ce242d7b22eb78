import type { EventType, VisitKind, VisitOutcome, WatchEntry } from '../../protocol/index.ts';
import { Params, type Row, type SqlSession, textOrNull } from '../db/sql.ts';
import { ACTIVITY_TYPES } from '../rules/inactivity.ts';
import { ageIn, jsonObject } from './directory.ts';
import { atHomeFrom, type PresenceEvent } from './family.ts';
import { regionSubtreeSql } from './region-sql.ts';
import { atRiskReasons, VISIT_INTERVAL_DAYS } from './visits.ts';

export type { WatchEntry } from '../../protocol/index.ts';

const DAY_MS = 86_400_000;
const PRESENCE_TYPES = ['presence', 'absence', 'door_open', 'door_closed'] as const;
/** Each type is looked up on its own, so every lookup is one seek on (gateway, device, type, ts). */
const LOOKED_UP: readonly string[] = [...new Set<string>([...ACTIVITY_TYPES, ...PRESENCE_TYPES])];
const PRESENCE_SET: ReadonlySet<string> = new Set(PRESENCE_TYPES);

interface DeviceLatest {
  householdId: string;
  deviceKey: string;
  elderId: string | null;
  type: string;
  ts: string;
}

/**
 * The community worker's watch list (关爱名单): every at-risk elder in a region (the rule of
 * `visits.ts`) with what a worker with forty of them wants on one line: the last home visit and the last
 * contact, when the next home visit is due, the last sign of activity at home, whether the elder seems
 * to be in, and what is open for them (alerts, green-key requests).
 *
 * - Last activity: the newest event of the inactivity rule's activity types (presence, motion, a door,
 *   a check-in, an SOS, a service request) from the elder's own devices or the home's shared ones (no
 *   elder); events of devices the registry does not know are not counted.
 * - At home: `atHomeFrom` (family.ts) over the same devices' presence, absence and door events.
 * - Visit due: the last home visit + 30 days; overdue after that instant (the rule of `visits.ts`), and
 *   at once for an elder never visited at home (`visitDueAt` null).
 * - Order, most concerning first: overdue before not, then the longest silence (never any activity
 *   first), then id.
 *
 * Four set-based statements whatever the number of elders; the per-device lookups of the newest event
 * of each type are index seeks (`events_device_type_ts`).
 */
export class WatchList {
  readonly #db: SqlSession;

  constructor(db: SqlSession) {
    this.#db = db;
  }

  /** The at-risk elders of the subtree as of `now`, most concerning first. */
  async list(region: string, now: number = Date.now()): Promise<WatchEntry[]> {
    const elders = await this.#elders(region);
    const latest = await this.#latestEvents(region);
    const alerts = await this.#countByElder('alerts', "state IN ('open', 'acknowledged')", region);
    const requests = await this.#countByElder(
      'service_tickets',
      "state IN ('requested', 'accepted')",
      region,
    );
    const byHousehold = new Map<string, DeviceLatest[]>();
    for (const d of latest) byHousehold.set(d.householdId, [...(byHousehold.get(d.householdId) ?? []), d]);
    return elders
      .map((r) => this.#entry(r, now, byHousehold.get(String(r.household_id)) ?? [], alerts, requests))
      .filter((e): e is WatchEntry => e !== null)
      .sort(concerning);
  }

  #entry(
    r: Row,
    now: number,
    homeDevices: readonly DeviceLatest[],
    alerts: ReadonlyMap<string, number>,
    requests: ReadonlyMap<string, number>,
  ): WatchEntry | null {
    const profile = jsonObject(r.profile);
    const reasons = atRiskReasons(profile);
    if (reasons.length === 0) return null;
    const elderId = String(r.id);
    const age = ageIn(profile, now);
    const homeAt = textOrNull(r.home_at);
    const dueMs = homeAt === null ? null : Date.parse(homeAt) + VISIT_INTERVAL_DAYS * DAY_MS;
    const overdue = dueMs === null || now > dueMs;
    const devices = homeDevices.filter((d) => d.elderId === null || d.elderId === elderId);
    return {
      elderId,
      name: String(r.name),
      ...(age !== undefined ? { age } : {}),
      address: String(r.address),
      householdId: String(r.household_id),
      community: String(r.region),
      communityName: String(r.region_name),
      reasons,
      lastHomeVisit:
        homeAt === null
          ? null
          : { at: homeAt, visitor: String(r.home_visitor), outcome: r.home_outcome as VisitOutcome },
      lastContact:
        r.contact_at === null || r.contact_at === undefined
          ? null
          : {
              at: String(r.contact_at),
              visitor: String(r.contact_visitor),
              kind: r.contact_kind as VisitKind,
            },
      visitDueAt: dueMs === null ? null : new Date(dueMs).toISOString(),
      overdue,
      daysOverdue: dueMs !== null && overdue ? Math.floor((now - dueMs) / DAY_MS) : null,
      lastActivity: lastActivity(devices),
      atHome: atHomeFrom(presenceEvents(devices)),
      openAlerts: alerts.get(elderId) ?? 0,
      openRequests: requests.get(elderId) ?? 0,
    };
  }

  /** Every elder of the subtree (at risk or not: that is in the profile) with their last home visit and contact. */
  #elders(region: string): Promise<Row[]> {
    const p = new Params();
    const subtree = regionSubtreeSql('h.region', region, p);
    const newest = (kind: string) =>
      `(SELECT v.id FROM visits v WHERE v.elder_id = e.id${kind}
        ORDER BY v.visited_at DESC, v.recorded_at DESC LIMIT 1)`;
    return this.#db.all(
      `SELECT e.id, e.name, e.profile, e.household_id, h.address, h.region, r.name AS region_name,
         hv.visited_at AS home_at, hv.visitor AS home_visitor, hv.outcome AS home_outcome,
         cv.visited_at AS contact_at, cv.visitor AS contact_visitor, cv.kind AS contact_kind
       FROM elders e
       JOIN households h ON h.id = e.household_id
       JOIN regions r ON r.id = h.region
       LEFT JOIN visits hv ON hv.id = ${newest(" AND v.kind = 'home'")}
       LEFT JOIN visits cv ON cv.id = ${newest('')}
       WHERE ${subtree}`,
      p.values,
    );
  }

  /** The newest event of each looked-up type of every registered device in the subtree (none: no row). */
  async #latestEvents(region: string): Promise<DeviceLatest[]> {
    const p = new Params();
    const subtree = regionSubtreeSql('h.region', region, p);
    // The types are this module's constants, never outside input.
    const types = LOOKED_UP.map((type) => `SELECT '${type}' AS type`).join(' UNION ALL ');
    const rows = await this.#db.all(
      `SELECT * FROM (
         SELECT g.household_id, d.gateway_id, d.id AS device_id, d.elder_id, k.type,
           (SELECT max(ev.ts) FROM events ev
             WHERE ev.gateway_id = d.gateway_id AND ev.device_id = d.id AND ev.type = k.type) AS ts
         FROM devices d
         JOIN gateways g ON g.id = d.gateway_id
         JOIN households h ON h.id = g.household_id
         CROSS JOIN (${types}) k
         WHERE ${subtree}
       ) latest WHERE ts IS NOT NULL`,
      p.values,
    );
    return rows.map((r) => ({
      householdId: String(r.household_id),
      deviceKey: `${String(r.gateway_id)}/${String(r.device_id)}`,
      elderId: textOrNull(r.elder_id),
      type: String(r.type),
      ts: String(r.ts),
    }));
  }

  async #countByElder(table: string, open: string, region: string): Promise<Map<string, number>> {
    const p = new Params();
    const subtree = regionSubtreeSql('region', region, p);
    const rows = await this.#db.all(
      `SELECT elder_id, count(*) AS n FROM ${table} WHERE ${open} AND ${subtree} GROUP BY elder_id`,
      p.values,
    );
    return new Map(rows.map((r) => [String(r.elder_id), Number(r.n)]));
  }
}

function lastActivity(devices: readonly DeviceLatest[]): WatchEntry['lastActivity'] {
  let best: DeviceLatest | null = null;
  for (const d of devices)
    if (ACTIVITY_TYPES.has(d.type as EventType) && (best === null || d.ts > best.ts)) best = d;
  return best ? { at: best.ts, type: best.type as EventType } : null;
}

/**
 * The presence, absence and door events `atHomeFrom` needs, newest first: each device's newest of each
 * type is enough, since it reads only each radar's last word and the newest presence and door.
 */
function presenceEvents(devices: readonly DeviceLatest[]): PresenceEvent[] {
  return devices
    .filter((d) => PRESENCE_SET.has(d.type))
    .map((d) => ({ deviceId: d.deviceKey, type: d.type, ts: d.ts }))
    .sort((a, b) => b.ts.localeCompare(a.ts));
}

/** Overdue first, then the longest silence (never heard from first), then id. */
function concerning(a: WatchEntry, b: WatchEntry): number {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  const silence = (e: WatchEntry) => e.lastActivity?.at ?? '';
  return silence(a).localeCompare(silence(b)) || a.elderId.localeCompare(b.elderId);
}
