import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackages, PACKAGES } from '../tests/support/debian.ts';
import { freePort } from '../tests/support/process.ts';
import { stopChild } from './processes.ts';

/** A bare Mosquitto (Debian's package) on a free loopback port, as the reference broker of `npm run bench`. */
export interface Mosquitto {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts `/usr/sbin/mosquitto` with a generated config in a temp dir: one listener on 127.0.0.1, anonymous
 * clients allowed (every username and password is accepted), no persistence, no connection or queue
 * limits that would cut a benchmark short. Installs the package first when running as root.
 */
export async function startMosquitto(): Promise<Mosquitto> {
  ensureDebianPackages('mosquitto');
  const dir = await mkdtemp(join(tmpdir(), 'eldercare-mosquitto-'));
  const port = await freePort();
  const config = [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'persistence false',
    'max_connections -1',
    'max_queued_messages 100000',
    'max_inflight_messages 100',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    // Root keeps root (no `mosquitto` user needed); anyone else runs as themselves.
    ...(process.getuid?.() === 0 ? ['user root'] : []),
  ].join('\n');
  await writeFile(join(dir, 'mosquitto.conf'), `${config}\n`);
  const child: ChildProcess = spawn(PACKAGES.mosquitto, ['-c', join(dir, 'mosquitto.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited: ${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`mosquitto did not listen on ${port}: ${output}`);
    }
    if (await listening(port)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    pid: child.pid as number,
    async stop() {
      await stopChild(child, exited, 5000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
