import { enc, getOptional } from '../api.ts';
import { type Chart, COLORS, categoryBars, timeChart } from '../charts.ts';
import type { AppContext, View } from '../context.ts';
import { type Child, fill, h } from '../dom.ts';
import { duration, percent, seconds } from '../format.ts';
import { label, onLangChange, t } from '../i18n/i18n.ts';
import type { StringKey } from '../i18n/strings.ts';
import type { DayFigures, Figures, GroupFigures } from '../types.ts';

const PERIODS = [7, 30, 90] as const;
const DAY_MS = 86_400_000;
const pct100 = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 10);

function tile(
  key: StringKey,
  value: string,
  testid: string,
  verdict?: 'met' | 'missed',
  sub?: string,
): HTMLElement {
  return h(
    'div',
    { class: `tile${verdict ? ` ${verdict}` : ''}`, testid },
    h('div', { class: 'tile-label' }, t(key)),
    h('div', { class: 'tile-value' }, value),
    sub && h('div', { class: 'tile-sub' }, sub),
  );
}

/** A count per category as horizontal bars (by type, outcome, severity). */
function barList(
  testid: string,
  title: StringKey,
  prefix: string,
  counts: Record<string, number>,
): HTMLElement {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  const max = Math.max(1, ...entries.map(([, n]) => n));
  return h(
    'section',
    { class: 'card', testid },
    h('h3', null, t(title)),
    entries.length
      ? h(
          'ul',
          { class: 'bars' },
          entries.map(([key, n]) => {
            const bar = h('span', { class: 'bar', data: { key } });
            bar.style.width = `${(n / max) * 100}%`;
            return h(
              'li',
              null,
              h('span', { class: 'bar-label' }, label(prefix, key)),
              h('span', { class: 'bar-track' }, bar),
              h('span', { class: 'bar-n' }, String(n)),
            );
          }),
        )
      : h('p', { class: 'muted' }, t('figures.none')),
  );
}

