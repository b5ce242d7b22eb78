import type { Logger } from 'pino';
import type { AlertService } from './alert-service.ts';

/**
 * Wakes the alert engine on a fixed beat: due rule windows (fall grace, supervision, inactivity) and
 * escalation deadlines. The deadlines live in the database, so a beat missed by a restart is caught up
 * by the next one.
 */
export class AlertScheduler {
  readonly #alerts: AlertService;
  readonly #log: Logger;
  readonly #everyMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(alerts: AlertService, logger: Logger, everyMs = 1000) {
    this.#alerts = alerts;
    this.#log = logger.child({ component: 'scheduler' });
    this.#everyMs = everyMs;
  }

  start(): void {
    this.#timer = setInterval(() => this.beat(), this.#everyMs);
    this.#timer.unref();
  }

  beat(): void {
    try {
      this.#alerts.tick();
    } catch (err) {
      this.#log.error({ err }, 'alert tick failed; retrying on the next beat');
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
