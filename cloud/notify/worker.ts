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
  /** The read of due rows under way: the next beat waits for it, so two beats never pick the same rows. */
  #reading: Promise<unknown> | null = null;
  readonly #active: () => boolean;

  constructor(deps: {
    outbox: NotificationOutbox;
    alerts: AlertService;
    channels: Partial<Record<Channel, ChannelSender>>;
    logger: Logger;
    everyMs?: number;
    /** Does this instance send now (it holds the notifier lease of a cluster)? Default: always. */
    active?: () => boolean;
  }) {
    this.#active = deps.active ?? (() => true);
    this.#outbox = deps.outbox;
    this.#alerts = deps.alerts;
    this.#channels = deps.channels;
    this.#log = deps.logger.child({ component: 'notify' });
    this.#everyMs = deps.everyMs ?? 500;
  }

  start(): void {
    this.#stopped = false;
    this.#timer = setInterval(() => {
      if (this.#reading !== null || !this.#active()) return;
      // Sends go on in the background (a slow channel holds up no other row); rows in flight are skipped.
      const reading = this.#due().then(
        (due) => {
          for (const n of due) void this.#deliver(n);
        },
        (err: unknown) => this.#log.error({ err }, 'reading due notifications failed; retrying'),
      );
      this.#reading = reading.finally(() => {
        this.#reading = null;
      });
    }, this.#everyMs);
    this.#timer.unref();
  }

  /** Sends still in flight finish without recording: the store closes next, and the row stays pending. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#reading;
  }

  /** Sends everything due now; resolves when this beat's sends have finished. */
  async beat(): Promise<void> {
    await Promise.all((await this.#due()).map((n) => this.#deliver(n)));
  }

  async #due(): Promise<DueNotification[]> {
    const due = await this.#outbox.due(this.#alerts.now());
    // Claimed before the read returns control: a later beat sees them as in flight.
    const fresh = due.filter((n) => !this.#sending.has(n.id));
    for (const n of fresh) this.#sending.add(n.id);
    return fresh;
  }

  async #deliver(n: DueNotification): Promise<void> {
    try {
      const alert = await this.#alerts.store.get(n.alertId);
      // A chain step whose alert was resolved meanwhile would only alarm a family for nothing.
      if (n.reason === 'alert' && alert?.state === 'resolved') return await this.#outbox.cancel(n.id);
      const sender = this.#channels[n.channel];
      if (!sender) throw new Error(`no ${n.channel} channel configured`);
      const result = await sender.send(n.target, n.message);
      // Stopped meanwhile: a restart sends it again under the same id, which the receiver dedupes.
      if (this.#stopped) return;
      if (result === 'gone') {
        // Not "notified": the operator must not believe this family member was told.
        await this.#outbox.retry(n.id, 'target gone (subscription expired)', this.#alerts.now(), true);
        await this.#alerts.recordSystem(n.alertId, 'notify_failed', {
          recipient: n.recipient,
          channel: n.channel,
          error: 'target gone',
        });
        return;
      }
      await this.#outbox.delivered(n.id, timestamp(this.#alerts.now()));
      await this.#alerts.recordSystem(n.alertId, 'notified', {
        recipient: n.recipient,
        channel: n.channel,
        reason: n.reason,
      });
      this.#log.info(
        { alertId: n.alertId, notificationId: n.id, channel: n.channel },
        'notification delivered',
      );
    } catch (err) {
      if (!this.#stopped) await this.#failed(n, err);
    } finally {
      this.#sending.delete(n.id);
    }
  }

  async #failed(n: DueNotification, err: unknown): Promise<void> {
    const summary = (err as Error)?.message ?? String(err);
    // The receiver's own answer is kept for staff but never logged: it may echo the message.
    const error = err instanceof ChannelRefusal && err.answer ? `${summary}: ${err.answer}` : summary;
    const attempt = n.attempts + 1;
    const giveUp = attempt >= MAX_ATTEMPTS;
    await this.#outbox.retry(n.id, error, this.#alerts.now() + backoffMs(attempt), giveUp);
    this.#log.warn(
      { alertId: n.alertId, notificationId: n.id, channel: n.channel, attempt, error: scrubText(summary) },
      'notification not delivered',
    );
    if (giveUp)
      await this.#alerts.recordSystem(n.alertId, 'notify_failed', {
        recipient: n.recipient,
        channel: n.channel,
        error,
      });
  }
}