/** Answer-time figures against the Telecare targets: tiles, daily charts, per community, by type and outcome. */
export class FiguresPage implements View {
  readonly el = h('div', { class: 'page figures-page', testid: 'figures-page' });
  readonly #ctx: AppContext;
  #days: (typeof PERIODS)[number] = 30;
  #figures: Figures | null = null;
  #daily: DayFigures[] = [];
  #charts: Chart[] = [];
  #loaded = false;
  #stopped = false;
  readonly #unlang: () => void;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    this.#unlang = onLangChange(() => this.#render());
    this.#render();
    void this.#load();
  }

  async #load(): Promise<void> {
    const from = enc(new Date(Date.now() - this.#days * DAY_MS).toISOString());
    const [figures, daily] = await Promise.all([
      getOptional<Figures>(`/api/figures?from=${from}&groupBy=community`).catch(() => null),
      getOptional<{ days: DayFigures[] }>(`/api/figures/daily?from=${from}`).catch(() => null),
    ]);
    if (this.#stopped) return;
    this.#figures = figures;
    this.#daily = daily?.days ?? [];
    this.#loaded = true;
    this.#render();
  }

  #periods(): HTMLElement {
    return h(
      'div',
      { class: 'segmented', role: 'group' },
      PERIODS.map((d) =>
        h(
          'button',
          {
            type: 'button',
            class: d === this.#days ? 'on' : '',
            testid: `period-${d}`,
            onClick: () => {
              this.#days = d;
              void this.#load();
            },
          },
          t('figures.days', { n: d }),
        ),
      ),
    );
  }

  #tiles(f: Figures): HTMLElement {
    const o = f.overall;
    const verdict = (share: number | null, target: number) =>
      share === null ? undefined : share >= target ? 'met' : 'missed';
    return h(
      'div',
      { class: 'tiles' },
      tile(
        'figures.within60',
        percent(o.ackWithin60sShare),
        'kpi-60',
        verdict(o.ackWithin60sShare, f.targets.ackWithin60s),
        t('figures.target', { pct: percent(f.targets.ackWithin60s) }),
      ),
      tile(
        'figures.within180',
        percent(o.ackWithin180sShare),
        'kpi-180',
        verdict(o.ackWithin180sShare, f.targets.ackWithin180s),
        t('figures.target', { pct: percent(f.targets.ackWithin180s) }),
      ),
      tile('figures.p50', seconds(o.ackP50S), 'kpi-p50'),
      tile('figures.p95', seconds(o.ackP95S), 'kpi-p95'),
      tile('figures.resolveP50', seconds(o.resolveP50S), 'kpi-resolve'),
      tile('figures.falseAlarms', percent(o.falseAlarmRate), 'kpi-false'),
      tile('figures.total', String(o.total), 'kpi-total'),
      tile('figures.openNow', String(o.openNow), 'kpi-open'),
    );
  }

  #dailyCharts(f: Figures): Chart[] {
    const x = this.#daily.map((d) => Date.parse(`${d.day}T00:00:00+08:00`) / 1000);
    const share = this.#daily.map((d) => pct100(d.ackWithin60sShare));
    const share180 = this.#daily.map((d) => pct100(d.ackWithin180sShare));
    const low = Math.min(80, ...[...share, ...share180].filter((v): v is number => v !== null));
    // Half a day either side, so the first and last day's bars are drawn whole.
    const span: [number, number] | undefined = x.length
      ? [(x[0] ?? 0) - 43_200, (x[x.length - 1] ?? 0) + 43_200]
      : undefined;
    return [
      timeChart(
        'chart-daily-60',
        x,
        [
          { label: t('figures.within60'), values: share, color: COLORS.blue },
          { label: t('figures.within180'), values: share180, color: COLORS.teal },
          {
            label: `${t('figures.targetLine')} ${percent(f.targets.ackWithin60s)}`,
            values: x.map(() => f.targets.ackWithin60s * 100),
            color: COLORS.red,
            dash: [6, 4],
          },
          {
            label: `${t('figures.targetLine')} ${percent(f.targets.ackWithin180s)}`,
            values: x.map(() => f.targets.ackWithin180s * 100),
            color: COLORS.grey,
            dash: [2, 3],
          },
        ],
        { y: { range: [Math.floor(low), 100], label: '%' } },
        220,
        span,
      ),
      timeChart(
        'chart-daily-p50',
        x,
        [
          { label: t('figures.p50'), values: this.#daily.map((d) => d.ackP50S), color: COLORS.teal },
          { label: t('figures.p95'), values: this.#daily.map((d) => d.ackP95S), color: COLORS.blue },
          {
            label: t('regions.within60'),
            values: x.map(() => 60),
            color: COLORS.red,
            dash: [6, 4],
          },
        ],
        { y: { label: 's' } },
        220,
        span,
      ),
      timeChart(
        'chart-daily-total',
        x,
        [
          {
            label: t('figures.total'),
            values: this.#daily.map((d) => d.total),
            color: COLORS.grey,
            bars: true,
          },
        ],
        { y: {} },
        180,
        span,
      ),
    ];
  }

  #groupChart(f: Figures, groups: GroupFigures[]): Chart {
    const names = groups.map((g) => this.#ctx.regions.name(g.region ?? ''));
    const shares = groups
      .flatMap((g) => [g.ackWithin60sShare, g.ackWithin180sShare])
      .filter((v): v is number => v !== null);
    const low = Math.floor(Math.min(80, ...shares.map((v) => v * 100)));
    return categoryBars(
      'chart-groups',
      names,
      [
        {
          label: t('figures.within60'),
          values: groups.map((g) => pct100(g.ackWithin60sShare)),
          color: COLORS.blue,
        },
        {
          label: t('figures.within180'),
          values: groups.map((g) => pct100(g.ackWithin180sShare)),
          color: COLORS.teal,
        },
      ],
      [
        {
          label: `${t('figures.targetLine')} ${percent(f.targets.ackWithin60s)}`,
          value: f.targets.ackWithin60s * 100,
          color: COLORS.red,
        },
        {
          label: `${t('figures.targetLine')} ${percent(f.targets.ackWithin180s)}`,
          value: f.targets.ackWithin180s * 100,
          color: COLORS.amber,
        },
      ],
      [low, 100],
    );
  }

  /** The green key's service tickets: requests by kind, median time to done, waiting now, per community. */
  #services(f: Figures): HTMLElement {
    const o = f.overall.services;
    const groups = f.groups.filter((g) => g.region);
    return h(
      'section',
      { class: 'card service-figures', testid: 'service-figures' },
      h('h3', null, t('figures.services')),
      h(
        'div',
        { class: 'tiles' },
        tile('figures.servicesTotal', String(o.total), 'kpi-services-total'),
        tile(
          'figures.servicesDoneP50',
          o.doneP50S === null ? '—' : duration(o.doneP50S * 1000),
          'kpi-services-p50',
        ),
        tile('figures.servicesOpen', String(o.openNow), 'kpi-services-open'),
      ),
      h(
        'div',
        { class: 'chart-grid' },
        barList('services-by-kind', 'figures.servicesByKind', 'service', o.byKind),
        groups.length > 0 &&
          h(
            'section',
            { class: 'card' },
            h('h3', null, t('figures.servicesByGroup')),
            h(
              'table',
              { class: 'plain', testid: 'services-by-group' },
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  h('th', null, t('figures.community')),
                  h('th', null, t('figures.servicesTotal')),
                  h('th', null, t('figures.servicesDoneP50')),
                  h('th', null, t('figures.servicesOpen')),
                ),
              ),
              h(
                'tbody',
                null,
                groups.map((g) =>
                  h(
                    'tr',
                    { data: { region: g.region ?? '' } },
                    h('td', null, this.#ctx.regions.name(g.region ?? '')),
                    h('td', null, String(g.services.total)),
                    h('td', null, g.services.doneP50S === null ? '—' : duration(g.services.doneP50S * 1000)),
                    h('td', null, String(g.services.openNow)),
                  ),
                ),
              ),
            ),
          ),
      ),
    );
  }

  #render(): void {
    for (const chart of this.#charts.splice(0)) chart.destroy();
    const f = this.#figures;
    const body: Child[] = [];
    if (!this.#loaded) body.push(h('p', { class: 'muted' }, t('detail.loading')));
    else if (!f) body.push(h('p', { class: 'muted', testid: 'figures-empty' }, t('figures.unavailable')));
    else {
      const daily = this.#dailyCharts(f);
      const groups = f.groups.filter((g) => g.region);
      const groupChart = groups.length > 1 ? this.#groupChart(f, groups) : null;
      this.#charts = [...daily, ...(groupChart ? [groupChart] : [])];
      const card = (title: StringKey, ...children: Child[]) =>
        h('section', { class: 'card' }, h('h3', null, t(title)), ...children);
      body.push(
        this.#tiles(f),
        h(
          'div',
          { class: 'chart-grid' },
          card('figures.daily60', daily[0]?.el),
          card('figures.dailyP50', daily[1]?.el),
          card('figures.dailyTotal', daily[2]?.el),
          groupChart && card('figures.byGroup', groupChart.el),
        ),
        h(
          'div',
          { class: 'chart-grid three' },
          barList('by-type', 'figures.byType', 'type', f.overall.byType),
          barList('by-outcome', 'figures.byOutcome', 'outcome', f.overall.byOutcome),
          barList('by-severity', 'figures.bySeverity', 'severity', f.overall.bySeverity),
        ),
        this.#services(f),
      );
    }
    fill(
      this.el,
      h('div', { class: 'page-head' }, h('h2', null, t('figures.heading')), this.#periods()),
      ...body,
    );
  }

  stop(): void {
    this.#stopped = true;
    this.#unlang();
    for (const chart of this.#charts.splice(0)) chart.destroy();
  }
}
