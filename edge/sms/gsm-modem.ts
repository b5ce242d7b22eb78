import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { type AtEvent, AtLineReader } from './at-line-reader.ts';
import { finalResult, GsmError, type Step } from './gsm-error.ts';
import { maskNumber, numberProblem, prepareSms, type SmsCharset, textProblem } from './sms-text.ts';

/**
 * An SMS client speaking 3GPP 27.005 text mode over any byte stream: a `serialport` SerialPort, a pty,
 * or an in-memory pair in tests. One command at a time; whatever the modem says that is not the answer
 * being waited for (echo, `RING`, `+CMTI:`, `^RSSI:`) is logged and ignored.
 */

export { GsmError, type GsmErrorCode } from './gsm-error.ts';

export type SmsLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export interface GsmModemOptions {
  /** How long an ordinary command may take; default 5000 ms. */
  commandTimeoutMs?: number;
  /** How long the network may take to accept an SMS after Ctrl-Z; default 60000 ms (modems allow up to 60 s). */
  sendTimeoutMs?: number;
  /** Quiet time after a timeout, so a late answer is not taken for the next command's; default 500 ms. */
  recoveryMs?: number;
  logger?: SmsLogger;
}

export interface SmsReceipt {
  /** The message reference the network gave (`+CMGS: <mr>`), 0-255. */
  reference: number;
  charset: SmsCharset;
  /** True when the text was cut to fit one SMS. */
  truncated: boolean;
}

interface Waiter {
  event(ev: AtEvent): void;
  fail(error: GsmError): void;
}

const CTRL_Z = '\u001a';
const ESC = '\u001b';
/** A modem just powered up may miss the first AT while it detects the baud rate. */
const ATTENTION_ATTEMPTS = 3;

const NOOP_LOGGER: SmsLogger = { debug() {}, info() {}, warn() {}, error() {} };

export class GsmModem {
  readonly #port: Duplex;
  readonly #reader = new AtLineReader();
  readonly #log: SmsLogger;
  readonly #commandTimeoutMs: number;
  readonly #sendTimeoutMs: number;
  readonly #recoveryMs: number;
  #waiter: Waiter | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(port: Duplex, options: GsmModemOptions = {}) {
    this.#port = port;
    this.#log = options.logger ?? NOOP_LOGGER;
    this.#commandTimeoutMs = options.commandTimeoutMs ?? 5000;
    this.#sendTimeoutMs = options.sendTimeoutMs ?? 60_000;
    this.#recoveryMs = options.recoveryMs ?? 500;
    port.on('data', this.#onData);
    port.on('error', this.#onError);
    port.on('close', this.#onClose);
    port.on('end', this.#onClose);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** AT (retried while the modem wakes), echo off, text mode, numeric error codes. */
  init(): Promise<void> {
    return this.#enqueue(async () => {
      await this.#attention();
      await this.#simple('ATE0');
      await this.#simple('AT+CMGF=1');
      // Numbered +CME errors instead of a bare ERROR; a modem without AT+CMEE still sends SMS.
      await this.#simple('AT+CMEE=1').catch((error: unknown) => {
        if (error instanceof GsmError && error.code === 'TIMEOUT') throw error;
        this.#log.debug({ err: error }, 'modem refuses AT+CMEE=1; errors will be bare');
      });
    });
  }

