/**
 * The device end of a pty pair: what every byte-level simulator shares. Writes go out one after
 * another through a queue, so a heartbeat timer can never land in the middle of a split frame, just as
 * a real module's UART never interleaves two frames.
 */
import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import { RF_START, SY_HEAD_0, TF_SOF } from '../../edge/codecs/index.ts';
import { mulberry32 } from '../prng.ts';

/**
 * Bytes `noise()` never emits: the first byte of every frame the codecs know (SY `0x53`, TinyFrame
 * `0x01`, RF bridge `0xAA`). Every decoder hunts for that byte before it looks at anything else, so
 * noise can never open a frame, and a valid frame written before or after it decodes unchanged.
 */
export const NOISE_EXCLUDED_BYTES: ReadonlySet<number> = new Set([SY_HEAD_0, TF_SOF, RF_START]);

export interface SerialDeviceOptions {
  /** The device end of the pair (`PtyPair.devicePath`). */
  path: string;
  baudRate: number;
  /** Seed of the noise generator: the same seed gives the same noise. Default 1. */
  noiseSeed?: number;
  /** Default pause between the pieces of `writeSplit`, in ms; default 50. */
  splitGapMs?: number;
}

export interface SerialDeviceEvents {
  /** A chunk the host (agent) wrote, as the pty delivered it. */
  'host-data': [chunk: Buffer];
}

export class SerialDevice extends EventEmitter<SerialDeviceEvents> {
  /** Everything the host wrote, chunk by chunk. */
  readonly received: Buffer[] = [];
  /** The last write or reply error; a simulator keeps running when the agent end goes away. */
  lastError: Error | undefined;
  protected readonly port: SerialPort;
  private readonly splitGapMs: number;
  private readonly nextRandom: () => number;
  private queue: Promise<void> = Promise.resolve();

  constructor(options: SerialDeviceOptions) {
    super();
    this.port = new SerialPort({ path: options.path, baudRate: options.baudRate, autoOpen: false });
    this.splitGapMs = options.splitGapMs ?? 50;
    this.nextRandom = mulberry32(options.noiseSeed ?? 1);
    this.port.on('data', (chunk: Buffer) => this.handleHostData(chunk));
    this.port.on('error', (error: Error) => {
      this.lastError = error;
    });
  }

  get path(): string {
    return this.port.path;
  }

  get isOpen(): boolean {
    return this.port.isOpen;
  }

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.port.open((error) => (error ? reject(error) : resolve()));
    });
  }

  /** Writes one chunk; resolves once it has been handed to the pty. */
  write(bytes: Uint8Array): Promise<void> {
    return this.enqueue(() => this.writeNow(bytes));
  }

  /**
   * Writes `bytes` in pieces cut at the offsets in `at`, pausing `gapMs` between them, so the host
   * reads one frame over several reads. Nothing else is written in between.
   */
  writeSplit(bytes: Uint8Array, at: readonly number[], gapMs = this.splitGapMs): Promise<void> {
    const cuts = [...new Set(at)].filter((i) => i > 0 && i < bytes.length).sort((a, b) => a - b);
    const bounds = [0, ...cuts, bytes.length];
    return this.enqueue(async () => {
      for (let i = 0; i + 1 < bounds.length; i++) {
        if (i > 0) await sleep(gapMs);
        await this.writeNow(bytes.subarray(bounds[i], bounds[i + 1]));
      }
    });
  }

  /** Writes `n` seeded pseudo-random bytes that never include a frame start byte; returns them. */
  async noise(n: number): Promise<Buffer> {
    const bytes = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      let b = Math.floor(this.nextRandom() * 256);
      while (NOISE_EXCLUDED_BYTES.has(b)) b = Math.floor(this.nextRandom() * 256);
      bytes[i] = b;
    }
    await this.write(bytes);
    return bytes;
  }

  /** Everything the host wrote so far, as one buffer. */
  receivedBytes(): Buffer {
    return Buffer.concat(this.received);
  }

  /** Waits for queued writes, then closes the port; safe to call twice. */
  async close(): Promise<void> {
    await this.queue;
    if (!this.port.isOpen) return;
    await new Promise<void>((resolve) => {
      this.port.close(() => resolve());
    });
  }

  /** Subclasses answer host commands here; `chunk` is already recorded and emitted. */
  protected onHostData(_chunk: Buffer): void {}

  /** Sends a reply without letting a failed write escape as an unhandled rejection. */
  protected reply(bytes: Uint8Array): void {
    this.write(bytes).catch((error: unknown) => {
      this.lastError = error instanceof Error ? error : new Error(String(error));
    });
  }

  private handleHostData(chunk: Buffer): void {
    this.received.push(chunk);
    this.emit('host-data', chunk);
    this.onHostData(chunk);
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task);
    // The queue itself must survive a failed write; the caller still sees the error.
    this.queue = run.catch(() => {});
    return run;
  }

  private writeNow(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.port.write(Buffer.from(bytes), (error) => {
        if (error) return reject(error);
        this.port.drain((drainError) => (drainError ? reject(drainError) : resolve()));
      });
    });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
