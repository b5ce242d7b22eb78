import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { Alert, AlertState, AlertType, Severity } from '../../protocol/index.ts';
import type { User } from './scope.ts';

/** The contract's Alert plus display extensions the dashboard uses (CONTRACT §4 allows extending). */
export interface AlertView extends Alert {
  elderName?: string;
  address?: string;
  repeatCount: number;
  lastSeenAt: string;
  /** What the rule saw (the vital and its value, the room of a smoke alarm, ...). */
  details?: Record<string, unknown>;
  /** When the alert first reached a dispatcher's screen. */
  firstPushedAt?: string;
  /** When the condition behind it went away (the alert stays until an operator resolves it). */
  clearedAt?: string;
  /** How far the gateway's clock was off when the event arrived, when that was more than tolerated. */
  clockSkewMs?: number;
}

/** What a new alert is stored with: the contract's fields set at raise time, plus the engine's own. */
export type NewAlert = Pick<
  Alert,
  | 'id'
  | 'type'
  | 'severity'
  | 'elderId'
  | 'householdId'
  | 'region'
  | 'gatewayId'
  | 'deviceId'
  | 'eventId'
  | 'occurredAt'
  | 'receivedAt'
  | 'raisedAt'
> & {
  dedupeKey: string;
  details?: Record<string, unknown>;
  escalationDueAt: number | null;
  clockSkewMs?: number;
};

export interface TimelineEntry {
  at: string;
  actor: string;
  action: string;
  note?: string;
  data?: Record<string, unknown>;
}

const SELECT = `
  SELECT a.*, e.name AS elder_name, h.address AS address
  FROM alerts a LEFT JOIN elders e ON e.id = a.elder_id LEFT JOIN households h ON h.id = a.household_id`;

function toView(row: Record<string, SQLInputValue>): AlertView {
  const opt = (v: SQLInputValue | undefined): string | undefined =>
    v === null || v === undefined ? undefined : String(v);
  const view: AlertView = {
    id: String(row.id),
    type: row.type as AlertType,
    severity: row.severity as Severity,
    state: row.state as AlertState,
    elderId: String(row.elder_id),
    householdId: String(row.household_id),
    region: String(row.region),
    gatewayId: String(row.gateway_id),
    deviceId: String(row.device_id),
    eventId: String(row.event_id),
    occurredAt: String(row.occurred_at),
    receivedAt: String(row.received_at),
    raisedAt: String(row.raised_at),
    escalationLevel: Number(row.escalation_level),
    repeatCount: Number(row.repeat_count),
    lastSeenAt: String(row.last_seen_at),
  };
  const optional = {
    acknowledgedAt: opt(row.acknowledged_at),
    acknowledgedBy: opt(row.acknowledged_by),
    resolvedAt: opt(row.resolved_at),
    resolvedBy: opt(row.resolved_by),
    outcome: opt(row.outcome),
    elderName: opt(row.elder_name),
    address: opt(row.address),
    firstPushedAt: opt(row.first_pushed_at),
    clearedAt: opt(row.cleared_at),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) Object.assign(view, { [k]: v });
  if (row.details !== null && row.details !== undefined) view.details = JSON.parse(String(row.details));
  if (row.clock_skew_ms !== null && row.clock_skew_ms !== undefined)
    view.clockSkewMs = Number(row.clock_skew_ms);
  return view;
}

