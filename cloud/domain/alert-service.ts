import { type EventEnvelope, timestamp } from '../../protocol/index.ts';
import type { Sql, SqlSession } from '../db/sql.ts';
import { GroupCommit } from '../ingest/group-commit.ts';
import { RuleEngine } from '../rules/engine.ts';
import { RULES } from '../rules/registry.ts';
import type { AnyRule, RuleInput } from '../rules/rule.ts';
import { type AlertChange, applyActions, type Change } from './alert-actions.ts';
import { AlertStore, type AlertView, type TimelineEntry } from './alert-store.ts';
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
  /**
   * Runs inside the transaction of every alert change, with its `tx` (the notification outbox plans
   * here). It may run more than once for one change (PostgreSQL retries): effects only through `tx`.
   */
  inTransaction?: (tx: SqlSession, changes: readonly Change[], now: number) => Promise<void>;
  /**
   * Runs inside the transaction that stored a new (not duplicate) event, after the rules: other desks
   * that act on events (service tickets). It answers what to do once that transaction committed, or null.
   */
  onEvent?: (
    tx: SqlSession,
    ctx: DeviceContext,
    event: EventEnvelope,
    receivedAt: string,
  ) => Promise<(() => void) | null>;
}

/** A gateway clock ahead of ours by more than this is flagged and not trusted for rule timing. */
const FUTURE_TOLERANCE_MS = 2 * 60_000;

type RuleErrors = [ruleId: string, err: unknown][];

/**
 * The alert lifecycle. Every change is committed before any listener hears of it, so nobody is ever
 * told of an alert that a crash could take back. A transaction may be attempted more than once
 * (PostgreSQL retries serialization failures): only the committed attempt's changes and rule errors
 * are reported, after the commit.
 */
export class AlertService {
  readonly store: AlertStore;
  readonly engine: RuleEngine;
  readonly #db: Sql;
  readonly #listeners = new Set<AlertListener>();
  readonly #clock: () => number;
  readonly #escalateAfterMs: number;
  readonly #inTx: (tx: SqlSession, changes: readonly Change[], now: number) => Promise<void>;
  readonly #onRuleError: (ruleId: string, err: unknown) => void;
  readonly #onEvent: NonNullable<AlertServiceOptions['onEvent']>;
  /** "First on a screen" marks, group-committed: a storm's pushes would otherwise be a commit each. */
  readonly #pushed: GroupCommit<{ id: string; at: string }>;

