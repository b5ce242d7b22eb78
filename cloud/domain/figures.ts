import { Params, type SqlSession } from '../db/sql.ts';
import { nearestRank } from './nearest-rank.ts';
import { regionSubtreeSql, scopeSql } from './region-sql.ts';
import {
  loadTickets,
  openTicketRegions,
  type ServiceFigures,
  summariseTickets,
  type TicketRow,
} from './service-figures.ts';

/**
 * Service figures over the alerts table: how fast calls were answered and how they ended.
 *
 * Definitions (the dashboard and any report quote these):
 * - An alert belongs to the period when `from <= raisedAt < to` (half-open, so consecutive periods never
 *   count an alert twice).
 * - An alert is answered when a person acknowledged it, or resolved it straight from open (the answer
 *   time is then the resolution). Alerts the system closed before anyone answered (the elder pressed
 *   cancel within the cancel window) never needed answering and are left out of the shares.
 * - `ackWithin60sShare` = alerts of the period answered no later than 60 s after `raisedAt`, divided by
 *   all alerts of the period that needed answering. Unanswered alerts count as misses: the Telecare
 *   Services Association target is about calls answered, and an unanswered call is the failure it
 *   exists to expose. Same for 180 s. Null when the period has no such alerts.
 * - `ackP50S`/`ackP95S`: nearest-rank percentiles (the value at rank ⌈p·n⌉ of the sorted list) of
 *   acknowledgedAt − raisedAt in seconds, over the alerts of the period that were acknowledged;
 *   `resolveP50S`/`resolveP95S` likewise for resolvedAt − raisedAt. Null when none happened.
 * - `byOutcome` counts resolved alerts; `falseAlarmRate` = outcome `false_alarm` / resolved.
 * - `openNow`: alerts of the group not resolved (open or acknowledged) at query time, whenever raised.
 * - `services`: the green key's service tickets of the group (see service-figures.ts): requests by kind,
 *   median time to done, waiting now.
 */
export const ACK_TARGETS = { ackWithin60s: 0.975, ackWithin180s: 0.99 } as const;
export type AckTargets = typeof ACK_TARGETS;

