import { SEVERITIES } from '../../../protocol/alerts.ts';
import { getOptional } from '../api.ts';
import type { AppContext, View } from '../context.ts';
import { fill, h } from '../dom.ts';
import { percent, seconds } from '../format.ts';
import { label, onLangChange, t } from '../i18n/i18n.ts';
import { countByRegion } from '../region-counts.ts';
import type { Figures, GroupFigures, RegionSummary } from '../types.ts';

/** How far below the target a share is: 0 (met) … 3 (far off), for the heat colour. */
function shortfall(share: number | null, target: number): string {
  if (share === null) return 'none';
  if (share >= target) return '0';
  return share >= target - 0.025 ? '1' : share >= target - 0.1 ? '2' : '3';
}

const heat = (n: number): string => String(Math.min(n, 4));

/**
 * The city (or district) view: a tree of regions as a heat table, with live open counts from the queue
 * and answer-time figures of the last 30 days per district and community.
 */
export class RegionsPage implements View {
  readonly el = h('div', { class: 'page regions-page' });
  readonly #ctx: AppContext;
  #figures = new Map<string, GroupFigures>();
  #targets = { ackWithin60s: 0.975, ackWithin180s: 0.99 };
  #stopped = false;
  readonly #cleanups: (() => void)[] = [];

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    this.#cleanups.push(
      ctx.queue.subscribe(() => this.#render()),
      onLangChange(() => this.#render()),
    );
    this.#render();
    void this.#load();
  }

  async #load(): Promise<void> {
    const ask = (groupBy: string) =>
      getOptional<Figures>(`/api/figures?groupBy=${groupBy}`).catch(() => null);
    const [regions, byCommunity, byDistrict] = await Promise.all([
      getOptional<RegionSummary[]>('/api/regions').catch(() => null),
      ask('community'),
      ask('district'),
    ]);
    if (this.#stopped) return;
    if (regions) this.#ctx.regions.load(regions);
    for (const f of [byCommunity, byDistrict]) {
      if (!f) continue;
      this.#targets = f.targets;
      for (const g of f.groups) if (g.region) this.#figures.set(g.region, g);
      this.#figures.set(this.#ctx.user.scope, f.overall);
    }
    this.#render();
  }

  #rows(): { region: RegionSummary | { id: string; name: string }; depth: number }[] {
    const { regions, user } = this.#ctx;
    const out: { region: RegionSummary | { id: string; name: string }; depth: number }[] = [];
    const walk = (id: string, depth: number): void => {
      out.push({ region: { id, name: regions.name(id) }, depth });
      for (const child of regions.children(id)) walk(child.id, depth + 1);
    };
    walk(user.scope, 0);
    return out;
  }

  #render(): void {
    const counts = countByRegion(this.#ctx.queue.sorted());
    const rows = this.#rows();
    const head = h(
      'tr',
      null,
      h('th', null, t('regions.region')),
      SEVERITIES.map((s) => h('th', { class: 'num' }, label('severity', s))),
      h('th', { class: 'num' }, t('regions.inHand')),
      h('th', { class: 'num' }, t('regions.within60')),
      h('th', { class: 'num' }, t('regions.within180')),
      h('th', { class: 'num' }, t('regions.p50')),
      h('th', { class: 'num' }, t('regions.p95')),
    );
    const body = rows.map(({ region, depth }) => {
      const c = counts.get(region.id);
      const f = this.#figures.get(region.id);
      const share = (v: number | null | undefined, target: number) =>
        h('td', { class: 'num heat-share', data: { short: shortfall(v ?? null, target) } }, percent(v));
      return h(
        'tr',
        { testid: 'region-row', data: { region: region.id, depth: String(depth) } },
        h('td', { class: 'region-name' }, region.name),
        SEVERITIES.map((s) => {
          const n = c?.open[s] ?? 0;
          return h('td', { class: 'num heat', data: { severity: s, heat: heat(n) } }, String(n));
        }),
        h('td', { class: 'num' }, String(c?.acknowledged ?? 0)),
        share(f?.ackWithin60sShare, this.#targets.ackWithin60s),
        share(f?.ackWithin180sShare, this.#targets.ackWithin180s),
        h('td', { class: 'num' }, seconds(f?.ackP50S)),
        h('td', { class: 'num' }, seconds(f?.ackP95S)),
      );
    });
    fill(
      this.el,
      h('h2', null, t('regions.heading')),
      h('p', { class: 'muted' }, t('regions.period')),
      h(
        'table',
        { class: 'heat-table', testid: 'region-tree' },
        h('thead', null, head),
        h('tbody', null, body),
      ),
    );
  }

  stop(): void {
    this.#stopped = true;
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
  }
}
