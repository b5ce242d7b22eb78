import type { SmsLogger } from './gsm-modem.ts';
import { maskNumber, UCS2_MAX_CHARS } from './sms-text.ts';

/**
 * The rural fallback: a critical event the broker has not acknowledged within `afterS` goes out as one
 * SMS to each configured number, through the home's GSM modem. Once the deadline has passed the SMS is
 * committed: a late acknowledgement only means the event reached the cloud, not that anyone saw it.
 */

export interface SmsSender {
  sendSms(number: string, text: string): Promise<unknown>;
  /** Called by stop() on a sender the fallback opened itself with the factory. */
  close?(): Promise<void>;
}

export interface CriticalEvent {
  id: string;
  type: string;
  /** When the event happened: the contract's ISO-8601 string, epoch ms, or a Date. */
  ts: string | number | Date;
  elderName: string;
  address?: string;
}

export interface FallbackTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SmsFallbackOptions {
  /** The modem, or a function opening it on first need (called again after it fails). */
  modem: SmsSender | (() => SmsSender | Promise<SmsSender>);
  numbers: readonly string[];
  /** Seconds from the event to the SMS; default 60 (`smsFallbackAfterS`). */
  afterS?: number;
  /** Attempts per number before giving up; default 4. */
  attempts?: number;
  /** Wait before the second attempt, doubled for each further one; default 5000 ms. */
  retryDelayMs?: number;
  /** Time zone of the time written in the SMS; default Asia/Shanghai. */
  timeZone?: string;
  now?: () => number;
  timers?: FallbackTimers;
  logger?: SmsLogger;
  /** Called once a number has the SMS, e.g. to remember on disk that this event needs none after a restart. */
  onSent?: (eventId: string, number: string) => void;
}

/** Event ids remembered after their fate is decided, so a repeated watch cannot send twice. */
const REMEMBERED_EVENTS = 1000;

const LABELS: Record<string, string> = {
  sos: '一键呼叫',
  fall: '跌倒',
  smoke: '烟雾报警',
  gas: '燃气泄漏',
  water_leak: '漏水',
};

// Looked up when called, not when constructed, so vi.useFakeTimers() after construction still applies.
const GLOBAL_TIMERS: FallbackTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
const NOOP_LOGGER: SmsLogger = { debug() {}, info() {}, warn() {}, error() {} };

function toMs(ts: CriticalEvent['ts']): number {
  return ts instanceof Date ? ts.getTime() : typeof ts === 'number' ? ts : Date.parse(ts);
}

