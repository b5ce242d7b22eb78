import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BenchReport,
  type Percentiles,
  percentiles,
  QUICK_BENCH,
  runBench,
  writeBench,
} from './bench.ts';
import { barChart, escapeXml, xmlChar } from './svg.ts';

/** Well-formed enough for a browser: one root <svg>, every element closed in order, no raw & or <. */
function wellFormedSvg(svg: string): boolean {
  if (!svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"') || !svg.trimEnd().endsWith('</svg>'))
    return false;
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-z]+)[^<>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m as unknown as [string, string, string, string];
    if (selfClosing) continue;
    if (closing) {
      if (stack.pop() !== name) return false;
    } else stack.push(name);
  }
  if (Array.from(svg).some((ch) => !xmlChar(ch.codePointAt(0) ?? 0))) return false;
  const text = svg.replace(/<[^<>]*>/g, '');
  return stack.length === 0 && !/[<>]/.test(text) && !/&(?!amp;|lt;|gt;|quot;|apos;)/.test(text);
}

const ordered = (p: Percentiles | undefined) =>
  p !== undefined && p.received > 0 && p.p50Ms <= p.p95Ms && p.p95Ms <= p.p99Ms && p.p99Ms <= p.maxMs;

describe('npm run bench', () => {
  it('takes nearest-rank percentiles and counts what never arrived as lost', () => {
    const p = percentiles(
      Array.from({ length: 100 }, (_, i) => 100 - i),
      103,
    );
    expect(p).toEqual({ sent: 103, received: 100, lost: 3, p50Ms: 50, p95Ms: 95, p99Ms: 99, maxMs: 100 });
  });

  it('draws charts that stay well-formed SVG whatever the labels and values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 5 }),
        fc.array(
          fc.tuple(
            fc.string({ unit: 'binary' }),
            fc.array(fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }))),
          ),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        fc.boolean(),
        (groups, series, log) => {
          const svg = barChart({
            title: groups.join(' '),
            unit: 'ms',
            log,
            groups,
            series: series.map(([name, values]) => ({ name, values })),
          });
          expect(wellFormedSvg(svg)).toBe(true);
          expect(svg).not.toContain('NaN');
          // An accessible name: the chart's title, first inside the root.
          expect(svg).toMatch(/^<svg [^>]*role="img"[^>]*>\n<title>/);
        },
      ),
    );
    expect(escapeXml(`<a & 'b'>`)).toBe('&lt;a &amp; &apos;b&apos;&gt;');
  });

  it('measures our system and Mosquitto with a few hundred gateways and writes JSON, Markdown and SVG charts', async () => {
    const out = await mkdtemp(join(tmpdir(), 'eldercare-bench-test-'));
    try {
      // Smaller still than --quick: CI time, not figures.
      const report = await runBench(
        {
          ...QUICK_BENCH,
          points: [
            { gateways: 80, vitalsPerS: 200 },
            { gateways: 160, vitalsPerS: 400 },
          ],
          probesPerPoint: 10,
          probeIntervalMs: 30,
          sustainedGateways: 100,
          brokerRates: [1000],
          cloudRates: [200],
          stormSos: 200,
        },
        Number.POSITIVE_INFINITY,
      );
      const files = writeBench(report, out);
      const json = JSON.parse(await readFile(files[0] as string, 'utf8')) as BenchReport;
      expect(json.kind).toBe('eldercare-bench');
      expect(json.machine).toMatchObject({ cpus: expect.any(Number), node: process.version });
      expect((json.machine.loadAverageAtStart as number[]).length).toBe(3);

      const { latency, sustained, sosStorm } = json.results;
      for (const run of [latency?.ours, latency?.oursBroker, latency?.mosquitto]) {
        expect(run?.points.map((p) => [p.gateways, p.connect.failed])).toEqual([
          [80, 0],
          [160, 0],
        ]);
        for (const p of run?.points ?? []) {
          expect(p.connect.perSecond).toBeGreaterThan(0);
          expect(p.vitalsSent).toBeGreaterThan(0);
          expect(p.broker).toMatchObject({ sent: 10, received: 10, lost: 0 });
          expect(ordered(p.broker)).toBe(true);
        }
      }
      for (const p of latency?.ours.points ?? []) {
        expect(p.endToEnd).toMatchObject({ sent: 10, received: 10, lost: 0 });
        expect(ordered(p.endToEnd)).toBe(true);
        expect(p.vitalsStored).toBe(p.vitalsSent);
      }
      expect(sosStorm?.ours).toMatchObject({
        sos: 200,
        published: 200,
        stored: 200,
        onDashboard: 200,
        lost: 0,
      });
      expect(sosStorm?.ours.duplicatedOnDashboard).toBe(0);
      expect(sosStorm?.ours.onDashboardMs).toBeGreaterThan(0);
      for (const run of [sosStorm?.oursBroker, sosStorm?.mosquitto])
        expect(run).toMatchObject({ sos: 200, published: 200, acked: 200, lost: 0 });
      expect(sosStorm?.mosquitto.duplicated).toBe(0);
      expect(sustained?.oursBroker.sustainedPerS).toBeGreaterThan(0);
      expect(sustained?.mosquitto.sustainedPerS).toBeGreaterThan(0);
      expect(sustained?.oursCloud.steps[0]?.storedInWindow).toBeGreaterThan(0);

      const written = (await readdir(out)).sort();
      expect(written.filter((f) => f.endsWith('.svg'))).toHaveLength(3);
      for (const svg of written.filter((f) => f.endsWith('.svg')))
        expect(wellFormedSvg(await readFile(join(out, svg), 'utf8'))).toBe(true);
      const md = await readFile(files[1] as string, 'utf8');
      expect(md).toContain('| 160 | 400 |');
      expect(md).toContain('conservative');
      for (const svg of written.filter((f) => f.endsWith('.svg'))) expect(md).toContain(`](${svg})`);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 120_000);
});
