import { describe, expect, it } from 'vitest';
import { detectFall } from '../../edge/devices/wearable-fall.ts';
import { DECOY_KINDS, generateTrace, magnitude, type Trace, traceCsv } from './fall-trace.ts';

const SEEDS = Array.from({ length: 25 }, (_, i) => 1000 + i * 7919);

function window(trace: Trace, from: number, to: number): number[] {
  return trace.samples.filter((s) => s.t >= from && s.t < to).map(magnitude);
}
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('wearable fall traces', () => {
  it('a fall walks at about 1 g, dips in free fall, hits 3 to 6 g, then lies still near 1 g', () => {
    for (const seed of SEEDS) {
      const trace = generateTrace('fall', { seed, hz: 100 });
      expect(mean(window(trace, 0, 1.5))).toBeGreaterThan(0.9);
      expect(mean(window(trace, 0, 1.5))).toBeLessThan(1.1);
      expect(Math.min(...window(trace, trace.impactAt - 0.5, trace.impactAt - 0.05))).toBeLessThan(0.6);
      expect(trace.peakG).toBeGreaterThanOrEqual(3);
      expect(trace.peakG).toBeLessThanOrEqual(6.1);
      const lying = window(trace, trace.impactAt + 1, trace.impactAt + 4);
      expect(Math.abs(mean(lying) - 1)).toBeLessThan(0.05);
      expect(Math.max(...lying) - Math.min(...lying)).toBeLessThan(0.15);
    }
  });

  it('a lying wearer has gravity on another axis than a walking one', () => {
    const trace = generateTrace('fall', { seed: 9 });
    const at = (t: number) => trace.samples.find((s) => s.t >= t);
    expect(Math.abs(at(0.5)?.z ?? 0)).toBeGreaterThan(0.6);
    expect(Math.abs(at(trace.impactAt + 3)?.x ?? 0)).toBeGreaterThan(0.8);
  });

  it.each(DECOY_KINDS)('a %s decoy peaks at 2 to 3 g and goes back to walking', (kind) => {
    for (const seed of SEEDS) {
      const trace = generateTrace(kind, { seed, hz: 50 });
      expect(trace.peakG).toBeGreaterThanOrEqual(1.9);
      expect(trace.peakG).toBeLessThan(3);
      const end = trace.samples.at(-1)?.t ?? 0;
      const after = window(trace, end - 2, end + 1);
      expect(Math.max(...after) - Math.min(...after)).toBeGreaterThan(0.4);
    }
  });

  it('samples come at the asked rate, from 50 to 200 Hz, and other rates are refused', () => {
    for (const hz of [50, 100, 200]) {
      const { samples } = generateTrace('fall', { seed: 3, hz });
      const step = (samples[11]?.t ?? 0) - (samples[10]?.t ?? 0);
      expect(step).toBeCloseTo(1 / hz, 5);
    }
    expect(() => generateTrace('fall', { seed: 3, hz: 400 })).toThrow(/50 to 200/);
  });

  it('the same seed gives the same trace, another seed another one', () => {
    expect(generateTrace('jump', { seed: 5 })).toEqual(generateTrace('jump', { seed: 5 }));
    expect(generateTrace('jump', { seed: 6 }).samples[3]).not.toEqual(
      generateTrace('jump', { seed: 5 }).samples[3],
    );
  });

  it('the CSV has a header and one row per sample', () => {
    const trace = generateTrace('stumble', { seed: 1, hz: 50 });
    const lines = traceCsv(trace).trim().split('\n');
    expect(lines[0]).toBe('t,ax,ay,az');
    expect(lines).toHaveLength(trace.samples.length + 1);
    expect(lines[1]).toMatch(/^0\.0000,-?\d+\.\d{4},-?\d+\.\d{4},-?\d+\.\d{4}$/);
  });
});

describe('the edge wearable fall detector on generated traces', () => {
  it('detects every fall, at its impact', () => {
    for (const seed of SEEDS) {
      const trace = generateTrace('fall', { seed, hz: 100 });
      const verdict = detectFall(trace.samples);
      expect(verdict.fall).toBe(true);
      if (verdict.fall) expect(Math.abs(verdict.impactAt - trace.impactAt)).toBeLessThan(0.1);
    }
  });

  it.each(DECOY_KINDS)('lets every %s decoy pass', (kind) => {
    for (const seed of SEEDS) expect(detectFall(generateTrace(kind, { seed }).samples).fall).toBe(false);
  });

  it('lets a jump as hard as a fall pass, because the wearer walks on', () => {
    const trace = generateTrace('jump', { seed: 4, peakG: 4 });
    expect(trace.peakG).toBeGreaterThan(3.5);
    expect(detectFall(trace.samples)).toMatchObject({ fall: false, reason: 'moved_on' });
  });

  it('does not call a fall before the stillness window is over', () => {
    const trace = generateTrace('fall', { seed: 4 });
    const cut = trace.samples.filter((s) => s.t < trace.impactAt + 1.5);
    expect(detectFall(cut)).toMatchObject({ fall: false, reason: 'too_short' });
  });
});
