import type { DatabaseSync } from 'node:sqlite';
import { type EventEnvelope, timestamp } from '../../protocol/index.ts';
import { transaction } from '../db/database.ts';
import { RuleEngine } from '../rules/engine.ts';
import { RULES } from '../rules/registry.ts';
import type { AnyRule, RuleInput } from '../rules/rule.ts';
import { type AlertChange, applyActions, type Change } from './alert-actions.ts';
import { AlertStore, type AlertView } from './alert-store.ts';
import type { DeviceContext } from './registry.ts';
import { type GlobalOverrides, ruleConfigResolver } from './rule-config.ts';
import type { User } from './scope.ts';

export type { AlertChange } from './alert-actions.ts';
export type AlertListener = (change: AlertChange, alert: AlertView) => void;

export type IngestOutcome = { duplicate: true } | { duplicate: false; changes: Change[] };

export type ActionResult =
  | { ok: true; alert: AlertView; changed: boolean }
  | { ok: false; code: 'not_found' | 'already_resolved' };

export interface AlertServiceOptions {
  rules?: readonly AnyRule[];
  clock?: () => number;
  /** Seconds an unacknowledged alert waits before it escalates one level (ESCALATE_AFTER_S). */
  escalateAfterS?: number;
  /** Boot-time rule settings, e.g. `{fall: {graceS: FALL_GRACE_S}}`. */
  ruleOverrides?: GlobalOverrides;
  /** Told when a rule throws; the other rules go on. */
  onRuleError?: (ruleId: string, err: unknown) => void;
  /** Runs inside the transaction of every alert change (the notification outbox plans here). */
  inTransaction?: (changes: readonly Change[], now: number) => void;
}

/** A gateway clock ahead of ours by more than this is flagged and not trusted for rule timing. */
const FUTURE_TOLERANCE_MS = 2 * 60_000;

/**
 * The alert lifecycle. Every change is committed before any listener hears of it, so nobody is ever
 * told of an alert that a crash could take back.
 */
export class AlertService {
  readonly store: AlertStore;
  readonly engine: RuleEngine;
  readonly #db: DatabaseSync;
  readonly #listeners = new Set<AlertListener>();
  readonly #clock: () => number;
  readonly #escalateAfterMs: number;
  readonly #inTx: (changes: readonly Change[], now: number) => void;

  constructor(db: DatabaseSync, options: AlertServiceOptions = {}) {
    this.#db = db;
    this.#clock = options.clock ?? Date.now;
    this.#escalateAfterMs = (options.escalateAfterS ?? 60) * 1000;
    this.#inTx = options.inTransaction ?? (() => {});
    this.store = new AlertStore(db);
    this.engine = new RuleEngine(
      db,
      options.rules ?? RULES,
      ruleConfigResolver(db, options.ruleOverrides),
      options.onRuleError,
    );
  }

  get escalateAfterMs(): number {
    return this.#escalateAfterMs;
  }

  now(): number {
    return this.#clock();
  }

  onChange(listener: AlertListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Records an event once (by gateway and event id) and runs the rules for it. */
  ingestEvent(ctx: DeviceContext, event: EventEnvelope, receivedAt: string): IngestOutcome {
    const now = this.#clock();
    const ts = Date.parse(event.ts);
    const skew = ts - Date.parse(receivedAt);
    const clockSkewMs = skew > FUTURE_TOLERANCE_MS ? skew : undefined;
    const outcome = transaction(this.#db, (): IngestOutcome => {
      const inserted = this.#db
        .prepare(
          'INSERT OR IGNORE INTO events (gateway_id, event_id, device_id, type, ts, received_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          ctx.gatewayId,
          event.id,
          ctx.deviceId,
          event.type,
          event.ts,
          receivedAt,
          event.data ? JSON.stringify(event.data) : null,
        );
      if (inserted.changes === 0) return { duplicate: true };
      const { gatewayId, deviceId, elderId, householdId, region } = ctx;
      const input: RuleInput = {
        kind: 'event',
        subject: { gatewayId, deviceId, elderId, householdId, region },
        type: event.type,
        eventId: event.id,
        // A clock running ahead must not stretch grace periods: use our receipt time instead.
        at: clockSkewMs === undefined ? ts : Date.parse(receivedAt),
        data: { ...event.data, ...(ctx.location ? { location: ctx.location } : {}) },
      };
      const actions = this.engine.evaluate(input, now);
      const apply = {
        now,
        receivedAt,
        escalateAfterMs: this.#escalateAfterMs,
        clockSkewMs,
        event: { id: event.id, ts: event.ts },
      };
      const changes = applyActions(this.store, actions, apply);
      this.#inTx(changes, now);
      return { duplicate: false, changes };
    });
    if (!outcome.duplicate) this.#emit(outcome.changes);
    return outcome;
  }

