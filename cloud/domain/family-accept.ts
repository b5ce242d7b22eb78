import type { AlertService } from './alert-service.ts';
import type { AlertView, TimelineEntry } from './alert-store.ts';
import { canSeeAlert, type User } from './scope.ts';

export type AcceptResult =
  | { ok: true; alert: AlertView; changed: boolean }
  | { ok: false; code: 'forbidden' | 'not_found' | 'already_resolved' };

export interface AcceptDeps {
  alerts: AlertService;
  /** Stops the rest of the family call chain for the alert. */
  cancelChain(alertId: string): Promise<void>;
}

/**
 * A family member says "I'm on my way": a `family_accepted` entry on the timeline (pushed to the
 * dispatchers as `alert:updated`), and the rest of the family call chain is not called. The checks
 * (not resolved, not a repeat) and the record run in one transaction, so nothing can resolve the alert
 * in between.
 */
export async function acceptAsFamily(
  deps: AcceptDeps,
  user: User,
  alertId: string,
  input: { etaMinutes?: number; note?: string },
): Promise<AcceptResult> {
  if (user.role !== 'family') return { ok: false, code: 'forbidden' };
  const alert = await deps.alerts.store.get(alertId);
  // Outside the family member's elders is indistinguishable from absent.
  if (!alert || !canSeeAlert(user, alert)) return { ok: false, code: 'not_found' };
  if (alert.state === 'resolved') return { ok: false, code: 'already_resolved' };
  const note = input.note?.trim();
  const result = await deps.alerts.record(
    alertId,
    user,
    {
      action: 'family_accepted',
      ...(note ? { note } : {}),
      data: {
        by: user.username,
        ...(input.etaMinutes !== undefined ? { etaMinutes: input.etaMinutes } : {}),
      },
    },
    { resolvedToo: false, unless: (timeline) => repeats(timeline, user, input.etaMinutes, note) },
  );
  if (!result.ok || !result.changed) return result;
  await deps.cancelChain(alertId);
  return result;
}

/**
 * The same person accepting again with the same ETA and no new word (a service worker retrying, the
 * button and the notification both tapped) changes nothing; a new ETA is news for the centre.
 */
function repeats(
  timeline: readonly TimelineEntry[],
  user: User,
  etaMinutes: number | undefined,
  note: string | undefined,
): boolean {
  const mine = timeline.filter((e) => e.action === 'family_accepted' && e.actor === user.username);
  const last = mine.at(-1);
  if (!last) return false;
  return last.data?.etaMinutes === etaMinutes && !note;
}
