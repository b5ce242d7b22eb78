import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A port that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface SystemProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs `npm start`'s entry point as a real process with the given environment. */
export function spawnSystem(env: Record<string, string>): SystemProcess {
  return spawnEntry(join(import.meta.dirname, '..', '..', 'system', 'main.ts'), env);
}

/** Runs `npm run broker`'s entry point (one broker process); resolves once it listens. */
export async function spawnBroker(env: Record<string, string>, timeoutMs = 20_000): Promise<SystemProcess> {
  const proc = spawnEntry(join(import.meta.dirname, '..', '..', 'broker', 'main.ts'), env);
  const deadline = Date.now() + timeoutMs;
  while (!/listening on mqtt:/.test(proc.output())) {
    if (proc.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`broker did not start:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return proc;
}

/** Runs one of the project's entry points (`system/main.ts`, `device-sims/main.ts`…) on this Node. */
export function spawnEntry(entry: string, env: Record<string, string>, args: string[] = []): SystemProcess {
  const child = spawn(process.execPath, [entry, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Sends `signal` unless the process has exited already, and waits for its exit. */
export async function stopProcess(proc: SystemProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill(signal);
  await proc.exited;
}

/** Resolves when `url` answers 200, polling; fails with the process output after `timeoutMs`. */
export async function waitForHealth(url: string, proc: SystemProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`system exited early:\n${proc.output()}`);
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`system not healthy after ${timeoutMs} ms:\n${proc.output()}`);
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
