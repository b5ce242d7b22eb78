import type { AlertState, AlertType, Severity } from '../../protocol/index.ts';

export const CHANNELS = ['push', 'email', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Why a notification goes out: the alert itself, or what the centre did about it since. */
export type NotifyReason = 'alert' | 'acknowledged' | 'resolved';

/** A family member's choices (`PUT /api/me/notifications`). */
export interface NotificationPrefs {
  /** Web Push on every subscribed device of this user. */
  push: boolean;
  email?: string;
  /** An SMS gateway or another system, called with a signed JSON body. */
  webhook?: string;
  /** Severities this user wants to hear about; critical is always included. */
  severities: Severity[];
  /** Local times (+08:00) when only critical alerts may wake them. */
  quietHours?: { start: string; end: string };
}

export const DEFAULT_PREFS: NotificationPrefs = { push: true, severities: ['critical', 'high'] };

/** What every channel renders: enough to act on without opening anything. */
export interface NotificationMessage {
  notificationId: string;
  alertId: string;
  reason: NotifyReason;
  type: AlertType;
  severity: Severity;
  state: AlertState;
  elderName: string;
  address: string;
  occurredAt: string;
  outcome?: string;
  /** The family page of this alert. */
  link: string;
  /** Lets the push notification's "On my way" button accept without a login (HMAC of the id). */
  acceptToken: string;
}

/** One planned delivery: a recipient, a channel and its target, not before a time. */
export interface PlannedNotification {
  /** The idempotency key: the same alert, reason, recipient and target is never planned twice. */
  id: string;
  alertId: string;
  recipient: string;
  channel: Channel;
  target: string;
  reason: NotifyReason;
  notBefore: number;
  message: NotificationMessage;
}

/** What a send achieved: delivered, or the target no longer exists (an expired push subscription). */
export type SendResult = 'delivered' | 'gone';

/** Delivers one message to one target; throws to ask for a retry. */
export interface ChannelSender {
  send(target: string, message: NotificationMessage): Promise<SendResult>;
}

/**
 * A receiver (webhook, push service) answered with an error. `answer` is the start of its reply body: kept
 * with the notification for staff, never logged, since a receiver may echo the message (names, addresses).
 */
export class ChannelRefusal extends Error {
  readonly answer: string;
  constructor(message: string, answer: string) {
    super(message);
    this.name = 'ChannelRefusal';
    this.answer = answer;
  }
}
