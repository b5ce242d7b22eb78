/**
 * A real pseudo-terminal pair joined by socat (DEVICE-PROTOCOLS §6): the agent opens one end as if
 * it were a USB-serial adapter, a simulator opens the other. `raw,echo=0` on both sides, because the
 * default line discipline would echo and rewrite binary frames.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PtyPair {
  /** The link the agent (host) opens. */
  agentPath: string;
  /** The link the simulated device opens. */
  devicePath: string;
  /** socat's process id, so a test can prove it is gone after `close()`. */
  pid: number;
  /** Stops socat and waits for it; the links disappear and an open agent port sees a disconnect. */
  close(): Promise<void>;
}

export interface PtyPairOptions {
  /** Folder for `agent` and `device` links; a fresh temp folder (removed on close) by default. */
  dir?: string;
  /** Explicit agent link, e.g. `/tmp/ttyRadar`; overrides `dir`. Reuse it to "replug" a device. */
  agentLink?: string;
  /** Explicit device link; overrides `dir`. */
  deviceLink?: string;
  /** socat binary name or path; default `socat`, found on the search path. */
  socatPath?: string;
  /** The PATH socat is looked up on; default the process's own. */
  searchPath?: string;
  /** How long to wait for both links; default 5000 ms. */
  timeoutMs?: number;
}

const POLL_MS = 10;
const KILL_GRACE_MS = 2000;
const INSTALL_HINT = 'install the Debian package socat (sudo apt-get install socat)';

/** Spawns socat and resolves once both links exist. Accepts a folder or options. */
export async function openPtyPair(options: string | PtyPairOptions = {}): Promise<PtyPair> {
  const opts = typeof options === 'string' ? { dir: options } : options;
  const ownDir = opts.dir === undefined && (opts.agentLink === undefined || opts.deviceLink === undefined);
  const dir = opts.dir ?? (ownDir ? mkdtempSync(join(tmpdir(), 'pty-pair-')) : '');
  const agentPath = opts.agentLink ?? join(dir, 'agent');
  const devicePath = opts.deviceLink ?? join(dir, 'device');
  const cleanupDir = () => {
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (opts.dir !== undefined) mkdirSync(opts.dir, { recursive: true });
    // A link left by a killed socat would satisfy the wait below before the new pty exists.
    removeStaleLink(agentPath);
    removeStaleLink(devicePath);
    const socat = startSocat(opts, agentPath, devicePath);
    await waitForLinks(socat, [agentPath, devicePath], opts.timeoutMs ?? 5000);
    const close = async () => {
      await stopProcess(socat.child);
      removeStaleLink(agentPath);
      removeStaleLink(devicePath);
      cleanupDir();
    };
    return { agentPath, devicePath, pid: socat.child.pid ?? -1, close };
  } catch (error) {
    cleanupDir();
    throw error;
  }
}

interface RunningSocat {
  child: ChildProcess;
  stderr: () => string;
  /** Set when spawning failed (ENOENT when socat is not installed). */
  spawnError: () => Error | undefined;
}

function startSocat(opts: PtyPairOptions, agentPath: string, devicePath: string): RunningSocat {
  const args = ['-d', '-d', `pty,raw,echo=0,link=${agentPath}`, `pty,raw,echo=0,link=${devicePath}`];
  const env = opts.searchPath === undefined ? process.env : { ...process.env, PATH: opts.searchPath };
  const child = spawn(opts.socatPath ?? 'socat', args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let spawnError: Error | undefined;
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    stderr += text;
  });
  child.once('error', (error) => {
    spawnError = error;
  });
  return { child, stderr: () => stderr, spawnError: () => spawnError };
}

async function waitForLinks(socat: RunningSocat, links: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const spawnError = socat.spawnError();
    if (spawnError !== undefined) throw missingSocatError(spawnError);
    if (socat.child.exitCode !== null || socat.child.signalCode !== null) {
      throw new Error(
        `socat exited (${socat.child.exitCode ?? socat.child.signalCode}) before the pty links appeared:\n${socat.stderr()}`,
      );
    }
    if (links.every((link) => existsSync(link))) return;
    if (Date.now() > deadline) {
      await stopProcess(socat.child);
      throw new Error(
        `socat did not create ${links.join(' and ')} within ${timeoutMs} ms:\n${socat.stderr()}`,
      );
    }
    await sleep(POLL_MS);
  }
}

function missingSocatError(error: Error): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'EACCES') {
    return new Error(`socat could not be started (${code}); ${INSTALL_HINT}`, { cause: error });
  }
  return new Error(`socat could not be started: ${error.message}`, { cause: error });
}

/** SIGTERM, then SIGKILL if socat hangs; resolves once the process is gone. */
function stopProcess(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Removes a symlink at `path`; refuses to touch anything that is not one. */
function removeStaleLink(path: string): void {
  let isLink: boolean;
  try {
    isLink = lstatSync(path).isSymbolicLink();
  } catch {
    return;
  }
  if (!isLink) throw new Error(`${path} exists and is not a symlink; refusing to replace it with a pty link`);
  unlinkSync(path);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
