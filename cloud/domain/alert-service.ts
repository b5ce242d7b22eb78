import { randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { EventEnvelope } from '../../protocol/index.ts';
import { transaction } from '../db/database.ts';
import { rulesFor } from '../rules/registry.ts';
import type { Rule, RuleEvent } from '../rules/rule.ts';
import { AlertStore, type AlertView } from './alert-store.ts';
import type { DeviceContext } from './registry.ts';
import type { User } from './scope.ts';

export type AlertChange = 'raised' | 'updated';
export type AlertListener = (change: AlertChange, alert: AlertView) => void;

export type IngestOutcome =
  | { duplicate: true }
  | { duplicate: false; raised: AlertView[]; repeated: AlertView[] };

export type ActionResult =
  | { ok: true; alert: AlertView; changed: boolean }
  | { ok: false; code: 'not_found' | 'already_resolved' };

/**
 * The alert lifecycle. Every change is committed before any listener hears of it, so nobody is ever
 * told of an alert that a crash could take back.
 */
export class AlertService {
  readonly #db: DatabaseSync;
  readonly #rules: readonly Rule<unknown>[] | undefined;
  readonly #listeners = new Set<AlertListener>();
  readonly #clock: () => number;
  readonly store: AlertStore;

  constructor(db: DatabaseSync, options: { rules?: readonly Rule<unknown>[]; clock?: () => number } = {}) {
    this.#db = db;
    this.#rules = options.rules;
    this.#clock = options.clock ?? Date.now;
    this.store = new AlertStore(db);
  }

  onChange(listener: AlertListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Records an event once (by gateway and event id) and runs the rules for it. */
  ingestEvent(ctx: DeviceContext, event: EventEnvelope, receivedAt: string): IngestOutcome {
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
      const ruleEvent: RuleEvent = {
        type: event.type,
        eventId: event.id,
        gatewayId: ctx.gatewayId,
        deviceId: ctx.deviceId,
        elderId: ctx.elderId,
        householdId: ctx.householdId,
        region: ctx.region,
        occurredAt: Date.parse(event.ts),
        ...(event.data ? { data: event.data } : {}),
      };
      const raised: AlertView[] = [];
      const repeated: AlertView[] = [];
      const now = this.#clock();
      for (const rule of rulesFor(event.type, this.#rules)) {
        for (const draft of rule.evaluate(ruleEvent, undefined, now).alerts) {
          const active = this.store.findActive(draft.dedupeKey);
          const at = new Date(this.#clock()).toISOString();
          if (active) {
            this.store.recordRepeat(active.id, event.ts);
            this.store.addTimeline(active.id, {
              at,
              actor: ctx.gatewayId,
              action: 'repeated',
              data: { eventId: event.id },
            });
            repeated.push(this.store.get(active.id) as AlertView);
            continue;
          }
          const id = randomUUID();
          this.store.insert({
            id,
            ...draft,
            elderId: ctx.elderId,
            householdId: ctx.householdId,
            region: ctx.region,
            gatewayId: ctx.gatewayId,
            deviceId: ctx.deviceId,
            eventId: event.id,
            occurredAt: event.ts,
            receivedAt,
            raisedAt: at,
          });
          this.store.addTimeline(id, {
            at,
            actor: ctx.gatewayId,
            action: 'raised',
            data: { eventId: event.id, rule: rule.id },
          });
          raised.push(this.store.get(id) as AlertView);
        }
      }
      return { duplicate: false, raised, repeated };
    });
    if (!outcome.duplicate) {
      for (const alert of outcome.raised) this.#emit('raised', alert);
      for (const alert of outcome.repeated) this.#emit('updated', alert);
    }
    return outcome;
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

  #act(id: string, change: (alert: AlertView, at: string) => boolean | 'already_resolved'): ActionResult {
    const result = transaction(this.#db, (): ActionResult => {
      const alert = this.store.get(id);
      if (!alert) return { ok: false, code: 'not_found' };
      const changed = change(alert, new Date(this.#clock()).toISOString());
      if (changed === 'already_resolved') return { ok: false, code: 'already_resolved' };
      return { ok: true, alert: changed ? (this.store.get(id) as AlertView) : alert, changed };
    });
    if (result.ok && result.changed) this.#emit('updated', result.alert);
    return result;
  }

  #emit(change: AlertChange, alert: AlertView): void {
    for (const listener of this.#listeners) listener(change, alert);
  }
}
