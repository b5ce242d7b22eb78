import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RuleAction, VitalReadings } from './rule.ts';
import {
  event,
  lifecycleViolation,
  MINUTE_MS,
  RuleHarness,
  SECOND_MS,
  subject,
  T0,
  vitals,
} from './test-harness.ts';
import { VITAL_LIMITS } from './vital-limits.ts';
import { type VitalsConfig, type VitalsState, vitalsRule } from './vitals.ts';

const S = SECOND_MS;

/** Sends one reading every `every` seconds from `start`, and returns all the actions. */
function feed(
  h: RuleHarness<VitalsState, VitalsConfig>,
  readings: VitalReadings[],
  every = 10,
  start = T0,
): RuleAction[] {
  return readings.flatMap((r, i) => h.send(vitals(start + i * every * S, r)));
}

const harness = (config: Partial<VitalsConfig> = {}) => new RuleHarness(vitalsRule, { config });
const hr = (...values: number[]) => values.map((v) => ({ hr: v }));

describe('vitals rule', () => {
  it('when hr is 130 it is fine, and when 131 holds for 60 s a medium vitals alert is raised', () => {
    const h = harness();
    expect(feed(h, hr(130, 130, 130, 130, 130, 130, 130, 130))).toEqual([]);
    const actions = feed(h, hr(131, 131, 131, 131, 131, 131, 131), 10, T0 + 100 * S);
    expect(actions).toEqual([
      {
        kind: 'raise',
        alert: expect.objectContaining({
          type: 'vitals',
          severity: 'medium',
          dedupeKey: 'el-1:vitals:hr',
          occurredAt: T0 + 100 * S,
          details: { vital: 'hr', value: 131, threshold: 130, direction: 'high' },
        }),
      },
    ]);
    expect(h.log[0]?.now).toBe(T0 + 160 * S);
  });

  it('when a breach lasts less than forS, nothing is raised', () => {
    expect(feed(harness(), hr(140, 140, 140, 140, 140, 140, 120))).toEqual([]);
  });

  it('when readings are farther apart than maxGapS, the run starts over', () => {
    const h = harness();
    h.send(vitals(T0, { hr: 140 }));
    expect(h.send(vitals(T0 + 301 * S, { hr: 140 }))).toEqual([]);
    expect(h.send(vitals(T0 + 361 * S, { hr: 140 }))).toHaveLength(1);
  });

  it('when the value flaps around the threshold, no alert is raised', () => {
    expect(feed(harness(), hr(...Array.from({ length: 100 }, (_, i) => (i % 2 ? 129 : 131))))).toEqual([]);
  });

  it('when a raised value flaps inside the hysteresis band, it neither clears nor raises again', () => {
    const h = harness();
    feed(h, hr(140, 140, 140, 140, 140, 140, 140));
    const flapping = Array.from({ length: 50 }, (_, i) => (i % 2 ? 126 : 131));
    expect(feed(h, hr(...flapping), 10, T0 + 70 * S)).toEqual([]);
  });

  it('when the value comes back inside by the hysteresis, the alert clears', () => {
    const h = harness();
    feed(h, hr(140, 140, 140, 140, 140, 140, 140));
    expect(h.send(vitals(T0 + 70 * S, { hr: 126 }))).toEqual([]);
    expect(h.send(vitals(T0 + 80 * S, { hr: 125 }))).toEqual([
      { kind: 'clear', dedupeKey: 'el-1:vitals:hr', note: expect.stringContaining('hr 125') },
    ]);
  });

  it('when the value gets worse while raised, it is raised again with the higher severity and then not again', () => {
    const h = harness();
    feed(h, hr(135, 135, 135, 135, 135, 135, 135));
    const actions = feed(h, hr(150, 155, 160, 185, 190, 170), 10, T0 + 70 * S);
    expect(actions.map((a) => a.kind === 'raise' && a.alert.severity)).toEqual(['high', 'critical']);
    expect(actions.every((a) => a.kind === 'raise' && a.alert.dedupeKey === 'el-1:vitals:hr')).toBe(true);
  });

  it('low values raise with direction low, and severity by how far out: spo2 89 medium, 85 high, 80 critical', () => {
    const severity = (value: number) => {
      const actions = feed(
        harness(),
        Array.from({ length: 7 }, () => ({ spo2: value })),
      );
      const raise = actions[0];
      return raise?.kind === 'raise' ? [raise.alert.severity, raise.alert.details?.direction] : null;
    };
    expect(severity(90)).toBeNull();
    expect(severity(89)).toEqual(['medium', 'low']);
    expect(severity(85)).toEqual(['high', 'low']);
    expect(severity(80)).toEqual(['critical', 'low']);
  });

  it('each default vital raises just past its limit and not at it', () => {
    for (const [vital, limits] of Object.entries(VITAL_LIMITS)) {
      for (const edge of [limits.low, limits.high]) {
        if (edge === null) continue;
        const past = edge === limits.high ? edge + 0.1 : edge - 0.1;
        const at = (v: number) =>
          feed(
            harness(),
            Array.from({ length: 7 }, () => ({ [vital]: v })),
          );
        expect(at(edge), `${vital} at ${edge}`).toEqual([]);
        expect(at(past), `${vital} at ${past}`).toHaveLength(1);
      }
    }
  });

  it('one envelope breaking two vitals makes two alerts with distinct keys and event ids', () => {
    const actions = feed(
      harness(),
      Array.from({ length: 7 }, () => ({ hr: 150, spo2: 85, temp: 37 })),
    );
    const raises = actions.flatMap((a) => (a.kind === 'raise' ? [a.alert] : []));
    expect(raises.map((a) => a.dedupeKey)).toEqual(['el-1:vitals:hr', 'el-1:vitals:spo2']);
    expect(new Set(raises.map((a) => a.eventId)).size).toBe(2);
  });

  it('when a reading older than the last arrives late, it is ignored', () => {
    const h = harness();
    feed(h, hr(140, 140, 140, 140, 140, 140, 140));
    expect(h.send(vitals(T0, { hr: 60 }), T0 + 80 * S)).toEqual([]);
  });

  it('per-elder overrides of one field keep the other defaults of that vital', () => {
    const h = new RuleHarness(vitalsRule, { elders: { 'el-2': { hr: { high: 110 } } } });
    const run = (elderId: string, value: number) =>
      Array.from({ length: 7 }, (_, i) =>
        h.send(vitals(T0 + i * 10 * S, { hr: value }, { subject: { elderId } })),
      ).flat();
    expect(run('el-2', 115)).toHaveLength(1);
    expect(run('el-1', 115)).toEqual([]);
    expect(h.configFor('el-2').hr).toEqual({ high: 110 });
    const lowRun = Array.from({ length: 7 }, (_, i) =>
      h.send(vitals(T0 + (100 + i * 10) * S, { hr: 35 }, { subject: { elderId: 'el-2' } })),
    ).flat();
    expect(lowRun).toEqual([
      expect.objectContaining({ kind: 'clear' }),
      expect.objectContaining({ kind: 'raise' }),
    ]);
  });

  it('with forS 0, the first out-of-range reading raises', () => {
    expect(harness({ forS: 0 }).send(vitals(T0, { temp: 39 }))).toHaveLength(1);
  });

  it('events and other kinds of input are not the vitals rule’s business', () => {
    expect(vitalsRule.key(event('sos', T0))).toBeNull();
    expect(vitalsRule.key(vitals(T0, { hr: 60 }, { subject: subject({ elderId: 'el-9' }) }))).toBe('el-9');
  });

  it('for any sequence of readings: clears follow raises, raises while open only escalate, and runs last forS', () => {
    const reading = fc.record({
      gap: fc.integer({ min: 1, max: 400 }),
      hr: fc.integer({ min: 20, max: 200 }),
    });
    fc.assert(
      fc.property(fc.array(reading, { maxLength: 80 }), (readings) => {
        const h = harness();
        let t = T0;
        for (const r of readings) {
          t += r.gap * S;
          h.send(vitals(t, { hr: r.hr }));
        }
        const actions = h.log.map((l) => l.action);
        expect(lifecycleViolation(actions)).toBeNull();
        const rank = { low: 0, medium: 1, high: 2, critical: 3 };
        let open: number | null = null;
        for (const step of h.log) {
          if (step.action.kind === 'clear') open = null;
          if (step.action.kind !== 'raise') continue;
          const severity = rank[step.action.alert.severity];
          if (open !== null) expect(severity).toBeGreaterThan(open);
          else expect(step.now - step.action.alert.occurredAt).toBeGreaterThanOrEqual(60 * S);
          open = severity;
        }
      }),
    );
  });

  it('for a value that stays out, there is exactly one raise per crossing', () => {
    const h = harness();
    for (let cycle = 0; cycle < 5; cycle++) {
      const base = T0 + cycle * 10 * MINUTE_MS;
      feed(h, hr(...Array.from({ length: 20 }, () => 140)), 10, base);
      feed(h, hr(80), 10, base + 5 * MINUTE_MS);
    }
    expect(h.log.map((l) => l.action.kind).join(',')).toBe('raise,clear,'.repeat(5).slice(0, -1));
  });
});