  constructor(db: Sql, options: AlertServiceOptions = {}) {
    this.#db = db;
    this.#clock = options.clock ?? Date.now;
    this.#escalateAfterMs = (options.escalateAfterS ?? 60) * 1000;
    this.#inTx = options.inTransaction ?? (async () => {});
    this.#onRuleError = options.onRuleError ?? (() => {});
    this.#onEvent = options.onEvent ?? (async () => null);
    this.store = new AlertStore(db);
    this.engine = new RuleEngine(
      db,
      options.rules ?? RULES,
      ruleConfigResolver(options.ruleOverrides),
      this.#onRuleError,
    );
    this.#pushed = new GroupCommit(
      (marks) =>
        this.#db.transaction(async (tx) => {
          const store = this.store.in(tx);
          for (const { id, at } of marks) await store.markPushed(id, at);
        }),
      { windowMs: 0 },
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

  /**
   * Runs `fn` in a transaction with the store and the engine bound to it; rule errors of the attempt
   * that committed are reported afterwards, and its changes are emitted.
   */
  async #changing<T>(
    fn: (store: AlertStore, engine: RuleEngine, tx: SqlSession) => Promise<T>,
    changesOf: (result: T) => Change[],
  ): Promise<T> {
    let errors: RuleErrors = [];
    const result = await this.#db.transaction(async (tx) => {
      const attempt: RuleErrors = [];
      errors = attempt;
      return fn(
        this.store.in(tx),
        this.engine.in(tx, (ruleId, err) => attempt.push([ruleId, err])),
        tx,
      );
    });
    for (const [ruleId, err] of errors) this.#onRuleError(ruleId, err);
    this.#emit(changesOf(result));
    return result;
  }

  /** Records an event once (by gateway and event id) and runs the rules for it. */
  async ingestEvent(ctx: DeviceContext, event: EventEnvelope, receivedAt: string): Promise<IngestOutcome> {
    const [outcome] = await this.ingestEvents([{ ctx, event, receivedAt }]);
    return outcome as IngestOutcome;
  }

  /**
   * Many events in one transaction (group commit: one commit, one fsync on SQLite, for a storm of SOS),
   * each recorded once and run through the rules in order, exactly as `ingestEvent` would one by one; the
   * outcome of each at its index. Listeners hear of the changes, and the `onEvent` follow-ups run, only
   * after the commit and only for the attempt that committed (PostgreSQL may retry the whole batch).
   */
  async ingestEvents(
    items: readonly { ctx: DeviceContext; event: EventEnvelope; receivedAt: string }[],
  ): Promise<IngestOutcome[]> {
    const outcomes = await this.ingestEventsWith(items, async (_tx, item) => item);
    return outcomes as IngestOutcome[];
  }

  /**
   * `ingestEvents` where each item's device is looked up inside the transaction first: `resolve` answers
   * the event to record, or null to skip it (an unknown device), whose outcome is then null.
   */
  async ingestEventsWith<I>(
    items: readonly I[],
    resolve: (
      tx: SqlSession,
      item: I,
    ) => Promise<{ ctx: DeviceContext; event: EventEnvelope; receivedAt: string } | null>,
  ): Promise<(IngestOutcome | null)[]> {
    const now = this.#clock();
    let afterCommit: (() => void)[] = [];
    const { outcomes } = await this.#changing(
      async (store, engine, tx) => {
        const follow: (() => void)[] = [];
        afterCommit = follow;
        const result = { outcomes: [] as (IngestOutcome | null)[], changes: [] as Change[] };
        for (const item of items) {
          const resolved = await resolve(tx, item);
          if (resolved === null) {
            result.outcomes.push(null);
            continue;
          }
          const { outcome, followUp } = await this.#event(store, engine, tx, resolved, now);
          if (followUp) follow.push(followUp);
          result.outcomes.push(outcome);
          if (!outcome.duplicate) result.changes.push(...outcome.changes);
        }
        return result;
      },
      (result) => result.changes,
    );
    // Set by the attempt that committed (each attempt starts afresh).
    for (const followUp of afterCommit) followUp();
    return outcomes;
  }

  /** One event inside a transaction: its row (once per gateway and event id), its rules, their changes. */
  async #event(
    store: AlertStore,
    engine: RuleEngine,
    tx: SqlSession,
    { ctx, event, receivedAt }: { ctx: DeviceContext; event: EventEnvelope; receivedAt: string },
    now: number,
  ): Promise<{ outcome: IngestOutcome; followUp: (() => void) | null }> {
    const ts = Date.parse(event.ts);
    const skew = ts - Date.parse(receivedAt);
    const clockSkewMs = skew > FUTURE_TOLERANCE_MS ? skew : undefined;
    const inserted = await tx.run(
      `INSERT INTO events (gateway_id, event_id, device_id, type, ts, received_at, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (gateway_id, event_id) DO NOTHING`,
      [
        ctx.gatewayId,
        event.id,
        ctx.deviceId,
        event.type,
        event.ts,
        receivedAt,
        event.data ? JSON.stringify(event.data) : null,
      ],
    );
    if (inserted.changes === 0) return { outcome: { duplicate: true }, followUp: null };
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
    const actions = await engine.evaluate(input, now);
    const apply = {
      now,
      receivedAt,
      escalateAfterMs: this.#escalateAfterMs,
      clockSkewMs,
      event: { id: event.id, ts: event.ts },
    };
    const changes = await applyActions(store, actions, apply);
    await this.#inTx(tx, changes, now);
    const followUp = await this.#onEvent(tx, ctx, event, receivedAt);
    return { outcome: { duplicate: false, changes }, followUp };
  }

  /** Runs the rules for vitals and gateway or device states. */
  ingest(input: RuleInput, receivedAt: string): Promise<Change[]> {
    return this.batch((_tx, ingest) => ingest(input, receivedAt));
  }

  /**
   * Many inputs in one transaction (a batch of vitals readings): `fn` stores what it must through `tx` and
   * hands each input to `ingest`, which runs the rules for it in that transaction (and answers their
   * changes). Listeners hear of the changes after the commit, only of the attempt that committed.
   */
  async batch<T>(
    fn: (tx: SqlSession, ingest: (input: RuleInput, receivedAt: string) => Promise<Change[]>) => Promise<T>,
  ): Promise<T> {
    const now = this.#clock();
    const { value } = await this.#changing(
      async (store, engine, tx) => {
        const changes: Change[] = [];
        const ingest = async (input: RuleInput, receivedAt: string): Promise<Change[]> => {
          const apply = { now, receivedAt, escalateAfterMs: this.#escalateAfterMs };
          const applied = await applyActions(store, await engine.evaluate(input, now), apply);
          await this.#inTx(tx, applied, now);
          changes.push(...applied);
          return applied;
        };
        return { value: await fn(tx, ingest), changes };
      },
      (result) => result.changes,
    );
    return value;
  }

  /** Wakes due rules (grace periods, supervision windows) and escalates overdue alerts. */
  tick(): Promise<Change[]> {
    const now = this.#clock();
    return this.#changing(
      async (store, engine, tx) => {
        const fromRules = await applyActions(store, await engine.due(now), {
          now,
          receivedAt: timestamp(now),
          escalateAfterMs: this.#escalateAfterMs,
        });
        const all = [...fromRules, ...(await this.#escalate(store, now))];
        await this.#inTx(tx, all, now);
        return all;
      },
      (changes) => changes,
    );
  }

  /**
   * Unacknowledged past the deadline: community (0) → district supervisors (1) → city (2); at the top
   * it keeps reminding every period until someone acknowledges. Deadlines are stored, so a restart in
   * the middle of an escalation keeps them.
   */
  async #escalate(store: AlertStore, now: number): Promise<Change[]> {
    const changes: Change[] = [];
    for (const alert of await store.dueForEscalation(now)) {
      const level = Math.min(alert.escalationLevel + 1, 2);
      const at = timestamp(now);
      await store.escalate(alert.id, level, now + this.#escalateAfterMs);
      const action = level > alert.escalationLevel ? 'escalated' : 'reminder';
      await store.addTimeline(alert.id, { at, actor: 'system', action, data: { level } });
      changes.push({ change: 'updated', alert: (await store.get(alert.id)) as AlertView });
    }
    return changes;
  }

  acknowledge(id: string, user: User, note?: string): Promise<ActionResult> {
    return this.#act(id, async (store, alert, at) => {
      if (alert.state === 'resolved') return 'already_resolved';
      if (alert.state === 'acknowledged') return false;
      await store.acknowledge(id, user.username, at);
      await store.addTimeline(id, {
        at,
        actor: user.username,
        action: 'acknowledged',
        ...(note ? { note } : {}),
      });
      return true;
    });
  }

  resolve(id: string, user: User, outcome: string, note?: string): Promise<ActionResult> {
    return this.#act(id, async (store, alert, at) => {
      if (alert.state === 'resolved') return 'already_resolved';
      await store.resolve(id, user.username, at, outcome);
      await store.addTimeline(id, {
        at,
        actor: user.username,
        action: 'resolved',
        ...(note ? { note } : {}),
        data: { outcome },
      });
      return true;
    });
  }

  /**
   * A note, or a responder milestone (accepted with an ETA, on scene, help confirmed), on the timeline.
   * With `resolvedToo: false` a resolved alert is refused; `unless` is asked inside the same transaction
   * with the alert's timeline, and true records nothing (a repeated acceptance).
   */
  record(
    id: string,
    user: User,
    entry: { action: string; note?: string; data?: Record<string, unknown> },
    options: { resolvedToo?: boolean; unless?: (timeline: TimelineEntry[]) => boolean } = {},
  ): Promise<ActionResult> {
    return this.#act(id, async (store, alert, at) => {
      if (options.resolvedToo === false && alert.state === 'resolved') return 'already_resolved';
      if (options.unless?.(await store.timeline(id))) return false;
      await store.addTimeline(id, { at, actor: user.username, ...entry });
      return true;
    });
  }

  /** A timeline entry by the system (deliveries of notifications), without a state change to push. */
  async recordSystem(id: string, action: string, data: Record<string, unknown>): Promise<void> {
    await this.store.addTimeline(id, { at: timestamp(this.#clock()), actor: 'system', action, data });
  }

  /**
   * The alert reached a dispatcher's screen (kept only the first time). Marks that arrive while one batch
   * commits share the next transaction; resolves once this one is committed.
   */
  markPushed(id: string): Promise<void> {
    return this.#pushed.add({ id, at: timestamp(this.#clock()) });
  }

  /** Commits the marks still queued (at shutdown, before the store closes). */
  flush(): Promise<void> {
    return this.#pushed.stop();
  }

  #act(
    id: string,
    change: (store: AlertStore, alert: AlertView, at: string) => Promise<boolean | 'already_resolved'>,
  ): Promise<ActionResult> {
    return this.#changing(
      async (store, _engine, tx): Promise<ActionResult> => {
        const alert = await store.get(id);
        if (!alert) return { ok: false, code: 'not_found' };
        const now = this.#clock();
        const changed = await change(store, alert, timestamp(now));
        if (changed === 'already_resolved') return { ok: false, code: 'already_resolved' };
        const after = changed ? ((await store.get(id)) as AlertView) : alert;
        if (changed) await this.#inTx(tx, [{ change: 'updated', alert: after }], now);
        return { ok: true, alert: after, changed };
      },
      (result) => (result.ok && result.changed ? [{ change: 'updated', alert: result.alert }] : []),
    );
  }

  #emit(changes: Change[]): void {
    for (const { change, alert } of changes) for (const listener of this.#listeners) listener(change, alert);
  }
}
