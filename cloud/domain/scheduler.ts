import type { Logger } from 'pino';
import type { AlertService } from './alert-service.ts';

/**
 * Wakes the alert engine on a fixed beat: due rule windows (fall grace, supervision, inactivity) and
 * escalation deadlines. The deadlines live in the database, so a beat missed by a restart is caught up
 * by the next one. A beat still running when the next is due is not joined by a second one.
 */
export class AlertScheduler {
  readonly #alerts: AlertService;
  readonly #log: Logger;
  readonly #everyMs: number;
  #timer: NodeJS.Timeout | undefined;
  #beating: Promise<void> | null = null;
  readonly #active: () => boolean;

  /** `active`: does this instance run the beat now (it holds the scheduler lease of a cluster)? */
  constructor(alerts: AlertService, logger: Logger, everyMs = 1000, active: () => boolean = () => true) {
    this.#alerts = alerts;
    this.#active = active;
    this.#log = logger.child({ component: 'scheduler' });
    this.#everyMs = everyMs;
  }

  start(): void {
    this.#timer = setInterval(() => {
      if (this.#beating !== null || !this.#active()) return;
      this.#beating = this.beat().finally(() => {
        this.#beating = null;
      });
    }, this.#everyMs);
    this.#timer.unref();
  }

  async beat(): Promise<void> {
    try {
      await this.#alerts.tick();
    } catch (err) {
      this.#log.error({ err }, 'alert tick failed; retrying on the next beat');
    }
  }

  /** Stops the beat and waits for one under way, so the store can close after it. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#beating;
  }
}
