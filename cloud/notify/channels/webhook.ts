import { createHmac, timingSafeEqual } from 'node:crypto';
import { ChannelRefusal, type ChannelSender, type NotificationMessage, type SendResult } from '../types.ts';

/** Header names of the signature scheme described at {@link WebhookChannel}. */
export const TIMESTAMP_HEADER = 'X-Eldercare-Timestamp';
export const SIGNATURE_HEADER = 'X-Eldercare-Signature';

/** What a receiver gets: the message without the accept token, which is only for the family's own devices. */
export type WebhookBody = Omit<NotificationMessage, 'acceptToken'>;

export function webhookBody(m: NotificationMessage): WebhookBody {
  return {
    notificationId: m.notificationId,
    alertId: m.alertId,
    reason: m.reason,
    type: m.type,
    severity: m.severity,
    state: m.state,
    elderName: m.elderName,
    address: m.address,
    occurredAt: m.occurredAt,
    ...(m.outcome ? { outcome: m.outcome } : {}),
    link: m.link,
  };
}

/** `sha256=<hex>` over `<timestamp>.<body>`. */
export function signWebhook(secret: string, timestamp: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/** For receivers: is this request from us, unchanged, and recent? `body` is the raw request body. */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string | undefined,
  body: string | Buffer,
  header: string | undefined,
  toleranceS = 300,
  nowMs = Date.now(),
): boolean {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !header) return false;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceS) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(header.trim());
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export interface WebhookOptions {
  secret: string;
  timeoutMs?: number;
  clock?: () => number;
}

/**
 * Signed webhooks, for SMS gateways and other systems.
 *
 * Each notification is one `POST` of a JSON body ({@link WebhookBody}) with:
 * - `Idempotency-Key: <notification id>`: the same on every retry and after a restart; a receiver that
 *   has seen it answers 2xx again and does nothing else;
 * - `X-Eldercare-Timestamp: <unix seconds>`;
 * - `X-Eldercare-Signature: sha256=<hex>`: HMAC-SHA256, keyed with `WEBHOOK_SECRET`, of
 *   `<timestamp>.<raw body bytes>`.
 * A receiver recomputes the HMAC over the raw body (before any JSON parsing), compares in constant time and
 * rejects timestamps more than five minutes away from its clock, which stops replays of an old request
 * ({@link verifyWebhookSignature} does all three). Any 2xx answer is a delivery; anything else, or no
 * answer within 10 s, is retried with backoff.
 */
export class WebhookChannel implements ChannelSender {
  readonly #secret: string;
  readonly #timeoutMs: number;
  readonly #clock: () => number;

  constructor(options: WebhookOptions) {
    this.#secret = options.secret;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#clock = options.clock ?? Date.now;
  }

  async send(url: string, message: NotificationMessage): Promise<SendResult> {
    const body = JSON.stringify(webhookBody(message));
    const timestamp = String(Math.floor(this.#clock() / 1000));
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Idempotency-Key': message.notificationId,
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signWebhook(this.#secret, timestamp, body),
      },
      body,
      // A redirect would turn the signed POST into a GET somewhere else; it counts as a failure.
      redirect: 'manual',
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    const text = await res.text();
    if (res.status < 200 || res.status > 299)
      throw new ChannelRefusal(`webhook answered ${res.status}`, text.slice(0, 200));
    return 'delivered';
  }
}
