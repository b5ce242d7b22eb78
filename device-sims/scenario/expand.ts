import { detectFall, FALL_DETECTOR_DEFAULTS } from '../../edge/devices/wearable-fall.ts';
import type { EventType } from '../../protocol/index.ts';
import type { SimGateway } from '../mqtt-home.ts';
import { generateTrace, type Trace } from '../wearable/fall-trace.ts';
import type { BatteryStep, Reading, Step, VitalsStep } from './schema.ts';
import { derivedId, stepDevice, unit } from './targets.ts';

/** One thing a home does at a time: a message to publish, or a change of its link. */
export type Action = { atMs: number; gatewayId: string; home: number; step?: number } & (
  | {
      kind: 'event';
      deviceId: string;
      id: string;
      type: EventType;
      /** When the device observed it, if earlier than the publish (a wearable's detection delay). */
      observedMs?: number;
      data?: Record<string, unknown>;
      /** Set when the home has no power then: the event is not sent. */
      skipped?: 'no_power';
    }
  | { kind: 'vitals'; deviceId: string; id: string; reading: Reading }
  | { kind: 'device_state'; deviceId: string; battery: number }
  | { kind: 'power_cut' | 'power_restore' | 'net_down' | 'net_up' }
);

export interface ExpandContext {
  seed: number;
  /** Index of this step in the timeline, and of the home in the scenario. */
  step: number;
  home: number;
  gateway: SimGateway;
  /** The step's time for this home, in ms (with its share of `spread` applied). */
  atMs: number;
  /** The battery a drain starts from when the step gives no `from`. */
  battery: (deviceId: string) => number;
  onTrace?: (label: string, trace: Trace) => void;
}

const ROUND: Record<keyof Reading, number> = { hr: 0, spo2: 0, rr: 0, sys: 0, dia: 0, temp: 1 };

/** A drift's reading `fraction` of the way from `from` to `to`. */
export function interpolate(step: VitalsStep, fraction: number): Reading {
  const out: Reading = {};
  for (const key of Object.keys(step.from) as (keyof Reading)[]) {
    const a = step.from[key] as number;
    const b = step.to[key] ?? a;
    const f = 10 ** ROUND[key];
    out[key] = Math.round((a + (b - a) * Math.min(1, Math.max(0, fraction))) * f) / f;
  }
  return out;
}

/** The messages one timeline step makes in one home, in time order. */
export function expandStep(step: Step, c: ExpandContext): Action[] {
  const where = `timeline[${c.step}]`;
  const device = stepDevice(step, c.gateway, where);
  const base = { gatewayId: c.gateway.id, home: c.home, step: c.step };
  const key = (n: number | string) => `${c.step}:${c.gateway.id}:${n}`;
  switch (step.do) {
    case 'power_cut':
    case 'power_restore':
      return [{ ...base, atMs: c.atMs, kind: step.do }];
    case 'network_flap':
      return Array.from({ length: step.times }, (_, k) => {
        const down = c.atMs + k * (step.down + step.up) * 1000;
        return [
          { ...base, atMs: down, kind: 'net_down' as const },
          { ...base, atMs: down + step.down * 1000, kind: 'net_up' as const },
        ];
      }).flat();
    case 'vitals':
      return samplesOver(step.over, step.every ?? 10).map((s, n) => ({
        ...base,
        atMs: c.atMs + s * 1000,
        kind: 'vitals' as const,
        deviceId: (device as { id: string }).id,
        id: derivedId(c.seed, key(`v${n}`)),
        reading: interpolate(step, step.over === 0 ? 1 : s / step.over),
      }));
    case 'battery_drain':
      return drain(step, c, (device as { id: string }).id, base, key);
    case 'wearable_fall':
    case 'wearable_decoy':
      return wearable(step, c, (device as { id: string }).id, base, key);
    default:
      return [
        {
          ...base,
          atMs: c.atMs,
          kind: 'event',
          deviceId: (device as { id: string }).id,
          id: derivedId(c.seed, key('e')),
          type: step.do,
          ...(step.data || step.room
            ? { data: { ...step.data, ...(step.room ? { room: step.room } : {}) } }
            : {}),
        },
      ];
  }
}

/** Seconds into a span of `over` at which samples go out: every `every`, and always at the end. */
function samplesOver(over: number, every: number): number[] {
  const times: number[] = [];
  for (let s = 0; s < over; s += every) times.push(Math.round(s * 1000) / 1000);
  times.push(over);
  return times;
}

type Base = { gatewayId: string; home: number; step: number };

function drain(
  step: BatteryStep,
  c: ExpandContext,
  deviceId: string,
  base: Base,
  key: (n: string) => string,
) {
  const from = step.from ?? c.battery(deviceId);
  const lowAt = step.lowAt ?? 20;
  const out: Action[] = [];
  let warned = from < lowAt;
  for (const s of samplesOver(step.over, step.every ?? 10)) {
    const fraction = step.over === 0 ? 1 : s / step.over;
    const battery = Math.round(from + (step.to - from) * fraction);
    const atMs = c.atMs + s * 1000;
    out.push({ ...base, atMs, kind: 'device_state', deviceId, battery });
    if (!warned && battery < lowAt) {
      warned = true;
      const id = derivedId(c.seed, key('low'));
      out.push({ ...base, atMs, kind: 'event', deviceId, id, type: 'low_battery', data: { battery } });
    }
  }
  return out;
}

/**
 * A wearable's accelerometer trace, run through the edge detector: a detected fall is published when
 * the detector decides (impact + settle + stillness), stamped with the impact's time; a decoy sends
 * nothing. The step's `at` is the impact.
 */
function wearable(step: Step, c: ExpandContext, deviceId: string, base: Base, key: (n: string) => string) {
  const kind = step.do === 'wearable_fall' ? 'fall' : ('kind' in step && step.kind) || 'sit_down';
  const hz = ('hz' in step && step.hz) || 100;
  const trace = generateTrace(kind, { seed: Math.floor(unit(c.seed, key('trace')) * 2 ** 32), hz });
  c.onTrace?.(`${c.gateway.id}-${c.step}-${kind}`, trace);
  const verdict = detectFall(trace.samples);
  if (!verdict.fall) return [];
  const decidedAfterS = FALL_DETECTOR_DEFAULTS.settleS + FALL_DETECTOR_DEFAULTS.stillS;
  const data = { source: 'wearable', peakG: Math.round(verdict.peakG * 100) / 100, hz };
  return [
    {
      ...base,
      atMs: c.atMs + decidedAfterS * 1000,
      observedMs: c.atMs,
      kind: 'event' as const,
      deviceId,
      id: derivedId(c.seed, key('wf')),
      type: 'fall' as const,
      data,
    },
  ];
}
