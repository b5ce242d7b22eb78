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
    host: '127.0.0.1',
    ports: [target.port],
    workers: options.workers,
  });
  try {
    await sleep(options.settleMs);
    const idle = rssBytes(target.pid);
    const steps: ConnectStep[] = [];
    for (const size of options.sizes) {
      const cpu0 = cpuSeconds(target.pid);
      const c = await fleet.connect(size);
      const cpu = cpuSeconds(target.pid) - cpu0;
      await sleep(options.settleMs);
      const rss = rssBytes(target.pid);
      const step: ConnectStep = {
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
      log(
        `${target.name}: ${size} gateways (+${c.connected} at ${c.perSecond}/s, ` +
          `${step.connect.cpuMsPerConnect} ms CPU each, ${step.rssPerGatewayKiB} KiB/gateway, ${c.failed} failed)`,
      );
      steps.push(step);
    }
    return { target: target.name, topology: target.topology, idleRssMiB: Math.round(idle / MiB), steps };
  } finally {
    await fleet.close();
  }
}
