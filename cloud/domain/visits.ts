import { randomUUID } from 'node:crypto';
import type { AtRiskReason, VisitKind, VisitOutcome } from '../../protocol/index.ts';
import { Params, type Row, type SqlSession } from '../db/sql.ts';
import { localDayStart } from './figures.ts';
import { regionSubtreeSql } from './region-sql.ts';

/**
 * Welfare visits (探访): community workers must see at-risk elders every month.
 *
 * Rules (the dashboard and any report quote these):
 * - At risk: the elder's profile has `livesAlone === true`, or `disabled === true`, or a `mobility`
 *   text other than '可自行行走' (walks unaided). Only real booleans count; a missing field is not a risk.
 *   The rule reads today's profile, so a past month's rate uses today's at-risk list.
 * - Only a `home` visit satisfies the monthly visit: phone and video calls are recorded and shown, but
 *   seeing the home (stairs, stove, food, hygiene) is the point of 探访, and a call cannot.
 * - Overdue: at risk and no home visit at or after now − 30 days (one exactly 30 days ago still counts);
 *   `daysSinceHomeVisit` is whole days, rounded down; null when never visited at home.
 * - Monthly rate per community: at-risk elders with at least one home visit in the local (+08:00)
 *   calendar month / at-risk elders; null when the community has none.
 */
export { AT_RISK_REASONS, VISIT_KINDS, VISIT_OUTCOMES } from '../../protocol/index.ts';

export const VISIT_INTERVAL_DAYS = 30;
/** Clocks on workers' phones drift; a visit a little "in the future" is a clock, not a lie. */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;
const DAY_MS = 86_400_000;
const WALKS_UNAIDED = '可自行行走';

export interface NewVisit {
  elderId: string;
  visitedAt: string;
  visitor: string;
  kind: VisitKind;
  outcome: VisitOutcome;
  notes?: string;
}
export interface Visit extends NewVisit {
  id: string;
  recordedBy: string;
  recordedAt: string;
}

export interface OverdueElder {
  elderId: string;
  name: string;
  householdId: string;
  address: string;
  reasons: AtRiskReason[];
  lastHomeVisitAt: string | null;
  daysSinceHomeVisit: number | null;
  /** The last visit or call of any kind, so a worker sees who at least had a phone call. */
  lastContactAt: string | null;
}
export interface OverdueCommunity {
  region: string;
  atRisk: number;
  overdue: OverdueElder[];
}
export interface VisitRate {
  region: string;
  atRisk: number;
  visited: number;
  rate: number | null;
}
export interface VisitRates {
  month: string;
  region: string;
  communities: VisitRate[];
  total: Omit<VisitRate, 'region'>;
}

/** Thrown when `visitedAt` lies more than the tolerance after now (→ 400). */
export class VisitInFutureError extends Error {
  readonly code = 'ERR_VISIT_IN_FUTURE';
}

/** Why an elder is at risk; empty when not. */
export function atRiskReasons(profile: Record<string, unknown>): AtRiskReason[] {
  const reasons: AtRiskReason[] = [];
  if (profile.livesAlone === true) reasons.push('livesAlone');
  if (profile.disabled === true) reasons.push('disabled');
  if (typeof profile.mobility === 'string' && profile.mobility !== WALKS_UNAIDED) reasons.push('mobility');
  return reasons;
}

/** The instants a local (+08:00) `YYYY-MM` month begins and ends. */
export function localMonthBounds(month: string): { from: string; to: string } {
  const [year = 0, mon = 0] = month.split('-').map(Number);
  const next = mon === 12 ? `${year + 1}-01` : `${year}-${String(mon + 1).padStart(2, '0')}`;
  return {
    from: new Date(localDayStart(`${month}-01`)).toISOString(),
    to: new Date(localDayStart(`${next}-01`)).toISOString(),
  };
}

interface ElderState {
  id: string;
  name: string;
  householdId: string;
  address: string;
  region: string;
  reasons: AtRiskReason[];
  lastHome: string | null;
  lastContact: string | null;
  homeInRange: boolean;
}

const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function toVisit(r: Row): Visit {
  return {
    id: String(r.id),
    elderId: String(r.elder_id),
    visitedAt: String(r.visited_at),
    visitor: String(r.visitor),
    kind: r.kind as VisitKind,
    outcome: r.outcome as VisitOutcome,
    ...(r.notes === null ? {} : { notes: String(r.notes) }),
    recordedBy: String(r.recorded_by),
    recordedAt: String(r.recorded_at),
  };
}

/** Visits to elders and the at-risk elders who are owed one. */
export class VisitStore {
  readonly #db: SqlSession;

  constructor(db: SqlSession) {
    this.#db = db;
  }

