import { randomUUID } from 'node:crypto';
import { SEVERITIES, type Severity, timestamp } from '../../protocol/index.ts';
import type { EngineAction } from '../rules/engine.ts';
import type { AlertDraft } from '../rules/rule.ts';
import type { AlertStore, AlertView } from './alert-store.ts';

export type AlertChange = 'raised' | 'updated';
export interface Change {
  change: AlertChange;
  alert: AlertView;
}

export interface ApplyContext {
  now: number;
  /** When the cloud received the input that led here. */
  receivedAt: string;
  /** Milliseconds an unacknowledged alert waits before it escalates one level. */
  escalateAfterMs: number;
  /** How far the gateway's clock was off, when that is worth flagging. */
  clockSkewMs?: number;
  /** The event being ingested: an alert it raises keeps the event's own `ts` as `occurredAt`. */
  event?: { id: string; ts: string };
}

const rank = (s: Severity): number => SEVERITIES.indexOf(s);

/**
 * Turns rule actions into alert changes (inside the caller's transaction: `store` is bound to it): a raise makes a new alert or
 * updates the active one with the same dedupe key (count, last seen, a worse severity); resolve and
 * clear act on the active alert of a key, and leave its record in place.
 */
export async function applyActions(
  store: AlertStore,
  actions: EngineAction[],
  ctx: ApplyContext,
): Promise<Change[]> {
  const changes: Change[] = [];
  const at = timestamp(ctx.now);
  for (const { ruleId, action } of actions) {
    if (action.kind === 'raise') {
      changes.push(await raise(store, ruleId, action.alert, ctx, at));
      continue;
    }
    const active = await store.findActive(action.dedupeKey);
    if (!active) continue;
    if (action.kind === 'resolve') {
      await store.resolve(active.id, 'system', at, action.outcome);
      await store.addTimeline(active.id, {
        at,
        actor: 'system',
        action: 'resolved',
        note: action.note,
        data: { outcome: action.outcome, rule: ruleId },
      });
    } else {
      if (active.clearedAt) continue;
      await store.clear(active.id, at);
      await store.addTimeline(active.id, {
        at,
        actor: 'system',
        action: 'cleared',
        note: action.note,
        data: { rule: ruleId },
      });
    }
    changes.push({ change: 'updated', alert: (await store.get(active.id)) as AlertView });
  }
  return changes;
}

async function raise(
  store: AlertStore,
  ruleId: string,
  draft: AlertDraft,
  ctx: ApplyContext,
  at: string,
): Promise<Change> {
  const active = await store.findActive(draft.dedupeKey);
  // CONTRACT §4: occurredAt is the event's own ts, even when a skewed clock made the rules time it otherwise.
  const occurredAt = ctx.event?.id === draft.eventId ? ctx.event.ts : timestamp(draft.occurredAt);
  if (active) {
    await store.recordRepeat(active.id, occurredAt);
    const worse = rank(draft.severity) < rank(active.severity);
    if (worse) await store.updateSeverity(active.id, draft.severity, draft.details);
    const data = { eventId: draft.eventId, rule: ruleId, ...(worse ? { severity: draft.severity } : {}) };
    await store.addTimeline(active.id, {
      at,
      actor: draft.subject.gatewayId || 'system',
      action: worse ? 'worsened' : 'repeated',
      data,
    });
    return { change: 'updated', alert: (await store.get(active.id)) as AlertView };
  }
  const id = randomUUID();
  const { subject } = draft;
  await store.insert({
    id,
    type: draft.type,
    severity: draft.severity,
    ...subject,
    eventId: draft.eventId,
    occurredAt,
    receivedAt: ctx.receivedAt,
    raisedAt: at,
    dedupeKey: draft.dedupeKey,
    ...(draft.details ? { details: draft.details } : {}),
    escalationDueAt: ctx.now + ctx.escalateAfterMs,
    ...(ctx.clockSkewMs !== undefined ? { clockSkewMs: ctx.clockSkewMs } : {}),
  });
  const data = {
    eventId: draft.eventId,
    rule: ruleId,
    ...(ctx.clockSkewMs !== undefined ? { clockSkewMs: ctx.clockSkewMs } : {}),
  };
  await store.addTimeline(id, { at, actor: subject.gatewayId || 'system', action: 'raised', data });
  return { change: 'raised', alert: (await store.get(id)) as AlertView };
}
