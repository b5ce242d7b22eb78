import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { type SystemProcess, spawnBroker } from '../tests/support/process.ts';

/** What /proc says of one process: resident memory and CPU time used so far. */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

/** User + system CPU seconds of a process (clock ticks of 1/100 s, Linux's USER_HZ). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Open file descriptors of a process. */
export function openFiles(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once `exited` has (at once for a process already gone). */
export async function stopChild(
  child: ChildProcess,
  exited: Promise<unknown>,
  graceMs: number,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(killer);
}

export interface BrokerUnderTest {
  url: string;
  port: number;
  pid: number;
  proc: SystemProcess;
  stop(): Promise<void>;
}

/** `npm run broker` as a child process on a free port, checking gateways against `registry`. */
export async function startBroker(env: {
  registry: string;
  servicePassword: string;
  dataDir: string;
  redisUrl?: string;
  brokerId?: string;
  /** Extra environment, e.g. NODE_OPTIONS=--cpu-prof for a profile of the broker. */
  extraEnv?: Record<string, string>;
}): Promise<BrokerUnderTest> {
  const proc = await spawnBroker({
    MQTT_PORT: '0',
    HOST: '127.0.0.1',
    GATEWAY_REGISTRY: env.registry,
    MQTT_SERVICE_PASSWORD: env.servicePassword,
    DATA_DIR: env.dataDir,
    LOG_LEVEL: 'error',
    ...(env.redisUrl ? { REDIS_URL: env.redisUrl } : {}),
    ...(env.brokerId ? { BROKER_ID: env.brokerId } : {}),
    ...env.extraEnv,
  });
  const port = Number(/listening on mqtt:\/\/[^:]+:(\d+)/.exec(proc.output())?.[1]);
  const pid = proc.child.pid as number;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    pid,
    proc,
    stop: () => stopChild(proc.child, proc.exited, 10_000),
  };
}

/** The machine a run was made on, for the JSON and the doc's conditions. */
export function machine(): Record<string, unknown> {
  let fileLimit = 'unknown';
  try {
    fileLimit = /Max open files\s+(\S+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? fileLimit;
  } catch {
    // not Linux
  }
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    openFileLimit: fileLimit,
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** Waits until the 1-minute load average is under `max` (other sessions share this machine), or gives up. */
export async function waitForQuiet(max: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while ((loadavg()[0] ?? 0) > max && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5000));
  return loadavg()[0] ?? 0;
}

/** What every run's report records of its conditions, besides its own options and results. */
export interface RunConditions {
  startedAt: string;
  durationS: number;
  machine: Record<string, unknown>;
  /** 1-minute load average before each measurement (other work on the machine shows here). */
  loadBefore: Record<string, number>;
}

/** The conditions of a run starting now. */
export function runConditions(): RunConditions {
  return { startedAt: new Date().toISOString(), durationS: 0, machine: machine(), loadBefore: {} };
}

/** Waits for a quiet machine (`waitForQuiet`, up to a minute) before measurement `name`; records the load. */
export async function quietBefore(run: RunConditions, name: string, quietLoad: number): Promise<number> {
  const load = Math.round((await waitForQuiet(quietLoad, 60_000)) * 100) / 100;
  run.loadBefore[name] = load;
  return load;
}

/** Records the run's duration and the load average at its end. */
export function endRun(run: RunConditions): void {
  run.durationS = Math.round((Date.now() - Date.parse(run.startedAt)) / 1000);
  run.machine.loadAverageAtEnd = loadavg().map((l) => Math.round(l * 100) / 100);
}

/** Median, min and max of a set of runs. */
export function spread(values: number[]): { median: number; min: number; max: number; runs: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return {
    median: Math.round(median),
    min: Math.round(sorted[0] ?? 0),
    max: Math.round(sorted.at(-1) ?? 0),
    runs: sorted.length,
  };
}
