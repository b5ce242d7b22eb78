/**
 * The audible alarm: WebAudio oscillator beeps, no audio files. It repeats every few seconds while any
 * critical alert is unacknowledged. Browsers allow sound only after a click on the page, which the
 * "Start shift" button provides. `window.__alarm` lets tests and the wall display see that it sounded.
 */
export interface AlarmState {
  /** True while the sound repeats (armed, and a critical alert waits). */
  ringing: boolean;
  /** How many times the alarm pattern has played since the page loaded. */
  count: number;
}

declare global {
  interface Window {
    __alarm: AlarmState;
  }
}

const REPEAT_MS = 4000;
const PATTERN = [
  { at: 0, hz: 880 },
  { at: 0.25, hz: 660 },
  { at: 0.5, hz: 880 },
  { at: 0.75, hz: 660 },
];

export class Alarm {
  readonly state: AlarmState = { ringing: false, count: 0 };
  #ctx: AudioContext | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #onChange: () => void;

  constructor(onChange: () => void = () => {}) {
    this.#onChange = onChange;
    window.__alarm = this.state;
  }

  get armed(): boolean {
    return this.#ctx !== null;
  }

  /** Runs inside the Start-shift click handler: creating and resuming the context there unlocks audio. */
  async arm(): Promise<void> {
    if (!this.#ctx) this.#ctx = new AudioContext();
    try {
      await this.#ctx.resume();
    } catch {
      // a machine without an audio device still shows the visual alarm
    }
  }

  /**
   * `waiting`: how many critical alerts are unacknowledged; `fresh`: one of them just arrived, so the
   * pattern starts again at once instead of at the next repeat.
   */
  update(waiting: number, fresh: boolean): void {
    const ring = this.armed && waiting > 0;
    if (!ring) {
      this.#silence();
      return;
    }
    if (!this.#timer || fresh) {
      this.#silence();
      this.#play();
      this.#timer = setInterval(() => this.#play(), REPEAT_MS);
    }
    this.state.ringing = true;
    this.#onChange();
  }

  /** One soft tone for a new alert that is not critical. */
  chime(): void {
    if (this.#ctx) this.#tone(this.#ctx.currentTime, 520, 0.35, 0.12);
  }

  stop(): void {
    this.#silence();
    void this.#ctx?.close();
    this.#ctx = null;
  }

  #silence(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    if (this.state.ringing) {
      this.state.ringing = false;
      this.#onChange();
    }
  }

  #play(): void {
    const ctx = this.#ctx;
    if (!ctx) return;
    const start = ctx.currentTime + 0.02;
    for (const { at, hz } of PATTERN) this.#tone(start + at, hz, 0.2, 0.25);
    this.state.count += 1;
  }

  #tone(at: number, hz: number, length: number, volume: number): void {
    const ctx = this.#ctx;
    if (!ctx) return;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'square';
    osc.frequency.value = hz;
    gain.gain.setValueAtTime(0, at);
    gain.gain.linearRampToValueAtTime(volume, at + 0.01);
    gain.gain.setValueAtTime(volume, at + length - 0.03);
    gain.gain.linearRampToValueAtTime(0, at + length);
    osc.connect(gain).connect(ctx.destination);
    osc.start(at);
    osc.stop(at + length + 0.01);
  }
}
