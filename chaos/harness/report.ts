import { DatabaseSync } from 'node:sqlite';
import type { SentEvent } from './fleet.ts';

export interface StoredAlert {
  eventId: string;
  gatewayId: string;
  occurredAt: string;
  raisedAt: string;
  state: string;
}

/**
 * Every alert of the gateways whose ids start with `$1`, in SQL both store engines take (SQLite reads `$1`
 * as `?1` through `querySqlite`).
 */
export const ALERTS_SQL = `SELECT event_id AS "eventId", gateway_id AS "gatewayId", occurred_at AS "occurredAt",
  raised_at AS "raisedAt", state FROM alerts WHERE substr(gateway_id, 1, length(CAST($1 AS TEXT))) = $1`;

/** One statement on a SQLite file opened read-only beside the running cloud; `$n` parameters as on PostgreSQL. */
export function querySqlite<T>(path: string, sql: string, params: readonly (string | number)[] = []): T[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    return db.prepare(sql.replace(/\$(\d+)/g, '?$1')).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** Every alert of the harness's gateways (ids starting with `gatewayPrefix`) in a cloud's SQLite store. */
export function readAlerts(storePath: string, gatewayPrefix: string): StoredAlert[] {
  return querySqlite<StoredAlert>(storePath, ALERTS_SQL, [gatewayPrefix]);
}

/** The counts every scenario prints. */
export interface Tally {
  /** Events put in the gateways' outboxes (every type, resends of one id counted once per press). */
  sent: number;
  /** Alerts there should be: one per distinct SOS event id. */
  expected: number;
  /** Expected event ids that have an alert. */
  found: number;
  /** Alerts beyond one per event id, plus alerts of event ids nobody expected. */
  duplicated: number;
  /** Expected SOS whose PUBACK reached the gateway and that have no alert: must always be 0. */
  ackedLost: number;
  /** Longest time from the press (the event's ts on a true clock) to the alert's raisedAt. */
  worstDelayMs: number;
  /** Alerts a dispatcher socket received, and the longest press-to-push time. */
  pushed: number;
  worstPushMs: number;
}

export function tally(
  sent: readonly SentEvent[],
  alerts: readonly StoredAlert[],
  acked: ReadonlyMap<string, number>,
  pushedAt: ReadonlyMap<string, number> = new Map(),
): Tally {
  const sos = new Map<string, SentEvent>();
  for (const e of sent) if (e.type === 'sos' && !sos.has(e.eventId)) sos.set(e.eventId, e);
  const perEvent = new Map<string, StoredAlert[]>();
  for (const a of alerts) perEvent.set(a.eventId, [...(perEvent.get(a.eventId) ?? []), a]);
  let found = 0;
  let ackedLost = 0;
  let worstDelayMs = 0;
  let pushed = 0;
  let worstPushMs = 0;
  for (const [id, event] of sos) {
    const first = perEvent.get(id)?.[0];
    if (!first) {
      if (acked.has(id)) ackedLost += 1;
      continue;
    }
    found += 1;
    worstDelayMs = Math.max(worstDelayMs, Date.parse(first.raisedAt) - event.pressedAt);
    const push = pushedAt.get(id);
    if (push !== undefined) {
      pushed += 1;
      worstPushMs = Math.max(worstPushMs, push - event.pressedAt);
    }
  }
  let duplicated = 0;
  for (const [id, list] of perEvent) duplicated += sos.has(id) ? list.length - 1 : list.length;
  return {
    sent: sent.length,
    expected: sos.size,
    found,
    duplicated,
    ackedLost,
    worstDelayMs,
    pushed,
    worstPushMs,
  };
}

export interface Check {
  what: string;
  ok: boolean;
}

export interface ScenarioResult {
  name: string;
  tally: Tally;
  /** Further facts the scenario checked (a clear error logged, the store intact…). */
  checks: Check[];
  /** Measurements without a bar, printed under the line (QoS 0 vitals lost…). */
  notes?: string[];
  seconds: number;
}

/** 0 lost, 0 duplicated, no PUBACKed SOS lost, every check true. */
export function passed(r: ScenarioResult): boolean {
  const t = r.tally;
  return t.found === t.expected && t.duplicated === 0 && t.ackedLost === 0 && r.checks.every((c) => c.ok);
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The one line a scenario prints. */
export function formatLine(r: ScenarioResult): string {
  const t = r.tally;
  const failed = r.checks.filter((c) => !c.ok).map((c) => c.what);
  return [
    r.name.padEnd(22),
    `sent ${t.sent}`,
    `expected ${t.expected}`,
    `found ${t.found}`,
    `lost ${t.expected - t.found}`,
    `duplicated ${t.duplicated}`,
    `acked-lost ${t.ackedLost}`,
    `worst delay ${s(t.worstDelayMs)}`,
    `pushed ${t.pushed} (worst ${s(t.worstPushMs)})`,
    `checks ${r.checks.length - failed.length}/${r.checks.length}`,
    passed(r) ? 'PASS' : `FAIL${failed.length ? `: ${failed.join('; ')}` : ''}`,
  ].join('  ');
}
