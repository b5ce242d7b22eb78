import { enc, post, statusOf } from './api.ts';
import type { AppContext } from './context.ts';
import type { AlertView, Outcome } from './types.ts';

export type Milestone = 'responder_accepted' | 'on_scene' | 'help_confirmed';
export const MILESTONES: readonly Milestone[] = ['responder_accepted', 'on_scene', 'help_confirmed'];

/**
 * Acknowledges an alert and records what happened as the alert's notice. Two operators may press at
 * once: the server answers the second with the alert as the first left it, so `acknowledgedBy` tells
 * who was first; a resolved alert answers 409.
 */
export async function acknowledge(ctx: AppContext, id: string): Promise<boolean> {
  ctx.notices.set(id, null);
  try {
    const alert = await post<AlertView>(`/api/alerts/${enc(id)}/ack`, {});
    const by = alert.acknowledgedBy;
    if (by && by !== ctx.user.username)
      ctx.notices.set(id, { key: 'ack.already', vars: { who: by }, tone: 'warn' });
    ctx.queue.apply(alert);
    return true;
  } catch (err) {
    const status = statusOf(err);
    if (status === 401) return false;
    if (status === 409 || status === 404) {
      ctx.notices.set(id, { key: status === 409 ? 'ack.resolved' : 'ack.gone', tone: 'warn' });
      // The fresh list no longer holds it, so the row goes after the operator has read why.
      setTimeout(() => ctx.resync(), 4000);
    } else {
      ctx.notices.set(id, { key: status === 403 ? 'ack.forbidden' : 'ack.failed', tone: 'warn' });
    }
    return false;
  }
}

export function addNote(id: string, note: string): Promise<AlertView> {
  return post<AlertView>(`/api/alerts/${enc(id)}/notes`, { note });
}

export function recordMilestone(
  id: string,
  milestone: Milestone,
  extra: { responder?: string; etaMinutes?: number; note?: string } = {},
): Promise<AlertView> {
  return post<AlertView>(`/api/alerts/${enc(id)}/milestones`, { milestone, ...extra });
}

export function resolve(id: string, outcome: Outcome, note?: string): Promise<AlertView> {
  return post<AlertView>(`/api/alerts/${enc(id)}/resolve`, { outcome, ...(note ? { note } : {}) });
}