/** Persistence of alerts and their timelines. Callers own transactions (see AlertService). */
export class AlertStore {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  insert(a: NewAlert): void {
    this.#db
      .prepare(
        `INSERT INTO alerts (id, type, severity, state, elder_id, household_id, region, gateway_id, device_id, event_id,
           occurred_at, received_at, raised_at, dedupe_key, last_seen_at, details, escalation_due_at, clock_skew_ms)
         VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        a.id,
        a.type,
        a.severity,
        a.elderId,
        a.householdId,
        a.region,
        a.gatewayId,
        a.deviceId,
        a.eventId,
        a.occurredAt,
        a.receivedAt,
        a.raisedAt,
        a.dedupeKey,
        a.occurredAt,
        a.details ? JSON.stringify(a.details) : null,
        a.escalationDueAt,
        a.clockSkewMs ?? null,
      );
  }

  updateSeverity(id: string, severity: Severity, details?: Record<string, unknown>): void {
    this.#db
      .prepare('UPDATE alerts SET severity = ?, details = coalesce(?, details) WHERE id = ?')
      .run(severity, details ? JSON.stringify(details) : null, id);
  }

  clear(id: string, at: string): void {
    this.#db.prepare('UPDATE alerts SET cleared_at = coalesce(cleared_at, ?) WHERE id = ?').run(at, id);
  }

  /** Escalation: the new level and the next deadline (null stops it). */
  escalate(id: string, level: number, dueAt: number | null): void {
    this.#db
      .prepare('UPDATE alerts SET escalation_level = ?, escalation_due_at = ? WHERE id = ?')
      .run(level, dueAt, id);
  }

  /** Open alerts whose escalation deadline has passed, oldest deadline first. */
  dueForEscalation(now: number): AlertView[] {
    return this.#db
      .prepare(`${SELECT} WHERE a.state = 'open' AND a.escalation_due_at <= ? ORDER BY a.escalation_due_at`)
      .all(now)
      .map(toView);
  }

  /** Records the first time the alert reached a screen; later pushes change nothing. */
  markPushed(id: string, at: string): void {
    this.#db
      .prepare('UPDATE alerts SET first_pushed_at = ? WHERE id = ? AND first_pushed_at IS NULL')
      .run(at, id);
  }

  /** The open or acknowledged alert holding this dedupe key, if any. */
  findActive(dedupeKey: string): AlertView | null {
    const row = this.#db.prepare(`${SELECT} WHERE a.dedupe_key = ? AND a.state <> 'resolved'`).get(dedupeKey);
    return row ? toView(row) : null;
  }

  recordRepeat(id: string, seenAt: string): void {
    this.#db
      .prepare(
        'UPDATE alerts SET repeat_count = repeat_count + 1, last_seen_at = max(last_seen_at, ?) WHERE id = ?',
      )
      .run(seenAt, id);
  }

  get(id: string): AlertView | null {
    const row = this.#db.prepare(`${SELECT} WHERE a.id = ?`).get(id);
    return row ? toView(row) : null;
  }

  acknowledge(id: string, by: string, at: string): void {
    this.#db
      .prepare(
        "UPDATE alerts SET state = 'acknowledged', acknowledged_at = ?, acknowledged_by = ? WHERE id = ? AND state = 'open'",
      )
      .run(at, by, id);
  }

  resolve(id: string, by: string, at: string, outcome: string): void {
    this.#db
      .prepare(
        "UPDATE alerts SET state = 'resolved', resolved_at = ?, resolved_by = ?, outcome = ?, escalation_due_at = NULL WHERE id = ? AND state <> 'resolved'",
      )
      .run(at, by, outcome, id);
  }

  addTimeline(alertId: string, entry: TimelineEntry): void {
    this.#db
      .prepare(
        'INSERT INTO alert_timeline (alert_id, at, actor, action, note, data) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        alertId,
        entry.at,
        entry.actor,
        entry.action,
        entry.note ?? null,
        entry.data ? JSON.stringify(entry.data) : null,
      );
  }

  timeline(alertId: string): TimelineEntry[] {
    return this.#db
      .prepare('SELECT at, actor, action, note, data FROM alert_timeline WHERE alert_id = ? ORDER BY seq')
      .all(alertId)
      .map((r) => ({
        at: String(r.at),
        actor: String(r.actor),
        action: String(r.action),
        ...(r.note === null ? {} : { note: String(r.note) }),
        ...(r.data === null ? {} : { data: JSON.parse(String(r.data)) }),
      }));
  }

  /** Alerts the user may see, newest first, optionally in one state. */
  listForUser(user: User, state?: AlertState, limit = 1000): AlertView[] {
    const where: string[] = [];
    const params: SQLInputValue[] = [];
    if (state) {
      where.push('a.state = ?');
      params.push(state);
    }
    if (user.role === 'family') {
      where.push(`a.elder_id IN (SELECT value FROM json_each(?))`);
      params.push(JSON.stringify(user.elderIds));
    } else {
      where.push("(a.region = ? OR substr(a.region, 1, length(?) + 1) = ? || '.')");
      params.push(user.scope, user.scope, user.scope);
    }
    params.push(limit);
    const sql = `${SELECT} WHERE ${where.join(' AND ')} ORDER BY a.raised_at DESC LIMIT ?`;
    return this.#db
      .prepare(sql)
      .all(...params)
      .map(toView);
  }

  count(): number {
    return Number(this.#db.prepare('SELECT count(*) AS n FROM alerts').get()?.n ?? 0);
  }
}