export const GROUP_BYS = ['none', 'district', 'community'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

/** China keeps one offset all year; days and months in reports are local (+08:00) ones. */
export const LOCAL_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

export interface FigureQuery {
  /** A region id (dot path): the region and everything under it; null: everywhere. */
  region: string | null;
  /** Only these elders' alerts (a family's view). */
  elderIds?: string[];
  from: string;
  to: string;
  groupBy?: GroupBy;
}

export interface GroupFigures {
  /** The group's region (a district or community id), or the query's region when not grouped. */
  region: string | null;
  total: number;
  acknowledged: number;
  resolved: number;
  ackWithin60sShare: number | null;
  ackWithin180sShare: number | null;
  ackP50S: number | null;
  ackP95S: number | null;
  resolveP50S: number | null;
  resolveP95S: number | null;
  byType: Record<string, number>;
  bySeverity: Record<string, number>;
  byOutcome: Record<string, number>;
  falseAlarmRate: number | null;
  openNow: number;
  /** Null when there is nothing to judge (no alerts in the period). */
  targetsMet: { ackWithin60s: boolean | null; ackWithin180s: boolean | null };
  /** Service tickets (the green key): never alerts, so counted apart from everything above. */
  services: ServiceFigures;
}

export interface Figures {
  from: string;
  to: string;
  region: string | null;
  groupBy: GroupBy;
  targets: AckTargets;
  overall: GroupFigures;
  /** One entry per district or community in the region (also those without alerts); `[overall]` when not grouped. */
  groups: GroupFigures[];
}

export interface DayFigures {
  /** Local (+08:00) date, `YYYY-MM-DD`. */
  day: string;
  total: number;
  ackWithin60sShare: number | null;
  ackWithin180sShare: number | null;
  ackP50S: number | null;
  ackP95S: number | null;
}

interface AlertRow {
  region: string;
  type: string;
  severity: string;
  raisedMs: number;
  /** When a person answered it (acknowledged, or resolved straight from open). */
  ackMs: number | null;
  resolvedMs: number | null;
  outcome: string | null;
  /** False for alerts the system closed before anyone answered: they never needed answering. */
  answerable: boolean;
}

const msOrNull = (v: unknown): number | null =>
  v === null || v === undefined ? null : Date.parse(String(v));

async function loadAlerts(db: SqlSession, q: FigureQuery): Promise<AlertRow[]> {
  const p = new Params();
  // Stored times are `toISOString()` strings, so normalised bounds compare correctly as text.
  const from = p.add(new Date(q.from).toISOString());
  const to = p.add(new Date(q.to).toISOString());
  const rows = await db.all(
    `SELECT region, type, severity, raised_at, acknowledged_at, resolved_at, resolved_by, outcome FROM alerts
     WHERE raised_at >= ${from} AND raised_at < ${to} AND ${scopeSql(q, p)}`,
    p.values,
  );
  return rows.map((r) => ({
    region: String(r.region),
    type: String(r.type),
    severity: String(r.severity),
    raisedMs: Date.parse(String(r.raised_at)),
    ackMs: msOrNull(r.acknowledged_at) ?? (r.resolved_by === 'system' ? null : msOrNull(r.resolved_at)),
    answerable: !(r.resolved_by === 'system' && r.acknowledged_at === null),
    resolvedMs: msOrNull(r.resolved_at),
    outcome: r.outcome === null || r.outcome === undefined ? null : String(r.outcome),
  }));
}

async function openRegions(db: SqlSession, q: FigureQuery): Promise<string[]> {
  const p = new Params();
  const rows = await db.all(
    `SELECT region FROM alerts WHERE state <> 'resolved' AND ${scopeSql(q, p)}`,
    p.values,
  );
  return rows.map((r) => String(r.region));
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

const seconds = (ms: number): number => ms / 1000;
const ascending = (a: number, b: number): number => a - b;

function ackDelays(rows: readonly AlertRow[]): number[] {
  return rows.flatMap((r) => (r.ackMs === null ? [] : [r.ackMs - r.raisedMs])).sort(ascending);
}

function shareWithin(rows: readonly AlertRow[], limitMs: number): number | null {
  const needed = rows.filter((r) => r.answerable);
  if (needed.length === 0) return null;
  return needed.filter((r) => r.ackMs !== null && r.ackMs - r.raisedMs <= limitMs).length / needed.length;
}

function summarise(
  region: string | null,
  rows: readonly AlertRow[],
  openNow: number,
  services: ServiceFigures,
): GroupFigures {
  const acks = ackDelays(rows).map(seconds);
  const resolvedRows = rows.filter((r) => r.resolvedMs !== null);
  const resolves = resolvedRows.map((r) => seconds((r.resolvedMs as number) - r.raisedMs)).sort(ascending);
  const outcomes = resolvedRows.map((r) => r.outcome ?? 'unknown');
  const within60 = shareWithin(rows, 60_000);
  const within180 = shareWithin(rows, 180_000);
  return {
    region,
    total: rows.length,
    acknowledged: acks.length,
    resolved: resolvedRows.length,
    ackWithin60sShare: within60,
    ackWithin180sShare: within180,
    ackP50S: nearestRank(acks, 0.5),
    ackP95S: nearestRank(acks, 0.95),
    resolveP50S: nearestRank(resolves, 0.5),
    resolveP95S: nearestRank(resolves, 0.95),
    byType: countBy(rows.map((r) => r.type)),
    bySeverity: countBy(rows.map((r) => r.severity)),
    byOutcome: countBy(outcomes),
    falseAlarmRate:
      resolvedRows.length === 0 ? null : (countBy(outcomes).false_alarm ?? 0) / resolvedRows.length,
    openNow,
    targetsMet: {
      ackWithin60s: within60 === null ? null : within60 >= ACK_TARGETS.ackWithin60s,
      ackWithin180s: within180 === null ? null : within180 >= ACK_TARGETS.ackWithin180s,
    },
    services,
  };
}

/** What the figures are made of, read once: the period's alerts and tickets, and those open now (their regions). */
interface Loaded {
  alerts: AlertRow[];
  openAlerts: string[];
  tickets: TicketRow[];
  openTickets: string[];
}

async function load(db: SqlSession, q: FigureQuery): Promise<Loaded> {
  return {
    alerts: await loadAlerts(db, q),
    openAlerts: await openRegions(db, q),
    tickets: await loadTickets(db, q),
    openTickets: await openTicketRegions(db, q),
  };
}

function summariseAll(region: string | null, d: Loaded): GroupFigures {
  const services = summariseTickets(d.tickets, d.openTickets.length);
  return summarise(region, d.alerts, d.openAlerts.length, services);
}

/** `items` by the group key of each one's region. */
function bucket<T>(
  items: readonly T[],
  regionOf: (item: T) => string,
  keyOf: (region: string) => string,
): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(regionOf(item));
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

const LEVEL_DEPTH = { district: 2, community: 3 } as const;

/** The group a region falls in: its dot path cut to `depth` segments. */
function groupKey(region: string, depth: number): string {
  return region.split('.').slice(0, depth).join('.');
}

async function groupRegions(
  db: SqlSession,
  q: FigureQuery,
  groupBy: 'district' | 'community',
): Promise<string[]> {
  const depth = LEVEL_DEPTH[groupBy];
  if (q.region !== null && q.region.split('.').length >= depth) return [q.region];
  const p = new Params();
  const level = p.add(groupBy);
  const subtree = q.region === null ? '1 = 1' : regionSubtreeSql('id', q.region, p);
  const rows = await db.all(
    `SELECT id FROM regions WHERE level = ${level} AND ${subtree} ORDER BY id`,
    p.values,
  );
  return rows.map((r) => String(r.id));
}

async function grouped(
  db: SqlSession,
  q: FigureQuery,
  groupBy: 'district' | 'community',
  d: Loaded,
): Promise<GroupFigures[]> {
  const depth = Math.max(LEVEL_DEPTH[groupBy], q.region?.split('.').length ?? 0);
  const keyOf = (region: string) => groupKey(region, depth);
  const byRow = (r: { region: string }) => r.region;
  const alerts = bucket(d.alerts, byRow, keyOf);
  const openAlerts = bucket(d.openAlerts, String, keyOf);
  const tickets = bucket(d.tickets, byRow, keyOf);
  const openTickets = bucket(d.openTickets, String, keyOf);
  const keys = new Set([
    ...(await groupRegions(db, q, groupBy)),
    ...alerts.keys(),
    ...openAlerts.keys(),
    ...tickets.keys(),
    ...openTickets.keys(),
  ]);
  return [...keys].sort().map((key) =>
    summariseAll(key, {
      alerts: alerts.get(key) ?? [],
      openAlerts: openAlerts.get(key) ?? [],
      tickets: tickets.get(key) ?? [],
      openTickets: openTickets.get(key) ?? [],
    }),
  );
}

/** Figures for the alerts raised in [from, to) in a region subtree, overall and per district or community. */
export async function computeFigures(db: SqlSession, q: FigureQuery): Promise<Figures> {
  const groupBy = q.groupBy ?? 'none';
  const loaded = await load(db, q);
  const overall = summariseAll(q.region, loaded);
  return {
    from: new Date(q.from).toISOString(),
    to: new Date(q.to).toISOString(),
    region: q.region,
    groupBy,
    targets: ACK_TARGETS,
    overall,
    groups: groupBy === 'none' ? [overall] : await grouped(db, q, groupBy, loaded),
  };
}

/** The local (+08:00) date of an instant, `YYYY-MM-DD`. */
export function localDay(ms: number): string {
  return new Date(ms + LOCAL_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a local (+08:00) date begins. */
export function localDayStart(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`) - LOCAL_OFFSET_MS;
}

/** One entry per local day touched by [from, to), days without alerts included, for charts. */
export async function seriesByDay(db: SqlSession, q: Omit<FigureQuery, 'groupBy'>): Promise<DayFigures[]> {
  const byDay = new Map<string, AlertRow[]>();
  const toMs = Date.parse(q.to);
  for (let start = localDayStart(localDay(Date.parse(q.from))); start < toMs; start += DAY_MS)
    byDay.set(localDay(start), []);
  for (const row of await loadAlerts(db, q)) byDay.get(localDay(row.raisedMs))?.push(row);
  return [...byDay].map(([day, rows]) => {
    const delays = ackDelays(rows).map(seconds);
    return {
      day,
      total: rows.length,
      ackWithin60sShare: shareWithin(rows, 60_000),
      ackWithin180sShare: shareWithin(rows, 180_000),
      ackP50S: nearestRank(delays, 0.5),
      ackP95S: nearestRank(delays, 0.95),
    };
  });
}

/** What the routes need, bound to the store: `deps.figures` in RouteDeps. */
export interface FigureReader {
  compute(q: FigureQuery): Promise<Figures>;
  daily(q: Omit<FigureQuery, 'groupBy'>): Promise<DayFigures[]>;
}

export function figureReader(db: SqlSession): FigureReader {
  return { compute: (q) => computeFigures(db, q), daily: (q) => seriesByDay(db, q) };
}
