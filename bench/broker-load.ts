import type { Fleet } from './fleet.ts';
import { cpuSeconds } from './processes.ts';
import type { CountingSubscriber } from './subscriber.ts';

export interface ThroughputStep {
  offeredPerS: number;
  sent: number;
  /** Arrived at the subscriber while the gateways were publishing. */
  receivedInWindow: number;
  /** Arrived afterwards, from the broker's backlog. */
  receivedLate: number;
  receivedPerS: number;
  /** CPU of the broker processes over the step, in % of one core. */
  brokerCpuPct: number;
  keptUp: boolean;
}

export interface ThroughputResult {
  gateways: number;
  steps: ThroughputStep[];
  /** The highest rate the subscriber received while keeping up (≥ 95 % of what was sent, in time). */
  sustainedPerS: number;
  /** What stopped the ladder: the subscriber fell behind, the generator could not send more, or the top. */
  limit: 'subscriber-fell-behind' | 'generator' | 'ladder-top';
}

/**
 * Offers QoS 0 vitals at rising rates, `seconds` per step, until the subscriber falls behind (less than
 * 95 % of what was sent arrives during the step) or the generator itself cannot send the rate.
 */
export async function throughputLadder(
  fleet: Fleet,
  subscriber: CountingSubscriber,
  brokerPids: number[],
  options: { gateways: number; rates: number[]; seconds: number },
): Promise<ThroughputResult> {
  const steps: ThroughputStep[] = [];
  let limit: ThroughputResult['limit'] = 'ladder-top';
  for (const rate of options.rates) {
    if (!subscriber.connected) throw new Error('the subscriber lost its connection to the broker');
    await subscriber.settle(500);
    const before = subscriber.received;
    const cpuBefore = brokerPids.map(cpuSeconds);
    const t0 = performance.now();
    const report = await fleet.publish(rate, options.seconds);
    const wall = (performance.now() - t0) / 1000;
    const cpu = brokerPids.reduce((s, pid, i) => s + cpuSeconds(pid) - (cpuBefore[i] as number), 0);
    const inWindow = subscriber.received - before;
    await subscriber.settle(1000);
    const step: ThroughputStep = {
      offeredPerS: rate,
      sent: report.sent,
      receivedInWindow: inWindow,
      receivedLate: subscriber.received - before - inWindow,
      receivedPerS: Math.round(inWindow / wall),
      brokerCpuPct: Math.round((cpu / wall) * 100),
      keptUp: inWindow >= 0.95 * report.sent,
    };
    steps.push(step);
    if (!step.keptUp) {
      limit = 'subscriber-fell-behind';
      break;
    }
    if (report.sent < 0.9 * rate * options.seconds) {
      limit = 'generator';
      break;
    }
  }
  const kept = steps.filter((s) => s.keptUp).map((s) => s.receivedPerS);
  return { gateways: options.gateways, steps, sustainedPerS: Math.max(0, ...kept), limit };
}
