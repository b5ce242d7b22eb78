import type { Alert, AlertState, AlertType, Severity } from '../../protocol/index.ts';
import { greatest, Params, presentText, type Row, type SqlSession } from '../db/sql.ts';
import { regionSubtreeSql } from './region-sql.ts';
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

function toView(row: Row): AlertView {
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
  Object.assign(
    view,
    presentText({
      acknowledgedAt: row.acknowledged_at,
      acknowledgedBy: row.acknowledged_by,
      resolvedAt: row.resolved_at,
      resolvedBy: row.resolved_by,
      outcome: row.outcome,
      elderName: row.elder_name,
      address: row.address,
      firstPushedAt: row.first_pushed_at,
      clearedAt: row.cleared_at,
    }),
  );
  if (row.details !== null && row.details !== undefined) view.details = JSON.parse(String(row.details));
  if (row.clock_skew_ms !== null && row.clock_skew_ms !== undefined)
    view.clockSkewMs = Number(row.clock_skew_ms);
  return view;
}

/**
 * Persistence of alerts and their timelines. Callers own transactions (see AlertService): inside one,
 * use the view `in(tx)` bound to it.
 */
export class AlertStore {
  readonly #db: SqlSession;

  constructor(db: SqlSession) {
    this.#db = db;
  }

  /** The same store, its statements inside transaction `tx`. */
  in(tx: SqlSession): AlertStore {
    return new AlertStore(tx);
  }

  async insert(a: NewAlert): Promise<void> {
    await this.#db.run(
      `INSERT INTO alerts (id, type, severity, state, elder_id, household_id, region, gateway_id, device_id, event_id,
         occurred_at, received_at, raised_at, dedupe_key, last_seen_at, details, escalation_due_at, clock_skew_ms)
       VALUES ($1, $2, $3, 'open', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
      [
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
      ],
    );
  }

  async updateSeverity(id: string, severity: Severity, details?: Record<string, unknown>): Promise<void> {
    await this.#db.run('UPDATE alerts SET severity = $1, details = coalesce($2, details) WHERE id = $3', [
      severity,
      details ? JSON.stringify(details) : null,
      id,
    ]);
  }

  async clear(id: string, at: string): Promise<void> {
    await this.#db.run('UPDATE alerts SET cleared_at = coalesce(cleared_at, $1) WHERE id = $2', [at, id]);
  }

  /** Escalation: the new level and the next deadline (null stops it). */
  async escalate(id: string, level: number, dueAt: number | null): Promise<void> {
    await this.#db.run('UPDATE alerts SET escalation_level = $1, escalation_due_at = $2 WHERE id = $3', [
      level,
      dueAt,
      id,
    ]);
  }

  /** Open alerts whose escalation deadline has passed, oldest deadline first. */
  async dueForEscalation(now: number): Promise<AlertView[]> {
    const rows = await this.#db.all(
      `${SELECT} WHERE a.state = 'open' AND a.escalation_due_at <= $1 ORDER BY a.escalation_due_at`,
      [now],
    );
    return rows.map(toView);
  }

  /** Records the first time the alert reached a screen; later pushes change nothing. */
  async markPushed(id: string, at: string): Promise<void> {
    await this.#db.run('UPDATE alerts SET first_pushed_at = $1 WHERE id = $2 AND first_pushed_at IS NULL', [
      at,
      id,
    ]);
  }

  /** The open or acknowledged alert holding this dedupe key, if any. */
  async findActive(dedupeKey: string): Promise<AlertView | null> {
    const row = await this.#db.get(`${SELECT} WHERE a.dedupe_key = $1 AND a.state <> 'resolved'`, [
      dedupeKey,
    ]);
    return row ? toView(row) : null;
  }

  async recordRepeat(id: string, seenAt: string): Promise<void> {
    await this.#db.run(
      `UPDATE alerts SET repeat_count = repeat_count + 1,
         last_seen_at = ${greatest(this.#db.dialect, 'last_seen_at', 'CAST($1 AS TEXT)')} WHERE id = $2`,
      [seenAt, id],
    );
  }

  async get(id: string): Promise<AlertView | null> {
    const row = await this.#db.get(`${SELECT} WHERE a.id = $1`, [id]);
    return row ? toView(row) : null;
  }

  async acknowledge(id: string, by: string, at: string): Promise<void> {
    await this.#db.run(
      "UPDATE alerts SET state = 'acknowledged', acknowledged_at = $1, acknowledged_by = $2 WHERE id = $3 AND state = 'open'",
      [at, by, id],
    );
  }

  async resolve(id: string, by: string, at: string, outcome: string): Promise<void> {
    await this.#db.run(
      "UPDATE alerts SET state = 'resolved', resolved_at = $1, resolved_by = $2, outcome = $3, escalation_due_at = NULL WHERE id = $4 AND state <> 'resolved'",
      [at, by, outcome, id],
    );
  }

  async addTimeline(alertId: string, entry: TimelineEntry): Promise<void> {
    await this.#db.run(
      'INSERT INTO alert_timeline (alert_id, at, actor, action, note, data) VALUES ($1, $2, $3, $4, $5, $6)',
      [
        alertId,
        entry.at,
        entry.actor,
        entry.action,
        entry.note ?? null,
        entry.data ? JSON.stringify(entry.data) : null,
      ],
    );
  }

  async timeline(alertId: string): Promise<TimelineEntry[]> {
    const rows = await this.#db.all(
      'SELECT at, actor, action, note, data FROM alert_timeline WHERE alert_id = $1 ORDER BY seq',
      [alertId],
    );
    return rows.map((r) => ({
      at: String(r.at),
      actor: String(r.actor),
      action: String(r.action),
      ...(r.note === null ? {} : { note: String(r.note) }),
      ...(r.data === null ? {} : { data: JSON.parse(String(r.data)) }),
    }));
  }

  /** Alerts the user may see, newest first, optionally in one state. */
  async listForUser(user: User, state?: AlertState, limit = 1000): Promise<AlertView[]> {
    const where: string[] = [];
    const p = new Params();
    if (state) where.push(`a.state = ${p.add(state)}`);
    if (user.role === 'family') {
      where.push(`a.elder_id IN ${p.list(user.elderIds)}`);
    } else {
      where.push(regionSubtreeSql('a.region', user.scope, p));
    }
    const sql = `${SELECT} WHERE ${where.join(' AND ')} ORDER BY a.raised_at DESC LIMIT ${p.add(limit)}`;
    return (await this.#db.all(sql, p.values)).map(toView);
  }

  /**
   * What a gateway's feedback should reflect now: its alerts not yet resolved, and those resolved at or
   * after `resolvedSince`, oldest first (resent when the gateway comes back online).
   */
  async forFeedback(gatewayId: string, resolvedSince: string): Promise<AlertView[]> {
    const rows = await this.#db.all(
      `${SELECT} WHERE a.gateway_id = $1 AND (a.state <> 'resolved' OR a.resolved_at >= $2)
       ORDER BY a.raised_at LIMIT 100`,
      [gatewayId, resolvedSince],
    );
    return rows.map(toView);
  }

  async count(): Promise<number> {
    return Number((await this.#db.get('SELECT count(*) AS n FROM alerts'))?.n ?? 0);
  }
}
