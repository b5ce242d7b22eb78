import { SERVICE_KINDS, type ServiceKind } from '../../protocol/index.ts';
import { Params, type SqlSession } from '../db/sql.ts';
import { nearestRank } from './nearest-rank.ts';
import { type RegionScope, scopeSql } from './region-sql.ts';

/**
 * Figures of the green key's service tickets, beside the alert figures (same period and region rules):
 * - a ticket belongs to the period when `from <= requestedAt < to`;
 * - `byKind` counts the period's tickets by service (every kind listed, zeros included);
 * - `doneP50S`: nearest-rank median of doneAt − requestedAt in seconds over the period's done tickets;
 * - `openNow`: tickets requested or accepted at query time, whenever requested.
 */
export interface ServiceFigures {
  total: number;
  byKind: Record<ServiceKind, number>;
  done: number;
  cancelled: number;
  doneP50S: number | null;
  openNow: number;
}

export interface TicketRow {
  region: string;
  service: string;
  state: string;
  requestedMs: number;
  doneMs: number | null;
}

export async function loadTickets(
  db: SqlSession,
  q: RegionScope & { from: string; to: string },
): Promise<TicketRow[]> {
  const p = new Params();
  const from = p.add(new Date(q.from).toISOString());
  const to = p.add(new Date(q.to).toISOString());
  const rows = await db.all(
    `SELECT region, service, state, requested_at, done_at FROM service_tickets
     WHERE requested_at >= ${from} AND requested_at < ${to} AND ${scopeSql(q, p)}`,
    p.values,
  );
  return rows.map((r) => ({
    region: String(r.region),
    service: String(r.service),
    state: String(r.state),
    requestedMs: Date.parse(String(r.requested_at)),
    doneMs: r.done_at === null || r.done_at === undefined ? null : Date.parse(String(r.done_at)),
  }));
}

/** The regions of the tickets waiting or accepted now, one entry per ticket. */
export async function openTicketRegions(db: SqlSession, q: RegionScope): Promise<string[]> {
  const p = new Params();
  const rows = await db.all(
    `SELECT region FROM service_tickets WHERE state IN ('requested', 'accepted') AND ${scopeSql(q, p)}`,
    p.values,
  );
  return rows.map((r) => String(r.region));
}

export function summariseTickets(rows: readonly TicketRow[], openNow: number): ServiceFigures {
  const byKind = Object.fromEntries(SERVICE_KINDS.map((k) => [k, 0])) as Record<ServiceKind, number>;
  for (const r of rows) if (r.service in byKind) byKind[r.service as ServiceKind] += 1;
  const took = rows
    .flatMap((r) => (r.doneMs === null ? [] : [Math.max(0, r.doneMs - r.requestedMs) / 1000]))
    .sort((a, b) => a - b);
  return {
    total: rows.length,
    byKind,
    done: rows.filter((r) => r.state === 'done').length,
    cancelled: rows.filter((r) => r.state === 'cancelled').length,
    doneP50S: nearestRank(took, 0.5),
    openNow,
  };
}
