/**
 * A simulated GSM modem answering the AT commands of SMS text mode (3GPP 27.005) on a byte stream: a
 * pty end in system tests, an in-memory pair in unit tests. Like a real modem it echoes what it is
 * sent until ATE0, answers AT+CMGS with a `> ` prompt and takes the text up to Ctrl-Z. It decodes
 * UCS2 on its own (not with the agent's encoder), so a test catches an encoding bug on either side.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';

/** How the next AT+CMGS fails: bare `ERROR` instead of the prompt, `+CMS ERROR` after the text, or no answer. */
export type GsmSimFailure = 'ERROR' | 'CMS' | 'silent';
export type GsmSimCharset = 'GSM' | 'IRA' | 'UCS2';

export interface SimSms {
  number: string;
  text: string;
  at: Date;
  reference: number;
  charset: GsmSimCharset;
}

export interface GsmModemSimOptions {
  /** The number after `+CMS ERROR:` for failNext 'CMS'; default 500 (unknown error). */
  cmsError?: number;
  now?: () => Date;
}

interface SimEvents {
  message: [SimSms];
  command: [string];
}

const CR = 0x0d;
const LF = 0x0a;
const CTRL_Z = 0x1a;
const ESC = 0x1b;
const MAX_COMMAND = 556;
const CHARSETS: readonly string[] = ['GSM', 'IRA', 'UCS2'];

/** UCS2 hex (`5F20`) → text; undefined unless whole groups of four hex digits. */
export function decodeUcs2Hex(hex: string): string | undefined {
  if (!/^(?:[0-9A-Fa-f]{4})*$/.test(hex)) return undefined;
  return Buffer.from(hex, 'hex').swap16().toString('utf16le');
}

export class GsmModemSim extends EventEmitter<SimEvents> {
  /** Every SMS accepted, oldest first. */
  readonly messages: SimSms[] = [];
  /** Every command line received, as sent (without CR). */
  readonly commands: string[] = [];
  /** Sent before every answer line and the prompt, as unsolicited result codes interleave on a real modem. */
  urcs: string[] = [];
  failNext: GsmSimFailure | null = null;
  echo = true;
  textMode = false;
  charset: GsmSimCharset = 'GSM';
  readonly #port: Duplex;
  readonly #cmsError: number;
  readonly #now: () => Date;
  #line: number[] = [];
  #body: { number: string; failure: GsmSimFailure | null; bytes: number[] } | null = null;
  #reference = 0;

  constructor(port: Duplex, options: GsmModemSimOptions = {}) {
    super();
    this.#port = port;
    this.#cmsError = options.cmsError ?? 500;
    this.#now = options.now ?? (() => new Date());
    port.on('data', this.#onData);
    // A pty whose other end goes away reports EIO; the simulator just stops answering.
    port.on('error', () => undefined);
  }

  /** Sends an unsolicited result code now, e.g. `RING` or `+CMTI: "SM",3`. */
  unsolicited(line: string): void {
    this.#port.write(`\r\n${line}\r\n`);
  }

  /** Closes the stream (and with it the pty end). */
  async close(): Promise<void> {
    const port = this.#port;
    port.off('data', this.#onData);
    if (port.closed) return;
    await new Promise<void>((resolve) => {
      port.once('close', () => resolve());
      port.destroy();
    });
  }

  readonly #onData = (chunk: Buffer | string): void => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    for (const byte of bytes) {
      if (this.#body) this.#bodyByte(this.#body, byte);
      else this.#commandByte(byte);
    }
  };

  #commandByte(byte: number): void {
    if (this.echo) this.#port.write(Uint8Array.of(byte));
    if (byte === CR) {
      const line = Buffer.from(this.#line).toString('latin1');
      this.#line = [];
      this.#command(line);
    } else if (byte !== LF && this.#line.length < MAX_COMMAND) {
      this.#line.push(byte);
    }
  }

  #bodyByte(body: { number: string; failure: GsmSimFailure | null; bytes: number[] }, byte: number): void {
    if (byte === ESC) {
      this.#body = null;
      return;
    }
    if (byte !== CTRL_Z) {
      if (this.echo) this.#port.write(Uint8Array.of(byte));
      body.bytes.push(byte);
      return;
    }
    this.#body = null;
    this.#reply(...this.#finishSms(body.number, Buffer.from(body.bytes).toString('latin1'), body.failure));
  }

