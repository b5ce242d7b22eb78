import type { Clock } from './device.ts';

/**
 * Supervises a device by its own traffic: alive from the first frame, silent after `silentMs` without
 * one. Reports only transitions, never a change from "unknown" to "silent" at boot.
 */
export class Watchdog {
  readonly #silentMs: number;
  readonly #clock: Clock;
  readonly #onChange: (alive: boolean) => void;
  #alive: boolean | null = null;
  #timer: NodeJS.Timeout | undefined;

  constructor(silentMs: number, clock: Clock, onChange: (alive: boolean) => void) {
    this.#silentMs = silentMs;
    this.#clock = clock;
    this.#onChange = onChange;
  }

  get alive(): boolean | null {
    return this.#alive;
  }

  feed(): void {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#clock.setTimeout(() => this.lost(), this.#silentMs);
    if (this.#alive !== true) {
      this.#alive = true;
      this.#onChange(true);
    }
  }

  /** The device is gone for certain (its port closed): report it now. */
  lost(): void {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#alive === true) {
      this.#alive = false;
      this.#onChange(false);
    }
  }

  stop(): void {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
