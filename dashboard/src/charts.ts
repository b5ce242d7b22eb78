import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from './dom.ts';

export const COLORS = {
  ink: '#1f2933',
  grid: '#e4e9ef',
  blue: '#2f6fab',
  teal: '#1f8a70',
  red: '#c62828',
  amber: '#c77700',
  grey: '#7b8794',
};

const axis = (extra: Partial<uPlot.Axis> = {}): uPlot.Axis => ({
  stroke: COLORS.ink,
  grid: { stroke: COLORS.grid, width: 1 },
  ticks: { stroke: COLORS.grid, width: 1 },
  font: '12px system-ui, "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif',
  ...extra,
});

/** A uPlot chart that follows its container's width and is destroyed with its view. */
export class Chart {
  readonly el: HTMLElement;
  readonly options: Omit<uPlot.Options, 'width'>;
  readonly data: uPlot.AlignedData;
  #plot: uPlot | null = null;
  readonly #observer: ResizeObserver;

  constructor(testid: string, options: Omit<uPlot.Options, 'width'>, data: uPlot.AlignedData) {
    this.options = options;
    this.data = data;
    this.el = h('div', { class: 'chart', testid });
    this.#observer = new ResizeObserver(() => this.#fit());
    this.#observer.observe(this.el);
  }

  #fit(): void {
    const width = Math.floor(this.el.clientWidth);
    if (width < 50) return;
    if (this.#plot) {
      if (Math.abs(this.#plot.width - width) > 1) this.#plot.setSize({ width, height: this.options.height });
      return;
    }
    this.#plot = new uPlot({ ...this.options, width }, this.data, this.el);
  }

  destroy(): void {
    this.#observer.disconnect();
    this.#plot?.destroy();
    this.#plot = null;
  }
}

export interface LineSeries {
  label: string;
  values: (number | null)[];
  color: string;
  scale?: string;
  dash?: number[];
  bars?: boolean;
}

/** A time chart: `x` in epoch seconds, one line (or bar) per series, axes per scale. */
export function timeChart(
  testid: string,
  x: number[],
  series: LineSeries[],
  scales: Record<string, { range?: [number, number]; label?: string; side?: 1 | 3 }> = { y: {} },
  height = 220,
  xRange?: [number, number],
): Chart {
  const scaleNames = Object.keys(scales);
  return new Chart(
    testid,
    {
      height,
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      scales: Object.fromEntries([
        ['x', xRange ? { time: true, range: xRange } : { time: true }],
        ...scaleNames.map((name) => {
          const range = scales[name]?.range;
          return [name, range ? { range } : { auto: true }];
        }),
      ]),
      axes: [
        axis(),
        ...scaleNames.map((name) =>
          axis({ scale: name, side: scales[name]?.side ?? 3, label: scales[name]?.label ?? '', size: 56 }),
        ),
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: s.dash ? 1.5 : 2,
          scale: s.scale ?? 'y',
          spanGaps: false,
          points: { show: x.length < 40 },
          ...(s.dash ? { dash: s.dash, points: { show: false } } : {}),
          ...(s.bars
            ? {
                fill: `${s.color}88`,
                paths: uPlot.paths.bars?.({ size: [0.6, 40] }),
                points: { show: false },
              }
            : {}),
        })),
      ],
    },
    [x, ...series.map((s) => s.values)],
  );
}

/**
 * Bars per category (x = 0..n-1, named by `names`): one or two series side by side (the first left of
 * the tick, the second right of it), plus dashed target lines.
 */
export function categoryBars(
  testid: string,
  names: string[],
  series: { label: string; values: (number | null)[]; color: string }[],
  targets: { label: string; value: number; color: string }[],
  range: [number, number],
  height = 240,
): Chart {
  const x = names.map((_, i) => i);
  const pair = series.length > 1;
  return new Chart(
    testid,
    {
      height,
      legend: { live: false },
      cursor: { show: false },
      scales: { x: { time: false, range: [-0.5, names.length - 0.5] }, y: { range } },
      axes: [
        axis({
          values: (_u, ticks) => ticks.map((v) => names[v] ?? ''),
          splits: () => x,
          grid: { show: false },
        }),
        axis({ values: (_u, ticks) => ticks.map((v) => `${v} %`), size: 60 }),
      ],
      series: [
        {},
        ...series.slice(0, 2).map((s, i) => ({
          label: s.label,
          stroke: s.color,
          fill: s.color,
          paths: uPlot.paths.bars?.({ size: [pair ? 0.32 : 0.5, 48], align: pair ? (i === 0 ? -1 : 1) : 0 }),
          points: { show: false },
        })),
        ...targets.map((tg) => ({
          label: tg.label,
          stroke: tg.color,
          dash: [6, 4],
          width: 1.5,
          points: { show: false },
        })),
      ],
    },
    [x, ...series.slice(0, 2).map((s) => s.values), ...targets.map((tg) => x.map(() => tg.value))],
  );
}
