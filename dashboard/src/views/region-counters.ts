import { SEVERITIES } from '../../../protocol/alerts.ts';
import type { AppContext } from '../context.ts';
import { fill, h } from '../dom.ts';
import { label, t } from '../i18n/i18n.ts';
import { countByChild } from '../region-counts.ts';

/** A district supervisor's (or the city's) strip of counters, one card per community or district. */
export class RegionCounters {
  readonly el = h('section', { class: 'counters', testid: 'region-counters' });
  readonly #ctx: AppContext;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    this.render();
  }

  render(): void {
    const { user, regions, queue } = this.#ctx;
    const children = regions.children(user.scope).map((r) => r.id);
    const counts = countByChild(user.scope, children, queue.sorted());
    fill(
      this.el,
      counts.map((c) =>
        h(
          'div',
          {
            class: `counter${c.open.critical ? ' has-critical' : ''}`,
            testid: 'region-counter',
            data: { region: c.id },
          },
          h('div', { class: 'counter-name' }, regions.name(c.id)),
          h('div', { class: 'counter-total' }, String(c.openTotal)),
          h(
            'div',
            { class: 'counter-chips' },
            SEVERITIES.filter((s) => c.open[s] > 0).map((s) =>
              h(
                'span',
                { class: 'chip', data: { severity: s }, title: label('severity', s) },
                String(c.open[s]),
              ),
            ),
          ),
          h('div', { class: 'counter-ack' }, t('counters.acknowledged', { n: c.acknowledged })),
        ),
      ),
    );
    this.el.hidden = counts.length === 0;
  }
}
