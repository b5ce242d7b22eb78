/** Helpers for the pty simulator tests: the agent end, waiting, and cleanup in reverse order. */
import { SerialPort } from 'serialport';
import { openPtyPair, type PtyPair } from './pty-pair.ts';

/** The host side of a pair, opened as the edge agent would open a USB-serial adapter. */
export interface AgentEnd {
  port: SerialPort;
  /** Every read, as the pty delivered it. */
  chunks: Buffer[];
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export async function openAgent(path: string, baudRate: number): Promise<AgentEnd> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  const chunks: Buffer[] = [];
  port.on('data', (chunk: Buffer) => chunks.push(chunk));
  // A disconnect when socat stops is expected in some tests; the 'close' event reports it.
  port.on('error', () => {});
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  return {
    port,
    chunks,
    write: (bytes) =>
      new Promise((resolve, reject) => {
        port.write(Buffer.from(bytes), (e) =>
          e ? reject(e) : port.drain((d) => (d ? reject(d) : resolve())),
        );
      }),
    close: () =>
      new Promise((resolve) => {
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      }),
  };
}

/** Polls `probe` until it returns something other than undefined/false; fails naming `what`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false,
  timeoutMs = 3000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Undo steps registered as things are opened, run last-first in afterEach. */
export class Cleanup {
  private readonly steps: (() => Promise<unknown>)[] = [];

  add(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    const errors: unknown[] = [];
    for (let step = this.steps.pop(); step !== undefined; step = this.steps.pop()) {
      await step().catch((error: unknown) => errors.push(error));
    }
    if (errors.length > 0) throw new AggregateError(errors, 'cleanup failed');
  }
}

/** A pair whose close is registered with `cleanup`. */
export async function pairFor(
  cleanup: Cleanup,
  options?: Parameters<typeof openPtyPair>[0],
): Promise<PtyPair> {
  const pair = await openPtyPair(options);
  cleanup.add(() => pair.close());
  return pair;
}

/** True while a process with this id exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Chunks as one `53 59 83 …` string, the way the protocol notes print frames. */
export function wireHex(chunks: readonly Uint8Array[]): string {
  return Buffer.concat(chunks)
    .toString('hex')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1 ');
}