/** `2026-11-22 09:15` in the given zone. */
export function formatEventTime(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(ms);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

/**
 * `紧急呼叫【跌倒】张秀英，2026-11-22 09:15，资阳市雁江区…（事件 abcd1234）请立即联系。` The address is
 * shortened so that name, event type, time and id always fit in one UCS2 SMS (70 characters).
 */
export function composeAlertText(event: CriticalEvent, timeZone = 'Asia/Shanghai'): string {
  const ms = toMs(event.ts);
  const time = Number.isFinite(ms) ? formatEventTime(ms, timeZone) : String(event.ts);
  const head = `紧急呼叫【${LABELS[event.type] ?? event.type}】${event.elderName}，${time}`;
  const tail = `（事件 ${event.id.slice(0, 8)}）请立即联系。`;
  const room = UCS2_MAX_CHARS - head.length - tail.length - 1;
  const address = event.address?.trim() ?? '';
  if (address.length === 0 || room < 2) return head + tail;
  const fitted = address.length <= room ? address : `${address.slice(0, room - 1)}…`;
  return `${head}，${fitted}${tail}`;
}

type EventState = { phase: 'waiting'; timer: unknown } | { phase: 'settled' };

export class SmsFallback {
  readonly #o: SmsFallbackOptions;
  readonly #timers: FallbackTimers;
  readonly #log: SmsLogger;
  readonly #events = new Map<string, EventState>();
  readonly #retryTimers = new Map<unknown, () => void>();
  readonly #sending = new Set<Promise<void>>();
  #sender: Promise<SmsSender> | null = null;
  #stopped = false;

  constructor(options: SmsFallbackOptions) {
    this.#o = options;
    this.#timers = options.timers ?? GLOBAL_TIMERS;
    this.#log = options.logger ?? NOOP_LOGGER;
  }

  /**
   * Starts the countdown for an event: `afterMs` when given, else what is left of `afterS` since the
   * event's ts. An id seen before (waiting, acknowledged or sent) is ignored.
   */
  watch(event: CriticalEvent, afterMs?: number): void {
    if (this.#stopped || this.#events.has(event.id)) return;
    const delay = afterMs ?? this.#remainingMs(event);
    const timer = this.#timers.setTimeout(() => this.#expire(event), delay);
    this.#events.set(event.id, { phase: 'waiting', timer });
    this.#log.debug({ eventId: event.id, delayMs: delay }, 'SMS fallback armed');
  }

  /** The broker has the event: no SMS. Too late once the SMS is on its way. */
  acknowledged(eventId: string): void {
    const state = this.#events.get(eventId);
    if (state?.phase !== 'waiting') return;
    this.#timers.clearTimeout(state.timer);
    this.#settle(eventId);
  }

  /**
   * Clears every countdown and retry at once; resolves when a send already talking to the modem is done
   * and a modem opened by the factory is closed.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const state of this.#events.values()) {
      if (state.phase === 'waiting') this.#timers.clearTimeout(state.timer);
    }
    for (const [handle, wake] of this.#retryTimers) {
      this.#timers.clearTimeout(handle);
      wake();
    }
    this.#retryTimers.clear();
    await Promise.allSettled(this.#sending);
    const opened = typeof this.#o.modem === 'function' ? this.#sender : null;
    this.#sender = null;
    await opened?.then((sender) => sender.close?.()).catch(() => undefined);
  }

  #remainingMs(event: CriticalEvent): number {
    const afterMs = (this.#o.afterS ?? 60) * 1000;
    // Counted from the event itself, so an event queued while the agent restarted does not wait twice.
    const age = (this.#o.now ?? Date.now)() - toMs(event.ts);
    return Number.isFinite(age) ? Math.min(afterMs, Math.max(0, afterMs - age)) : afterMs;
  }

  #expire(event: CriticalEvent): void {
    this.#settle(event.id);
    const text = composeAlertText(event, this.#o.timeZone);
    this.#log.warn(
      { eventId: event.id, type: event.type, numbers: this.#o.numbers.length },
      'event not acknowledged; sending SMS',
    );
    for (const number of this.#o.numbers) {
      const sending = this.#sendWithRetry(event.id, number, text).catch((err: unknown) => {
        this.#log.error({ err, eventId: event.id }, 'SMS fallback failed unexpectedly');
      });
      this.#sending.add(sending);
      void sending.finally(() => this.#sending.delete(sending));
    }
  }

  async #sendWithRetry(eventId: string, number: string, text: string): Promise<void> {
    const attempts = this.#o.attempts ?? 4;
    const to = maskNumber(number);
    for (let attempt = 1; attempt <= attempts && !this.#stopped; attempt++) {
      if (await this.#attempt(number, text, { eventId, to, attempt, last: attempt === attempts })) {
        this.#log.info({ eventId, to, attempt }, 'fallback SMS sent');
        // Outside the attempt: a failing hook must not make the SMS go out twice.
        this.#o.onSent?.(eventId, number);
        return;
      }
    }
    this.#log.error({ eventId, to, attempts }, 'fallback SMS not sent');
  }

  /** One try; after a failure that is not the last, waits out the backoff. True once the SMS is sent. */
  async #attempt(
    number: string,
    text: string,
    at: { eventId: string; to: string; attempt: number; last: boolean },
  ) {
    try {
      const sender = await this.#modem();
      await sender.sendSms(number, text);
      return true;
    } catch (err) {
      const { eventId, to, attempt } = at;
      if (at.last) {
        this.#log.warn({ err, eventId, to, attempt }, 'fallback SMS failed');
        return false;
      }
      const delayMs = (this.#o.retryDelayMs ?? 5000) * 2 ** (attempt - 1);
      this.#log.warn({ err, eventId, to, attempt, delayMs }, 'fallback SMS failed; will retry');
      await this.#sleep(delayMs);
      return false;
    }
  }

  #modem(): Promise<SmsSender> {
    const modem = this.#o.modem;
    if (typeof modem !== 'function') return Promise.resolve(modem);
    if (!this.#sender) {
      const opening = Promise.resolve().then(modem);
      // A factory that failed (no port, no answer) is asked again on the next attempt.
      opening.catch(() => {
        if (this.#sender === opening) this.#sender = null;
      });
      this.#sender = opening;
    }
    return this.#sender;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = this.#timers.setTimeout(() => {
        this.#retryTimers.delete(handle);
        resolve();
      }, ms);
      this.#retryTimers.set(handle, resolve);
    });
  }

  #settle(eventId: string): void {
    this.#events.set(eventId, { phase: 'settled' });
    if (this.#events.size <= REMEMBERED_EVENTS) return;
    for (const [id, state] of this.#events) {
      if (this.#events.size <= REMEMBERED_EVENTS) break;
      if (state.phase === 'settled') this.#events.delete(id);
    }
  }
}