  /** Runs the rules for vitals and gateway or device states. */
  ingest(input: RuleInput, receivedAt: string): Change[] {
    const now = this.#clock();
    const changes = transaction(this.#db, () => {
      const apply = { now, receivedAt, escalateAfterMs: this.#escalateAfterMs };
      const applied = applyActions(this.store, this.engine.evaluate(input, now), apply);
      this.#inTx(applied, now);
      return applied;
    });
    this.#emit(changes);
    return changes;
  }

  /** Wakes due rules (grace periods, supervision windows) and escalates overdue alerts. */
  tick(): Change[] {
    const now = this.#clock();
    const changes = transaction(this.#db, () => {
      const fromRules = applyActions(this.store, this.engine.due(now), {
        now,
        receivedAt: timestamp(now),
        escalateAfterMs: this.#escalateAfterMs,
      });
      const all = [...fromRules, ...this.#escalate(now)];
      this.#inTx(all, now);
      return all;
    });
    this.#emit(changes);
    return changes;
  }

  /**
   * Unacknowledged past the deadline: community (0) → district supervisors (1) → city (2); at the top
   * it keeps reminding every period until someone acknowledges. Deadlines are stored, so a restart in
   * the middle of an escalation keeps them.
   */
  #escalate(now: number): Change[] {
    return this.store.dueForEscalation(now).map((alert) => {
      const level = Math.min(alert.escalationLevel + 1, 2);
      const at = timestamp(now);
      this.store.escalate(alert.id, level, now + this.#escalateAfterMs);
      const action = level > alert.escalationLevel ? 'escalated' : 'reminder';
      this.store.addTimeline(alert.id, { at, actor: 'system', action, data: { level } });
      return { change: 'updated' as const, alert: this.store.get(alert.id) as AlertView };
    });
  }

  acknowledge(id: string, user: User, note?: string): ActionResult {
    return this.#act(id, (alert, at) => {
      if (alert.state === 'resolved') return 'already_resolved';
      if (alert.state === 'acknowledged') return false;
      this.store.acknowledge(id, user.username, at);
      this.store.addTimeline(id, {
        at,
        actor: user.username,
        action: 'acknowledged',
        ...(note ? { note } : {}),
      });
      return true;
    });
  }

  resolve(id: string, user: User, outcome: string, note?: string): ActionResult {
    return this.#act(id, (alert, at) => {
      if (alert.state === 'resolved') return 'already_resolved';
      this.store.resolve(id, user.username, at, outcome);
      this.store.addTimeline(id, {
        at,
        actor: user.username,
        action: 'resolved',
        ...(note ? { note } : {}),
        data: { outcome },
      });
      return true;
    });
  }

  /** A note, or a responder milestone (accepted with an ETA, on scene, help confirmed), on the timeline. */
  record(
    id: string,
    user: User,
    entry: { action: string; note?: string; data?: Record<string, unknown> },
  ): ActionResult {
    return this.#act(id, (_alert, at) => {
      this.store.addTimeline(id, { at, actor: user.username, ...entry });
      return true;
    });
  }

  /** A timeline entry by the system (deliveries of notifications), without a state change to push. */
  recordSystem(id: string, action: string, data: Record<string, unknown>): void {
    this.store.addTimeline(id, { at: timestamp(this.#clock()), actor: 'system', action, data });
  }

  /** The alert reached a dispatcher's screen (kept only the first time). */
  markPushed(id: string): void {
    this.store.markPushed(id, timestamp(this.#clock()));
  }

  #act(id: string, change: (alert: AlertView, at: string) => boolean | 'already_resolved'): ActionResult {
    const result = transaction(this.#db, (): ActionResult => {
      const alert = this.store.get(id);
      if (!alert) return { ok: false, code: 'not_found' };
      const now = this.#clock();
      const changed = change(alert, timestamp(now));
      if (changed === 'already_resolved') return { ok: false, code: 'already_resolved' };
      const after = changed ? (this.store.get(id) as AlertView) : alert;
      if (changed) this.#inTx([{ change: 'updated', alert: after }], now);
      return { ok: true, alert: after, changed };
    });
    if (result.ok && result.changed) this.#emit([{ change: 'updated', alert: result.alert }]);
    return result;
  }

  #emit(changes: Change[]): void {
    for (const { change, alert } of changes) for (const listener of this.#listeners) listener(change, alert);
  }
}
