import { createHash } from 'node:crypto';
import webpush from 'web-push';
import { ChannelRefusal, type ChannelSender, type NotificationMessage, type SendResult } from '../types.ts';
import { headline, summary } from './render.ts';
import type { VapidDetails } from './vapid.ts';

export interface PushKeys {
  p256dh: string;
  auth: string;
}

export interface WebPushOptions {
  vapid: VapidDetails;
  /** The browser's keys of a subscription (`outbox.pushKeys`); null once it was removed. */
  keysFor(endpoint: string): Promise<PushKeys | null>;
  /** The push service no longer knows this subscription (404/410): forget it (`outbox.unsubscribe`). */
  onGone(endpoint: string): void;
  /** How long a push service keeps a message for a device that is offline. */
  ttlS?: number;
  timeoutMs?: number;
}

/** What the family page's service worker gets; it shows `title`/`body` and offers the accept action. */
export interface PushPayload {
  title: string;
  body: string;
  /** One notification per alert on a device: a follow-up replaces the alert's notification. */
  tag: string;
  alertId: string;
  notificationId: string;
  reason: NotificationMessage['reason'];
  severity: NotificationMessage['severity'];
  acceptToken: string;
  link: string;
  actions: { action: 'accept'; title: string }[];
}

export function pushPayload(m: NotificationMessage): PushPayload {
  return {
    title: headline(m),
    body: summary(m),
    tag: m.alertId,
    alertId: m.alertId,
    notificationId: m.notificationId,
    reason: m.reason,
    severity: m.severity,
    acceptToken: m.acceptToken,
    link: m.link,
    // Nobody needs to set off for an alert the centre has already closed.
    actions: m.state === 'resolved' ? [] : [{ action: 'accept', title: '我这就去 / On my way' }],
  };
}

/**
 * RFC 8030 Topic (at most 32 base64url characters): a push service replaces a message still waiting for
 * the device with a newer one of the same topic, so a retry after a lost answer shows up once.
 */
export const topicOf = (notificationId: string): string =>
  createHash('sha256').update(notificationId).digest('base64url').slice(0, 22);

/**
 * Web Push (RFC 8030) with an aes128gcm payload (RFC 8291) and VAPID (RFC 8292). The `web-push` package
 * encrypts and signs; the request itself goes out with fetch, which keeps one timeout and status
 * handling for every channel and also reaches a plain-HTTP push service (a test's).
 */
export class WebPushChannel implements ChannelSender {
  readonly #o: Required<WebPushOptions>;

  constructor(options: WebPushOptions) {
    this.#o = { ttlS: 3600, timeoutMs: 10_000, ...options };
  }

  async send(endpoint: string, message: NotificationMessage): Promise<SendResult> {
    const keys = await this.#o.keysFor(endpoint);
    // Unsubscribed since this was planned: there is no device left to reach, so nothing to retry.
    if (!keys) return 'gone';
    const details = webpush.generateRequestDetails({ endpoint, keys }, JSON.stringify(pushPayload(message)), {
      vapidDetails: this.#o.vapid,
      TTL: this.#o.ttlS,
      // High urgency wakes a phone in power saving; only an alert that may be life-threatening does.
      urgency: message.reason === 'alert' && message.severity === 'critical' ? 'high' : 'normal',
      topic: topicOf(message.notificationId),
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(details.headers))
      if (name.toLowerCase() !== 'content-length') headers[name] = String(value);
    const res = await fetch(details.endpoint, {
      method: details.method,
      headers,
      body: details.body ? new Uint8Array(details.body) : null,
      redirect: 'manual',
      signal: AbortSignal.timeout(this.#o.timeoutMs),
    });
    const text = await res.text();
    if (res.status === 404 || res.status === 410) {
      this.#o.onGone(endpoint);
      return 'gone';
    }
    if (res.status < 200 || res.status > 299)
      throw new ChannelRefusal(`push service answered ${res.status}`, text.slice(0, 200));
    return 'delivered';
  }
}
