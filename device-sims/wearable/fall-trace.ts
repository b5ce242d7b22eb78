import { mulberry32 } from '../prng.ts';

/**
 * Seeded 3-axis accelerometer traces of a wrist or waist wearable, shaped like the public fall
 * datasets (SisFall, MobiFall): in g, 50 to 200 Hz. A fall is walking at ~1 g, a pre-impact free-fall
 * dip, an impact peak of 3-6 g, a short bounce, then stillness near 1 g with gravity on another axis
 * (lying down). Daily-life decoys (sit down hard, stumble, jump) peak at 2-3 g and go back to walking.
 */

export const DECOY_KINDS = ['sit_down', 'stumble', 'jump'] as const;
export type DecoyKind = (typeof DECOY_KINDS)[number];
export type TraceKind = 'fall' | DecoyKind;

export interface Sample {
  /** Seconds from the trace's start. */
  t: number;
  x: number;
  y: number;
  z: number;
}

export interface Trace {
  kind: TraceKind;
  hz: number;
  /** The largest acceleration magnitude in the trace, in g. */
  peakG: number;
  /** Seconds from the start to the impact (or the decoy's jolt). */
  impactAt: number;
  samples: Sample[];
}

export interface TraceOptions {
  seed: number;
  hz?: number;
  /** Overrides the drawn impact peak (tests use it for a decoy as hard as a fall). */
  peakG?: number;
}

type Vec = readonly [number, number, number];
const UPRIGHT: Vec = norm([0.12, 0.05, 0.99]);
const LYING: Vec = norm([0.97, 0.12, 0.2]);
const SITTING: Vec = norm([0.35, 0.05, 0.94]);

function norm(v: Vec): Vec {
  const m = Math.hypot(...v);
  return [v[0] / m, v[1] / m, v[2] / m];
}

/** One phase: its length, the magnitude at time u (seconds into it) and the gravity direction. */
interface Phase {
  seconds: number;
  magnitude: (u: number) => number;
  direction: Vec;
  /** The phase holding the peak (the impact, or the decoy's jolt). */
  impact?: boolean;
}

export function magnitude(s: Sample): number {
  return Math.hypot(s.x, s.y, s.z);
}

export function generateTrace(kind: TraceKind, options: TraceOptions): Trace {
  const hz = options.hz ?? 100;
  if (!Number.isInteger(hz) || hz < 50 || hz > 200) throw new RangeError('hz must be 50 to 200');
  const rand = mulberry32(options.seed);
  const between = (lo: number, hi: number): number => lo + rand() * (hi - lo);
  const walk = (seconds: number): Phase => {
    const cadence = between(1.6, 2.1);
    const phase = rand() * Math.PI * 2;
    return {
      seconds,
      magnitude: (u) => 1 + 0.3 * Math.sin(2 * Math.PI * cadence * u + phase),
      direction: UPRIGHT,
    };
  };
  const peak = options.peakG ?? (kind === 'fall' ? between(3.2, 6) : between(2, 2.9));
  const phases = kind === 'fall' ? fallPhases(peak, between, walk) : decoyPhases(kind, peak, between, walk);
  const samples: Sample[] = [];
  let offset = 0;
  let impactAt = 0;
  for (const p of phases) {
    const n = Math.round(p.seconds * hz);
    if (p.impact) impactAt = offset + n / hz / 2;
    for (let i = 0; i < n; i++) {
      const u = i / hz;
      const m = p.magnitude(u) + (rand() - 0.5) * 0.04;
      const jitter = (): number => (rand() - 0.5) * 0.04;
      const t = Math.round((offset + u) * 1e6) / 1e6;
      samples.push({
        t,
        x: m * (p.direction[0] + jitter()),
        y: m * (p.direction[1] + jitter()),
        z: m * (p.direction[2] + jitter()),
      });
    }
    offset += n / hz;
  }
  const peakG = Math.max(...samples.map(magnitude));
  return { kind, hz, peakG, impactAt, samples };
}

/** A raised-cosine pulse from `base` to `peak` and back over `seconds`. */
function pulse(seconds: number, base: number, peak: number): (u: number) => number {
  return (u) => base + (peak - base) * 0.5 * (1 - Math.cos((2 * Math.PI * u) / seconds));
}

function fallPhases(
  peak: number,
  between: (lo: number, hi: number) => number,
  walk: (s: number) => Phase,
): Phase[] {
  const fallS = between(0.3, 0.5);
  const dip = between(0.2, 0.5);
  const impactS = between(0.06, 0.1);
  return [
    walk(between(2, 3)),
    { seconds: fallS, magnitude: (u) => 1 - (1 - dip) * (u / fallS), direction: UPRIGHT },
    { seconds: impactS, magnitude: pulse(impactS, dip, peak), direction: LYING, impact: true },
    { seconds: 0.4, magnitude: (u) => 1 + 0.6 * Math.exp(-u * 10) * Math.sin(u * 40), direction: LYING },
    { seconds: between(6, 8), magnitude: () => 1, direction: LYING },
  ];
}

function decoyPhases(
  kind: DecoyKind,
  peak: number,
  between: (lo: number, hi: number) => number,
  walk: (s: number) => Phase,
): Phase[] {
  const jolt = (base: number, direction: Vec): Phase => {
    const s = between(0.08, 0.12);
    return { seconds: s, magnitude: pulse(s, base, peak), direction, impact: true };
  };
  switch (kind) {
    case 'sit_down':
      return [
        walk(between(2, 3)),
        { seconds: 0.4, magnitude: (u) => 1 - 0.4 * Math.sin((Math.PI * u) / 0.4), direction: UPRIGHT },
        jolt(1, SITTING),
        { seconds: between(1.5, 2.5), magnitude: () => 1, direction: SITTING },
        walk(between(4, 6)),
      ];
    case 'stumble':
      return [walk(between(2, 3)), jolt(1.2, UPRIGHT), walk(between(5, 7))];
    case 'jump':
      return [
        walk(between(2, 3)),
        { seconds: 0.2, magnitude: pulse(0.2, 1, 1.8), direction: UPRIGHT },
        { seconds: between(0.25, 0.35), magnitude: () => 0.1, direction: UPRIGHT },
        jolt(0.1, UPRIGHT),
        walk(between(5, 7)),
      ];
  }
}

/** The trace as CSV (`t,ax,ay,az`, seconds and g) for testers' plotting tools. */
export function traceCsv(trace: Trace): string {
  const rows = trace.samples.map(
    (s) => `${s.t.toFixed(4)},${s.x.toFixed(4)},${s.y.toFixed(4)},${s.z.toFixed(4)}`,
  );
  return `t,ax,ay,az\n${rows.join('\n')}\n`;
}