  #command(raw: string): void {
    // Like a modem, ignore anything before the AT prefix (line noise, a stray ESC).
    const start = raw.toUpperCase().indexOf('AT');
    if (start < 0) return;
    const cmd = raw.slice(start).trim();
    this.commands.push(cmd);
    this.emit('command', cmd);
    this.#reply(...this.#answer(cmd));
  }

  /** The lines a command is answered with; none while a prompt is open or the modem plays dead. */
  #answer(cmd: string): string[] {
    const upper = cmd.toUpperCase();
    const setting = /^AT\+(CMGF|CSCS|CSMP|CMEE)(\?|=(.*))$/.exec(upper);
    if (upper === 'AT') return ['OK'];
    if (/^ATE[01]?$/.test(upper)) {
      // V.250: a missing value means 0.
      this.echo = upper === 'ATE1';
      return ['OK'];
    }
    if (setting) return this.#setting(setting[1] ?? '', setting[2] === '?', cmd.slice(cmd.indexOf('=') + 1));
    if (upper.startsWith('AT+CMGS=')) return this.#cmgs(cmd.slice('AT+CMGS='.length));
    return ['ERROR'];
  }

  #setting(name: string, query: boolean, value: string): string[] {
    if (name === 'CMGF') {
      if (query) return [`+CMGF: ${this.textMode ? 1 : 0}`, 'OK'];
      if (value !== '0' && value !== '1') return ['ERROR'];
      this.textMode = value === '1';
    } else if (name === 'CSCS') {
      if (query) return [`+CSCS: "${this.charset}"`, 'OK'];
      const charset = /^"([A-Za-z0-9]+)"$/.exec(value)?.[1]?.toUpperCase() ?? '';
      if (!CHARSETS.includes(charset)) return ['ERROR'];
      this.charset = charset as GsmSimCharset;
    }
    return ['OK'];
  }

  #cmgs(args: string): string[] {
    const failure = this.failNext;
    this.failNext = null;
    if (failure === 'silent') return [];
    if (failure === 'ERROR') return ['ERROR'];
    // 302: operation not allowed, which is what a modem in PDU mode says to a text-mode AT+CMGS.
    if (!this.textMode) return ['+CMS ERROR: 302'];
    const quoted = /^"([^"]*)"(?:,\d+)?$/.exec(args)?.[1];
    const number = quoted === undefined ? undefined : this.#decode(quoted);
    if (number === undefined || !/^\+?\d+$/.test(number)) return ['+CMS ERROR: 305'];
    this.#body = { number, failure, bytes: [] };
    this.#urcs();
    this.#port.write('\r\n> ');
    return [];
  }

  #finishSms(number: string, body: string, failure: GsmSimFailure | null): string[] {
    if (failure === 'CMS') return [`+CMS ERROR: ${this.#cmsError}`];
    const text = this.#decode(body);
    if (text === undefined) return ['+CMS ERROR: 305'];
    this.#reference = (this.#reference + 1) % 256;
    const sms: SimSms = { number, text, at: this.#now(), reference: this.#reference, charset: this.charset };
    this.messages.push(sms);
    this.emit('message', sms);
    return [`+CMGS: ${sms.reference}`, 'OK'];
  }

  /** A string parameter or SMS text in the current character set. */
  #decode(value: string): string | undefined {
    return this.charset === 'UCS2' ? decodeUcs2Hex(value) : value;
  }

  #urcs(): void {
    for (const urc of this.urcs) this.#port.write(`\r\n${urc}\r\n`);
  }

  #reply(...lines: string[]): void {
    for (const line of lines) {
      this.#urcs();
      this.#port.write(`\r\n${line}\r\n`);
    }
  }
}

/** Opens a pty end (or any serial device) with serialport and answers on it. Close with `sim.close()`. */
export async function startModemOnPty(path: string, options: GsmModemSimOptions = {}): Promise<GsmModemSim> {
  // Loaded lazily so simulators that never touch a serial device do not need the native binding.
  const { SerialPort } = await import('serialport');
  const port = new SerialPort({ path, baudRate: 115_200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  return new GsmModemSim(port, options);
}
