import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { freePort, spawnSystem, waitForHealth } from '../../tests/support/process.ts';
import { CloudApi, Dispatcher } from '../harness/cloud-api.ts';
import { Fleet, provisionGateways } from '../harness/fleet.ts';
import { type Check, readAlerts, type ScenarioResult } from '../harness/report.ts';
import {
  range,
  type Scenario,
  type ScenarioOptions,
  settle,
  sleep,
  sosBurst,
  until,
} from '../harness/scenario.ts';
import { Node } from '../harness/topology.ts';

/** What the scenario needs that a plain user lacks: said before anything starts, never a silent skip. */
export function diskFullPrerequisite(): string | null {
  return process.getuid?.() === 0
    ? null
    : 'the disk-full scenario mounts a small tmpfs as DATA_DIR and needs root (mount -t tmpfs); run it as root';
}

/** Writes zeros into `path` until the file system says ENOSPC; answers the bytes written. */
export function fillDisk(path: string): number {
  const fd = openSync(path, 'w');
  let written = 0;
  try {
    for (const size of [1 << 20, 1 << 12, 1 << 9]) {
      const chunk = Buffer.alloc(size);
      for (;;) {
        try {
          written += writeSync(fd, chunk);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

/** `PRAGMA integrity_check` of one SQLite file: 'ok' when intact. */
export function integrity(path: string): string {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return String(db.prepare('PRAGMA integrity_check').get()?.integrity_check);
  } finally {
    db.close();
  }
}

const DISK_ERROR = /database or disk is full|SQLITE_FULL|ENOSPC|no space left/i;

/**
 * `npm start` (broker, journal and cloud in one process, as a small site runs it) on a 32 MiB tmpfs
 * DATA_DIR that the harness fills to the last byte mid-burst, then frees.
 */
export const diskFull: Scenario = {
  name: 'disk-full',
  what: 'DATA_DIR (a 32 MiB tmpfs) filled to ENOSPC during an SOS burst, then space returned; the edge holds what the broker could not journal',
  run: async (options: ScenarioOptions): Promise<ScenarioResult> => {
    const missing = diskFullPrerequisite();
    if (missing) throw new Error(missing);
    const started = Date.now();
    const log = (line: string) => options.log(`[disk-full] ${line}`);
    const workDir = mkdtempSync(join(tmpdir(), 'eldercare-chaos-disk-'));
    const dataDir = join(workDir, 'data');
    mkdirSync(dataDir);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', dataDir]);
    const httpPort = await freePort();
    const mqttPort = await freePort();
    const env = {
      DATA_DIR: dataDir,
      HTTP_PORT: String(httpPort),
      MQTT_PORT: String(mqttPort),
      SIM_HOMES: '0',
    };
    const api = new CloudApi(`http://127.0.0.1:${httpPort}`);
    const system = new Node('system', async () => {
      const proc = spawnSystem(env);
      await waitForHealth(`${api.url}/api/health`, proc, 60_000);
      return proc;
    });
    let fleet: Fleet | null = null;
    let dispatcher: Dispatcher | null = null;
    const filler = join(dataDir, 'filler');
    try {
      await system.start();
      const gateways = await provisionGateways(api, options.gateways);
      fleet = Fleet.start(gateways, join(workDir, 'edge'), () => [`mqtt://127.0.0.1:${mqttPort}`]);
      dispatcher = await Dispatcher.connect(api);
      const f = fleet;
      if (!(await until(() => f.connected === f.size, 60_000))) throw new Error('gateways did not connect');
      const half = Math.floor(f.size / 2);
      await sosBurst(f, range(0, half), 1000);
      await until(() => f.acked.size >= half, 30_000);
      log(`${f.acked.size} SOS stored before the disk fills`);
      const bytes = fillDisk(filler);
      log(`DATA_DIR filled (${(bytes / 2 ** 20).toFixed(1)} MiB of zeros)`);
      await sosBurst(f, range(half, f.size), 1000);
      await sleep(15_000);
      const ackedWhileFull = f.acked.size - half;
      const heldAtEdge = f.pending();
      const output = system.output();
      log(
        `while full: ${ackedWhileFull} PUBACKed, ${heldAtEdge} held by the gateways, system ${system.running ? 'up' : 'exited'}`,
      );
      rmSync(filler);
      log('space returned');
      const restarted = !system.running;
      if (restarted) await system.start();
      const store = join(dataDir, 'cloud.db');
      const tally = await settle(f, { readAlerts: async (p) => readAlerts(store, p) }, dispatcher);
      const stores = ['cloud.db', 'broker-journal.db'].map((file) => integrity(join(dataDir, file)));
      const checks: Check[] = [
        { what: 'a clear disk-full error is logged', ok: DISK_ERROR.test(output) },
        { what: 'the system is still up after space returns (no restart needed)', ok: !restarted },
        {
          what: 'the cloud store and broker journal pass PRAGMA integrity_check',
          ok: stores.every((s) => s === 'ok'),
        },
      ];
      const errorLine = output.split('\n').find((l) => DISK_ERROR.test(l));
      log(
        errorLine
          ? `logged: ${errorLine.slice(0, 400)}`
          : `no disk error logged; output:\n${output.slice(-2000)}`,
      );
      return { name: 'disk-full', tally, checks, seconds: Math.round((Date.now() - started) / 1000) };
    } finally {
      dispatcher?.close();
      await fleet?.stop();
      await system.kill('SIGTERM');
      execFileSync('umount', ['-l', dataDir]);
      rmSync(workDir, { recursive: true, force: true });
    }
  },
};
