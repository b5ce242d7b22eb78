import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { SerialPort } from 'serialport';
import type { ByteLink, Clock } from '../devices/device.ts';

const MIN_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;
/** How often an open port's device node is checked: serialport does not always notice it vanish. */
const PRESENCE_CHECK_MS = 2000;

/**
 * A serial port that keeps itself open: a port that is missing at start or disappears (USB unplugged)
 * is reopened with a capped backoff until it comes back. Never touches DTR/RTS (ptys and many USB
 * bridges refuse those ioctls).
 */
export class SerialLink extends EventEmitter<{ data: [Buffer]; open: []; close: [] }> implements ByteLink {
  readonly #path: string;
  readonly #baudRate: number;
  readonly #log: Logger;
  readonly #clock: Clock;
  #port: SerialPort | null = null;
  #retryMs = MIN_RETRY_MS;
  #timer: NodeJS.Timeout | undefined;
  #presence: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(path: string, baudRate: number, logger: Logger, clock: Clock) {
    super();
    this.#path = path;
    this.#baudRate = baudRate;
    this.#clock = clock;
    this.#log = logger.child({ port: path });
  }

  get isOpen(): boolean {
    return this.#port?.isOpen ?? false;
  }

  start(): void {
    this.#stopped = false;
    this.#open();
  }

  write(bytes: Uint8Array): Promise<void> {
    const port = this.#port;
    if (!port?.isOpen) return Promise.reject(new Error(`${this.#path} is not open`));
    return new Promise((resolve, reject) => {
      port.write(Buffer.from(bytes), (err) =>
        err ? reject(err) : port.drain((e) => (e ? reject(e) : resolve())),
      );
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#clock.clearTimeout(this.#timer);
    this.#clock.clearInterval(this.#presence);
    const port = this.#port;
    this.#port = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  #open(): void {
    if (this.#stopped) return;
    const port = new SerialPort({ path: this.#path, baudRate: this.#baudRate, autoOpen: false });
    port.on('data', (chunk: Buffer) => this.emit('data', chunk));
    port.on('error', (err) => this.#log.debug({ err: err.message }, 'serial error'));
    port.open((err) => {
      if (err) {
        this.#log.debug({ err: err.message }, 'cannot open port yet');
        this.#retry();
        return;
      }
      this.#port = port;
      this.#retryMs = MIN_RETRY_MS;
      port.once('close', () => {
        this.#clock.clearInterval(this.#presence);
        if (this.#port === port) this.#port = null;
        this.emit('close');
        this.#retry();
      });
      this.#presence = this.#clock.setInterval(() => {
        // A USB adapter pulled out (or a pty whose peer died) leaves no device node behind.
        if (!existsSync(this.#path) && port.isOpen) port.close();
      }, PRESENCE_CHECK_MS);
      this.emit('open');
    });
  }

  #retry(): void {
    if (this.#stopped) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#clock.setTimeout(() => this.#open(), this.#retryMs);
    this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
  }
}
