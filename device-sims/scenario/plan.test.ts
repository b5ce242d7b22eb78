import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveHomes, type WorldGateways } from './homes.ts';
import { parseScenario } from './parse.ts';
import { type Action, Plan, planAll } from './plan.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const world = JSON.parse(
  readFileSync(join(ROOT, 'device-sims', 'fixtures', 'demo-world.json'), 'utf8'),
) as WorldGateways;
const EXAMPLE = join(ROOT, 'device-sims', 'scenarios', 'issue-example.json');

function plan(text: string, seed?: number, share?: { from: number; to: number }): Action[] {
  const scenario = parseScenario(text);
  if (seed !== undefined) scenario.seed = seed;
  return planAll(new Plan(scenario, resolveHomes(scenario.homes, world, 'test'), share ? { share } : {}));
}

const example = readFileSync(EXAMPLE, 'utf8');
const scenario = (timeline: object[], extra: object = {}) =>
  JSON.stringify({ seed: 5, homes: { count: 4 }, duration: 60, timeline, ...extra });

describe('scenario plans', () => {
  it('the same seed gives the same messages in the same order, event ids and values included', () => {
    const a = plan(example);
    expect(a.length).toBeGreaterThan(50);
    expect(plan(example)).toEqual(a);
  });

  it('another seed gives other event ids and background values, and the same timeline', () => {
    const a = plan(example, 1);
    const b = plan(example, 2);
    const steps = (xs: Action[]) => xs.filter((x) => x.step !== undefined).map((x) => [x.atMs, x.kind]);
    expect(steps(b)).toEqual(steps(a));
    const ids = (xs: Action[]) => xs.flatMap((x) => ('id' in x ? [x.id] : []));
    expect(ids(b).filter((id) => ids(a).includes(id))).toEqual([]);
  });

  it('homes split over workers send together exactly what one process sends', () => {
    const whole = plan(example);
    const parts = [
      plan(example, undefined, { from: 0, to: 2 }),
      plan(example, undefined, { from: 2, to: 6 }),
    ];
    const byHome = (xs: Action[], h: number) => xs.filter((x) => x.home === h);
    for (let h = 0; h < 6; h++) expect(byHome(parts.flat(), h)).toEqual(byHome(whole, h));
  });

  it('the issue example sends its SOS, its fall and a low battery, and no SOS while the power is cut', () => {
    const events = plan(example).filter((a) => a.kind === 'event');
    expect(events.map((e) => [e.atMs, e.gatewayId, e.type, e.skipped ?? 'sent'])).toEqual([
      [10_000, 'gw-0002', 'sos', 'sent'],
      [20_000, 'gw-0003', 'fall', 'sent'],
      [60_000, 'gw-0005', 'sos', 'no_power'],
      [70_000, 'gw-0004', 'low_battery', 'sent'],
    ]);
  });

  it('a home sends no background traffic while its power is cut or its network is down', () => {
    const actions = plan(example);
    const gw5 = actions.filter((a) => a.gatewayId === 'gw-0005' && a.step === undefined);
    expect(gw5.some((a) => a.atMs > 40_000 && a.atMs < 100_000)).toBe(false);
    expect(gw5.some((a) => a.atMs > 100_000)).toBe(true);
    const gw6 = actions.filter((a) => a.gatewayId === 'gw-0006' && a.step === undefined);
    expect(
      gw6.some((a) => (a.atMs > 50_000 && a.atMs < 55_000) || (a.atMs > 65_000 && a.atMs < 70_000)),
    ).toBe(false);
  });

  it('a network flap goes down and up as written', () => {
    const flap = plan(scenario([{ at: 2, do: 'network_flap', home: 1, down: 1.5, up: 3, times: 2 }])).filter(
      (a) => a.step === 0,
    );
    expect(flap.map((a) => [a.atMs, a.kind])).toEqual([
      [2000, 'net_down'],
      [3500, 'net_up'],
      [6500, 'net_down'],
      [8000, 'net_up'],
    ]);
  });

  it('background vitals follow a drift once it has begun, and stay at its end value', () => {
    const actions = plan(
      scenario([{ at: 10, do: 'vitals', home: 1, from: { hr: 80 }, to: { hr: 160 }, over: 20 }], {
        background: { vitalsEvery: 2, heartbeatEvery: 0 },
      }),
    );
    const hr = (from: number, to: number) =>
      actions.flatMap((a) =>
        a.kind === 'vitals' && a.home === 0 && a.step === undefined && a.atMs >= from && a.atMs < to
          ? [a.reading.hr as number]
          : [],
      );
    expect(Math.max(...hr(0, 10_000))).toBeLessThan(90);
    expect(hr(31_000, 60_000).every((v) => v === 160)).toBe(true);
  });

  it('a wearable fall sends a fall event 3 s after the impact, stamped with the impact; a decoy sends nothing', () => {
    const actions = plan(
      scenario([
        { at: 5, do: 'wearable_fall', elder: 'el-0001' },
        { at: 20, do: 'wearable_decoy', elder: 'el-0003', kind: 'stumble' },
      ]),
    );
    const events = actions.filter((a) => a.kind === 'event');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      atMs: 8000,
      observedMs: 5000,
      type: 'fall',
      deviceId: 'gw-0001-vitals1',
    });
  });

  it('a step for every home with a spread lands each home within the spread', () => {
    const sos = plan(scenario([{ at: 10, do: 'sos', all: true, spread: 2 }])).filter(
      (a) => a.kind === 'event',
    );
    expect(sos).toHaveLength(4);
    for (const a of sos) expect(a.atMs).toBeGreaterThanOrEqual(10_000);
    for (const a of sos) expect(a.atMs).toBeLessThanOrEqual(12_000);
    expect(new Set(sos.map((a) => a.atMs)).size).toBe(4);
  });

  it('a step for a home the scenario does not have is refused, naming the step', () => {
    expect(() => plan(scenario([{ at: 1, do: 'sos', gateway: 'gw-0023' }]))).toThrow(
      /timeline\[0\]: gateway gw-0023 is not one of/,
    );
    expect(() =>
      plan(scenario([{ at: 1, do: 'wearable_fall', gateway: 'gw-0006' }], { homes: { count: 6 } })),
    ).toThrow(/no ble-vitals device/);
  });

  it('--dry-run prints the same event list on two runs with the same seed, and another with another seed', () => {
    const dry = (seed: string) =>
      execFileSync(
        process.execPath,
        [join(ROOT, 'device-sims', 'main.ts'), 'run', EXAMPLE, '--dry-run', '--seed', seed],
        {
          encoding: 'utf8',
        },
      );
    const first = dry('9');
    expect(first).toMatch(/gw-0002 +gw-0002-sos +event sos id=[A-Za-z0-9_-]{20}\n/);
    expect(dry('9')).toBe(first);
    expect(dry('10')).not.toBe(first);
  });
});
