import type { Logger } from 'pino';
import { timestamp } from '../../protocol/index.ts';
import { scrubText } from '../../protocol/log-privacy.ts';
import type { AlertService } from '../domain/alert-service.ts';
import type { DueNotification, NotificationOutbox } from './outbox.ts';
import { type Channel, ChannelRefusal, type ChannelSender } from './types.ts';

const MAX_ATTEMPTS = 12;
const MAX_BACKOFF_MS = 10 * 60_000;

/** Exponential backoff with jitter: 1 s, 2 s, 4 s … capped at 10 minutes. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(1000 * 2 ** Math.max(0, attempt - 1), MAX_BACKOFF_MS);
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * Delivers the notification outbox: each due row goes to its channel; success and final failure are
 * recorded on the row and on the alert's timeline (who, which channel, when). A row is sent by one beat
 * at a time; after a restart a row still pending is sent again under the same id, which channels pass on
 * as their idempotency key (webhook `Idempotency-Key`, e-mail `Message-ID`, push `Topic`).
 */
export class NotificationWorker {
  readonly #outbox: NotificationOutbox;
  readonly #alerts: AlertService;
  readonly #channels: Partial<Record<Channel, ChannelSender>>;
  readonly #log: Logger;
  readonly #everyMs: number;
  readonly #sending = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(deps: {
    outbox: NotificationOutbox;
    alerts: AlertService;
    channels: Partial<Record<Channel, ChannelSender>>;
    logger: Logger;
    everyMs?: number;
  }) {
    this.#outbox = deps.outbox;
    this.#alerts = deps.alerts;
    this.#channels = deps.channels;
    this.#log = deps.logger.child({ component: 'notify' });
    this.#everyMs = deps.everyMs ?? 500;
  }

  start(): void {
    this.#stopped = false;
    this.#timer = setInterval(() => void this.beat(), this.#everyMs);
    this.#timer.unref();
  }

  /** Sends still in flight finish without recording: the store closes next, and the row stays pending. */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Sends everything due now; resolves when this beat's sends have finished. */
  async beat(): Promise<void> {
    const due = this.#outbox.due(this.#alerts.now()).filter((n) => !this.#sending.has(n.id));
    await Promise.all(due.map((n) => this.#deliver(n)));
  }

  async #deliver(n: DueNotification): Promise<void> {
    this.#sending.add(n.id);
    try {
      const alert = this.#alerts.store.get(n.alertId);
      // A chain step whose alert was resolved meanwhile would only alarm a family for nothing.
      if (n.reason === 'alert' && alert?.state === 'resolved') return this.#outbox.cancel(n.id);
      const sender = this.#channels[n.channel];
      if (!sender) throw new Error(`no ${n.channel} channel configured`);
      const result = await sender.send(n.target, n.message);
      // Stopped meanwhile: a restart sends it again under the same id, which the receiver dedupes.
      if (this.#stopped) return;
      if (result === 'gone') {
        // Not "notified": the operator must not believe this family member was told.
        this.#outbox.retry(n.id, 'target gone (subscription expired)', this.#alerts.now(), true);
        this.#alerts.recordSystem(n.alertId, 'notify_failed', {
          recipient: n.recipient,
          channel: n.channel,
          error: 'target gone',
        });
        return;
      }
      this.#outbox.delivered(n.id, timestamp(this.#alerts.now()));
      this.#alerts.recordSystem(n.alertId, 'notified', {
        recipient: n.recipient,
        channel: n.channel,
        reason: n.reason,
      });
      this.#log.info(
        { alertId: n.alertId, notificationId: n.id, channel: n.channel },
        'notification delivered',
      );
    } catch (err) {
      if (!this.#stopped) this.#failed(n, err);
    } finally {
      this.#sending.delete(n.id);
    }
  }

  #failed(n: DueNotification, err: unknown): void {
    const summary = (err as Error)?.message ?? String(err);
    // The receiver's own answer is kept for staff but never logged: it may echo the message.
    const error = err instanceof ChannelRefusal && err.answer ? `${summary}: ${err.answer}` : summary;
    const attempt = n.attempts + 1;
    const giveUp = attempt >= MAX_ATTEMPTS;
    this.#outbox.retry(n.id, error, this.#alerts.now() + backoffMs(attempt), giveUp);
    this.#log.warn(
      { alertId: n.alertId, notificationId: n.id, channel: n.channel, attempt, error: scrubText(summary) },
      'notification not delivered',
    );
    if (giveUp)
      this.#alerts.recordSystem(n.alertId, 'notify_failed', {
        recipient: n.recipient,
        channel: n.channel,
        error,
      });
  }
}
