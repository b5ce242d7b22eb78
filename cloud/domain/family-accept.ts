import type { AlertService } from './alert-service.ts';
import type { AlertView } from './alert-store.ts';
import { canSeeAlert, type User } from './scope.ts';

export type AcceptResult =
  | { ok: true; alert: AlertView; changed: boolean }
  | { ok: false; code: 'forbidden' | 'not_found' | 'already_resolved' };

export interface AcceptDeps {
  alerts: AlertService;
  /** Stops the rest of the family call chain for the alert. */
  cancelChain(alertId: string): void;
}

/**
 * A family member says "I'm on my way": a `family_accepted` entry on the timeline (pushed to the
 * dispatchers as `alert:updated`), and the rest of the family call chain is not called. The check
 * and the record run in one synchronous stretch, so nothing can resolve the alert in between.
 */
export function acceptAsFamily(
  deps: AcceptDeps,
  user: User,
  alertId: string,
  input: { etaMinutes?: number; note?: string },
): AcceptResult {
  if (user.role !== 'family') return { ok: false, code: 'forbidden' };
  const alert = deps.alerts.store.get(alertId);
  // Outside the family member's elders is indistinguishable from absent.
  if (!alert || !canSeeAlert(user, alert)) return { ok: false, code: 'not_found' };
  if (alert.state === 'resolved') return { ok: false, code: 'already_resolved' };
  const note = input.note?.trim();
  if (repeats(deps, user, alertId, input.etaMinutes, note)) return { ok: true, alert, changed: false };
  const result = deps.alerts.record(alertId, user, {
    action: 'family_accepted',
    ...(note ? { note } : {}),
    data: { by: user.username, ...(input.etaMinutes !== undefined ? { etaMinutes: input.etaMinutes } : {}) },
  });
  if (!result.ok) return result;
  deps.cancelChain(alertId);
  return result;
}

/**
 * The same person accepting again with the same ETA and no new word (a service worker retrying, the
 * button and the notification both tapped) changes nothing; a new ETA is news for the centre.
 */
function repeats(
  deps: AcceptDeps,
  user: User,
  alertId: string,
  etaMinutes: number | undefined,
  note: string | undefined,
): boolean {
  const mine = deps.alerts.store
    .timeline(alertId)
    .filter((e) => e.action === 'family_accepted' && e.actor === user.username);
  const last = mine.at(-1);
  if (!last) return false;
  return last.data?.etaMinutes === etaMinutes && !note;
}