  /**
   * Sends one SMS. ASCII that the GSM alphabet carries unchanged goes as GSM (160 characters), anything
   * else as UCS2 (70); a longer text is cut with an ellipsis (see sms-text.ts).
   */
  sendSms(number: string, text: string): Promise<SmsReceipt> {
    const problem = numberProblem(number);
    if (problem) return Promise.reject(new GsmError('INVALID_NUMBER', problem));
    const textIssue = textProblem(text);
    if (textIssue) return Promise.reject(new GsmError('INVALID_TEXT', textIssue));
    const sms = prepareSms(number, text);
    return this.#enqueue(async () => {
      await this.#simple(`AT+CSCS="${sms.charset}"`);
      // Data coding scheme 8 is UCS2, 0 the GSM alphabet; 167 keeps the SMS at the SMSC for a day.
      await this.#simple(`AT+CSMP=17,167,0,${sms.charset === 'UCS2' ? 8 : 0}`);
      // Errors and log lines name the command by its masked number only.
      await this.#awaitPrompt(`AT+CMGS="${sms.address}"`, `AT+CMGS="${maskNumber(number)}"`);
      const reference = await this.#submit(sms.body);
      this.#log.info(
        { to: maskNumber(number), reference, charset: sms.charset, truncated: sms.truncated },
        'SMS accepted by the network',
      );
      return { reference, charset: sms.charset, truncated: sms.truncated };
    });
  }

  /** Any other command; resolves with the answer lines that start with `prefix` (all lines without one). */
  command(at: string, options: { prefix?: string; timeoutMs?: number } = {}): Promise<string[]> {
    return this.#enqueue(() => this.#simple(at, options));
  }

  /** Fails whatever is pending or queued with CLOSED, and closes the port. */
  async close(): Promise<void> {
    this.#markClosed();
    const port = this.#port;
    port.off('data', this.#onData);
    if (port.closed) return;
    await new Promise<void>((resolve) => {
      port.once('close', () => resolve());
      port.destroy();
    });
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = () => (this.#closed ? Promise.reject(new GsmError('CLOSED', 'the modem is closed')) : task());
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #attention(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#simple('AT');
        return;
      } catch (error) {
        const again = error instanceof GsmError && error.code === 'TIMEOUT' && attempt < ATTENTION_ATTEMPTS;
        if (!again) throw error;
        this.#log.debug({ attempt }, 'no answer to AT yet; trying again');
      }
    }
  }

  /** A command answered by lines and a final result code. */
  #simple(at: string, options: { prefix?: string; timeoutMs?: number } = {}): Promise<string[]> {
    const lines: string[] = [];
    const step = (ev: AtEvent): Step<string[]> => {
      if (ev.kind !== 'line' || ev.line === at) return null;
      const final = finalResult(ev.line, at);
      if (final) return 'error' in final ? final : { value: lines };
      if (options.prefix === undefined || ev.line.startsWith(options.prefix)) lines.push(ev.line);
      return null;
    };
    return this.#transact(`${at}\r`, at, options.timeoutMs ?? this.#commandTimeoutMs, step, false);
  }

  /** AT+CMGS up to the `> ` prompt; an error instead of the prompt ends it. */
  #awaitPrompt(at: string, label: string): Promise<true> {
    const step = (ev: AtEvent): Step<true> => {
      if (ev.kind === 'prompt') return { value: true };
      const final = finalResult(ev.line, label);
      // An OK before the prompt is no answer to AT+CMGS; only an error is.
      return final && 'error' in final ? final : null;
    };
    return this.#transact(`${at}\r`, label, this.#commandTimeoutMs, step, true);
  }

  /** The text and Ctrl-Z, then `+CMGS: <mr>` and OK. */
  #submit(body: string): Promise<number> {
    const label = 'AT+CMGS (text)';
    let reference: number | null = null;
    const step = (ev: AtEvent): Step<number> => {
      if (ev.kind !== 'line') return null;
      const m = /^\+CMGS:\s*(\d+)/.exec(ev.line);
      if (m) reference = Number(m[1]);
      const final = finalResult(ev.line, label);
      if (final && 'error' in final) return final;
      // A modem that still echoes would send the text back; an "OK" in it must not count.
      return final && reference !== null ? { value: reference } : null;
    };
    return this.#transact(body + CTRL_Z, label, this.#sendTimeoutMs, step, true);
  }

  /**
   * Writes, then feeds every event to `step` until it settles or the time is up. After a timeout the
   * modem may still be in the text prompt (`leavePrompt` sends ESC to leave it) or about to answer late, so
   * the queue stays quiet for `recoveryMs` before the error is reported and the next command runs.
   */
  async #transact<T>(
    data: string,
    label: string,
    timeoutMs: number,
    step: (ev: AtEvent) => Step<T>,
    leavePrompt: boolean,
  ): Promise<T> {
    try {
      return await this.#exchange(data, label, timeoutMs, step);
    } catch (error) {
      if (error instanceof GsmError && error.code === 'TIMEOUT' && !this.#closed) {
        this.#log.warn({ command: label, timeoutMs }, 'modem did not answer');
        if (leavePrompt) this.#port.write(ESC);
        await new Promise((resolve) => setTimeout(resolve, this.#recoveryMs));
        this.#reader.reset();
      }
      throw error;
    }
  }

  #exchange<T>(data: string, label: string, timeoutMs: number, step: (ev: AtEvent) => Step<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (outcome: Step<T>) => {
        if (settled || outcome === null) return;
        settled = true;
        clearTimeout(timer);
        this.#waiter = null;
        if ('error' in outcome) reject(outcome.error);
        else resolve(outcome.value);
      };
      const fail = (code: 'TIMEOUT' | 'PORT_ERROR', message: string, cause?: Error) =>
        finish({ error: new GsmError(code, `${label}: ${message}`, { command: label, cause }) });
      const timer = setTimeout(() => fail('TIMEOUT', `no answer within ${timeoutMs} ms`), timeoutMs);
      this.#waiter = { event: (ev) => finish(step(ev)), fail: (error) => finish({ error }) };
      this.#log.debug({ command: label }, 'to modem');
      this.#port.write(data, 'latin1', (err) => {
        if (err) fail('PORT_ERROR', `write failed: ${err.message}`, err);
      });
    });
  }

  readonly #onData = (chunk: Buffer | string): void => {
    for (const ev of this.#reader.push(chunk)) {
      if (this.#waiter) this.#waiter.event(ev);
      // Only the result code: an unsolicited +CMT or +CLIP line carries a caller's number.
      else if (ev.kind === 'line')
        this.#log.debug({ code: ev.line.split(/[:\s]/)[0] }, 'unsolicited from modem');
    }
  };

  readonly #onError = (err: Error): void => {
    this.#log.error({ err }, 'modem port error');
    this.#waiter?.fail(new GsmError('PORT_ERROR', `modem port error: ${err.message}`, { cause: err }));
  };

  readonly #onClose = (): void => {
    if (!this.#closed) this.#log.warn({}, 'modem port closed');
    this.#markClosed();
  };

  #markClosed(): void {
    this.#closed = true;
    this.#waiter?.fail(new GsmError('CLOSED', 'the modem port closed'));
  }
}