  /** Records a visit; the caller has checked that the elder exists and is in the recorder's scope. */
  async record(input: NewVisit, recordedBy: string, now: number = Date.now()): Promise<Visit> {
    const visitedMs = Date.parse(input.visitedAt);
    if (visitedMs > now + FUTURE_TOLERANCE_MS) throw new VisitInFutureError('visitedAt lies in the future');
    const visit: Visit = {
      id: randomUUID(),
      ...input,
      visitedAt: new Date(visitedMs).toISOString(),
      recordedBy,
      recordedAt: new Date(now).toISOString(),
    };
    await this.#db.run(
      `INSERT INTO visits (id, elder_id, visited_at, visitor, kind, outcome, notes, recorded_by, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        visit.id,
        visit.elderId,
        visit.visitedAt,
        visit.visitor,
        visit.kind,
        visit.outcome,
        visit.notes ?? null,
        visit.recordedBy,
        visit.recordedAt,
      ],
    );
    return visit;
  }

  /** An elder's visits, newest first. */
  async listForElder(elderId: string, limit = 1000): Promise<Visit[]> {
    const rows = await this.#db.all(
      'SELECT * FROM visits WHERE elder_id = $1 ORDER BY visited_at DESC, recorded_at DESC LIMIT $2',
      [elderId, limit],
    );
    return rows.map(toVisit);
  }

  /** At-risk elders of each community in `region` without a home visit in the last 30 days. */
  async overdue(region: string, now: number = Date.now()): Promise<OverdueCommunity[]> {
    const since = new Date(now - VISIT_INTERVAL_DAYS * DAY_MS).toISOString();
    // Any home visit since then counts, including one recorded a few minutes "ahead" of now.
    const groups = await this.#byCommunity(region, await this.#atRisk(region, { from: since, to: '9999' }));
    return [...groups].map(([community, elders]) => ({
      region: community,
      atRisk: elders.length,
      overdue: elders
        .filter((e) => !e.homeInRange)
        .map((e) => toOverdue(e, now))
        .sort(
          (a, b) =>
            (b.daysSinceHomeVisit ?? Infinity) - (a.daysSinceHomeVisit ?? Infinity) ||
            a.elderId.localeCompare(b.elderId),
        ),
    }));
  }

  /** Share of at-risk elders with a home visit in the local `YYYY-MM` month, per community. */
  async monthlyRate(region: string, month: string): Promise<VisitRates> {
    const groups = await this.#byCommunity(region, await this.#atRisk(region, localMonthBounds(month)));
    const communities = [...groups].map(([community, elders]) =>
      rate(community, elders.length, elders.filter((e) => e.homeInRange).length),
    );
    const atRisk = communities.reduce((n, c) => n + c.atRisk, 0);
    const visited = communities.reduce((n, c) => n + c.visited, 0);
    return { month, region, communities, total: { atRisk, visited, rate: share(visited, atRisk) } };
  }

  /** At-risk elders in the subtree, each with whether a home visit falls in [from, to). */
  async #atRisk(region: string, range: { from: string; to: string }): Promise<ElderState[]> {
    const p = new Params();
    const from = p.add(range.from);
    const to = p.add(range.to);
    const subtree = regionSubtreeSql('h.region', region, p);
    // The EXISTS is a CASE so that both engines answer 1 or 0 (PostgreSQL would answer a boolean).
    const rows = await this.#db.all(
      `SELECT e.id, e.name, e.profile, e.household_id, h.address, h.region,
         (SELECT max(visited_at) FROM visits v WHERE v.elder_id = e.id AND v.kind = 'home') AS last_home,
         (SELECT max(visited_at) FROM visits v WHERE v.elder_id = e.id) AS last_contact,
         CASE WHEN EXISTS (SELECT 1 FROM visits v WHERE v.elder_id = e.id AND v.kind = 'home'
                 AND v.visited_at >= ${from} AND v.visited_at < ${to}) THEN 1 ELSE 0 END AS home_in_range
       FROM elders e JOIN households h ON h.id = e.household_id
       WHERE ${subtree} ORDER BY e.id`,
      p.values,
    );
    return rows
      .map((r) => ({
        id: String(r.id),
        name: String(r.name),
        householdId: String(r.household_id),
        address: String(r.address),
        region: String(r.region),
        reasons: atRiskReasons(JSON.parse(String(r.profile)) as Record<string, unknown>),
        lastHome: text(r.last_home),
        lastContact: text(r.last_contact),
        homeInRange: Number(r.home_in_range) === 1,
      }))
      .filter((e) => e.reasons.length > 0);
  }

  /** Every community in the subtree (also those without at-risk elders), in id order. */
  async #byCommunity(region: string, elders: ElderState[]): Promise<Map<string, ElderState[]>> {
    const p = new Params();
    const subtree = regionSubtreeSql('id', region, p);
    const groups = new Map<string, ElderState[]>();
    for (const r of await this.#db.all(
      `SELECT id FROM regions WHERE level = 'community' AND ${subtree} ORDER BY id`,
      p.values,
    ))
      groups.set(String(r.id), []);
    for (const e of elders) groups.set(e.region, [...(groups.get(e.region) ?? []), e]);
    return groups;
  }
}

function toOverdue(e: ElderState, now: number): OverdueElder {
  return {
    elderId: e.id,
    name: e.name,
    householdId: e.householdId,
    address: e.address,
    reasons: e.reasons,
    lastHomeVisitAt: e.lastHome,
    daysSinceHomeVisit: e.lastHome === null ? null : Math.floor((now - Date.parse(e.lastHome)) / DAY_MS),
    lastContactAt: e.lastContact,
  };
}

function rate(region: string, atRisk: number, visited: number): VisitRate {
  return { region, atRisk, visited, rate: share(visited, atRisk) };
}

const share = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);
