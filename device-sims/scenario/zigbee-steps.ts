import { playTimeline, type RunningTimeline } from '../pty/timeline.ts';
import { ZigbeeBridgeSim } from '../zigbee/bridge.ts';
import type { ZigbeeStep } from './schema.ts';

/** One line per zigbee step, in the shape of the other timeline lines (`--dry-run`, the run's log). */
export function describeZigbeeStep(step: ZigbeeStep): string {
  const what = step.set
    ? `set ${JSON.stringify(step.set)}`
    : step.press
      ? `press ${step.press}`
      : `availability ${step.availability}`;
  return `+${step.at.toFixed(3).padStart(9)}s  ${'zigbee'.padEnd(12)}  ${step.sensor.padEnd(18)}  ${what}`;
}

/** Does one step on the bridge; the sensor is a friendly name or a kind (its first device). */
export async function applyZigbeeStep(bridge: ZigbeeBridgeSim, step: ZigbeeStep): Promise<void> {
  const name = bridge.device(step.sensor);
  if (step.set) await bridge.set(name, step.set);
  else if (step.press) await bridge.press(name, step.press);
  else if (step.availability) await bridge.availability(name, step.availability);
}

/** The run's bridge: started on `port` (0: a free one), playing `steps` at `speed`. */
export async function startZigbeeSteps(
  steps: readonly ZigbeeStep[],
  options: { port: number; speed: number; log: (line: string) => void },
): Promise<{ bridge: ZigbeeBridgeSim; timeline: RunningTimeline }> {
  const bridge = await ZigbeeBridgeSim.start({ port: options.port });
  try {
    for (const s of steps) bridge.device(s.sensor); // an unknown sensor fails now, not half-way through
  } catch (err) {
    await bridge.stop();
    throw err;
  }
  options.log(`sim: zigbee2mqtt bridge on ${bridge.url} (base topic ${bridge.baseTopic})`);
  const timed = steps.map((step) => ({
    step,
    action: 'zigbee',
    arg: undefined,
    atSeconds: step.at / options.speed,
  }));
  const timeline = playTimeline(timed, async ({ step }) => {
    try {
      await applyZigbeeStep(bridge, step);
      options.log(describeZigbeeStep(step));
    } catch (err) {
      options.log(`failed ${describeZigbeeStep(step)}: ${(err as Error).message}`);
    }
  });
  return { bridge, timeline };
}
