import type { Severity } from '../../protocol/index.ts';
import type { AlertView } from '../domain/alert-store.ts';
import type {
  Channel,
  NotificationMessage,
  NotificationPrefs,
  NotifyReason,
  PlannedNotification,
} from './types.ts';

export interface NotifyPolicy {
  /** The escalation level at which the family is told, per severity; null: never by policy. */
  familyAtLevel: Record<Severity, number | null>;
  /** Seconds between family members in the call chain: the next one is told only if nobody has accepted. */
  chainStepS: number;
  /** Where the family page lives, for links in messages. */
  publicUrl: string;
  timeZoneOffsetMinutes: number;
}

export const DEFAULT_POLICY: NotifyPolicy = {
  familyAtLevel: { critical: 0, high: 1, medium: null, low: null },
  chainStepS: 120,
  publicUrl: 'http://127.0.0.1:8080',
  timeZoneOffsetMinutes: 480,
};

export interface FamilyMember {
  username: string;
  prefs: NotificationPrefs;
  pushEndpoints: string[];
}

export interface PlanInput {
  alert: AlertView;
  /** The elder's family users, in call-chain order. */
  family: FamilyMember[];
  /** Family members whose alert notification went out (follow-ups go to them only). */
  told: ReadonlySet<string>;
  /** A family member has accepted ("on my way"): the chain stops. */
  accepted: boolean;
  now: number;
  sign: (notificationId: string) => string;
}

const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** Quiet hours may wrap midnight (22:00–07:00); they never silence a critical alert. */
export function inQuietHours(prefs: NotificationPrefs, at: number, offsetMinutes: number): boolean {
  if (!prefs.quietHours) return false;
  const local = Math.floor(((at / 60_000 + offsetMinutes) % 1440) + 1440) % 1440;
  const start = minutesOf(prefs.quietHours.start);
  const end = minutesOf(prefs.quietHours.end);
  return start <= end ? local >= start && local < end : local >= start || local < end;
}

function targets(member: FamilyMember): [Channel, string][] {
  const list: [Channel, string][] = [];
  if (member.prefs.push) for (const endpoint of member.pushEndpoints) list.push(['push', endpoint]);
  if (member.prefs.email) list.push(['email', member.prefs.email]);
  if (member.prefs.webhook) list.push(['webhook', member.prefs.webhook]);
  return list;
}

/**
 * Who is told what about an alert, as a pure function of its current state: the family chain once the
 * alert reaches the policy's level (one member after another, until someone accepts), and follow-ups
 * (acknowledged, resolved) to those already told. Ids are idempotency keys, so planning the same state
 * twice plans nothing new.
 */
export function planNotifications(input: PlanInput, policy: NotifyPolicy): PlannedNotification[] {
  const { alert, now } = input;
  if (alert.state === 'resolved') return followUps(input, 'resolved', policy);
  const planned = alert.state === 'acknowledged' ? followUps(input, 'acknowledged', policy) : [];
  const level = policy.familyAtLevel[alert.severity];
  if (level === null || alert.escalationLevel < level || input.accepted) return planned;
  input.family.forEach((member, step) => {
    const notBefore = now + step * policy.chainStepS * 1000;
    const wanted = alert.severity === 'critical' || member.prefs.severities.includes(alert.severity);
    if (
      !wanted ||
      (alert.severity !== 'critical' && inQuietHours(member.prefs, notBefore, policy.timeZoneOffsetMinutes))
    )
      return;
    planned.push(...plansFor(input, member, 'alert', notBefore, policy));
  });
  return planned;
}

function followUps(input: PlanInput, reason: NotifyReason, policy: NotifyPolicy): PlannedNotification[] {
  return input.family
    .filter((m) => input.told.has(m.username))
    .flatMap((m) => plansFor(input, m, reason, input.now, policy));
}

function plansFor(
  input: PlanInput,
  member: FamilyMember,
  reason: NotifyReason,
  notBefore: number,
  policy: NotifyPolicy,
): PlannedNotification[] {
  const { alert } = input;
  return targets(member).map(([channel, target]) => {
    const id = `${alert.id}:${reason}:${member.username}:${channel}:${shortHash(target)}`;
    const message: NotificationMessage = {
      notificationId: id,
      alertId: alert.id,
      reason,
      type: alert.type,
      severity: alert.severity,
      state: alert.state,
      elderName: alert.elderName ?? alert.elderId,
      address: alert.address ?? '',
      occurredAt: alert.occurredAt,
      ...(alert.outcome ? { outcome: alert.outcome } : {}),
      link: `${policy.publicUrl}/family/#/alerts/${alert.id}`,
      acceptToken: input.sign(id),
    };
    return { id, alertId: alert.id, recipient: member.username, channel, target, reason, notBefore, message };
  });
}

/** A short, stable digest of a target, so ids stay readable and never carry an address. */
function shortHash(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}
