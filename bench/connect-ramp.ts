import { Fleet } from './fleet.ts';
import type { Population } from './population.ts';
import { cpuSeconds, rssBytes } from './processes.ts';
import type { Target } from './targets.ts';

export interface ConnectStep {
  /** Gateways connected after this step. */
  gateways: number;
  connect: { added: number; failed: number; perSecond: number; ms: number; cpuMsPerConnect: number };
  rssMiB: number;
  /** (RSS after this step − RSS before any gateway) / gateways. */
  rssPerGatewayKiB: number;
}

export interface ConnectRun {
  target: Target['name'];
  topology: string;
  idleRssMiB: number;
  steps: ConnectStep[];
}

const MiB = 2 ** 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Connects the fleet's gateways up to `size`: the storm's rate, the CPU per connect of process `pid`, and
 * its memory `settleMs` later, per gateway over its `idle` RSS (bytes, before any gateway).
 */
export async function connectStep(
  fleet: Fleet,
  pid: number,
  size: number,
  idle: number,
  settleMs: number,
): Promise<ConnectStep> {
  const cpu0 = cpuSeconds(pid);
  const c = await fleet.connect(size);
  const cpu = cpuSeconds(pid) - cpu0;
  await sleep(settleMs);
  const rss = rssBytes(pid);
  return {
    gateways: size,
    connect: {
      added: c.connected,
      failed: c.failed,
      perSecond: c.perSecond,
      ms: c.ms,
      cpuMsPerConnect: c.connected ? Math.round((cpu * 1000 * 100) / c.connected) / 100 : 0,
    },
    rssMiB: Math.round(rss / MiB),
    rssPerGatewayKiB: Math.round(((rss - idle) / size / 1024) * 10) / 10,
  };
}

/**
 * `npm run bench -- --only connect`: gateways connect as the edge agent does (will and birth retained,
 * `cmd/#` subscribed) in steps up to each size, with nothing else on the broker: the connect rate, the
 * broker's CPU per connect and its memory per gateway as it fills, without the latency ramp's vitals.
 */
export async function connectRamp(
  target: Target,
  population: Population,
  options: { sizes: number[]; workers: number; settleMs: number },
  log: (line: string) => void,
): Promise<ConnectRun> {
  const fleet = await Fleet.start({
    population,
    ports: [target.port],
    workers: options.workers,
  });
  try {
    await sleep(options.settleMs);
    const idle = rssBytes(target.pid);
    const steps: ConnectStep[] = [];
    for (const size of options.sizes) {
      const step = await connectStep(fleet, target.pid, size, idle, options.settleMs);
      log(
        `${target.name}: ${size} gateways (+${step.connect.added} at ${step.connect.perSecond}/s, ` +
          `${step.connect.cpuMsPerConnect} ms CPU each, ${step.rssPerGatewayKiB} KiB/gateway, ${step.connect.failed} failed)`,
      );
      steps.push(step);
    }
    return { target: target.name, topology: target.topology, idleRssMiB: Math.round(idle / MiB), steps };
  } finally {
    await fleet.close();
  }
}
