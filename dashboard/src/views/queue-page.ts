import { acknowledge } from '../actions.ts';
import type { AppContext, View } from '../context.ts';
import { h } from '../dom.ts';
import { onLangChange } from '../i18n/i18n.ts';
import { DetailView } from './detail.ts';
import { QueueTable } from './queue-table.ts';
import { RegionCounters } from './region-counters.ts';

/**
 * The dispatcher's main screen: counters per community (for district and city scopes), the live queue,
 * and the selected alert's detail beside it. The wall display shows the queue alone.
 */
export class QueuePage implements View {
  readonly el: HTMLElement;
  readonly #ctx: AppContext;
  readonly #table: QueueTable;
  readonly #counters: RegionCounters | null;
  readonly #pane = h('div', { class: 'detail-pane' });
  readonly #wall: boolean;
  #detail: DetailView | null = null;
  readonly #cleanups: (() => void)[] = [];

  constructor(ctx: AppContext, options: { wall: boolean }) {
    this.#ctx = ctx;
    this.#wall = options.wall;
    this.#table = new QueueTable(ctx, (id) => {
      this.#table.select(id);
      if (!this.#wall) ctx.navigate(`#/alert/${encodeURIComponent(id)}`);
    });
    const showCounters = !this.#wall && ctx.regions.level(ctx.user.scope) !== 'community';
    this.#counters = showCounters ? new RegionCounters(ctx) : null;
    this.el = h(
      'div',
      { class: `queue-page${this.#wall ? ' wall-queue' : ''}` },
      this.#counters?.el,
      h('div', { class: 'workspace' }, h('section', { class: 'queue-pane' }, this.#table.el), this.#pane),
    );
    this.#table.update(null);
    const tick = setInterval(() => this.#table.tick(), 1000);
    this.#cleanups.push(
      () => clearInterval(tick),
      ctx.queue.subscribe((change) => {
        this.#table.update(change);
        this.#counters?.render();
      }),
      ctx.notices.subscribe((id) => this.#table.refreshNotice(id)),
      onLangChange(() => {
        this.#table.relabel();
        this.#counters?.render();
      }),
    );
  }

  /** Opens the detail of `id` beside the queue, or closes it with null. */
  showDetail(id: string | null): void {
    this.#detail?.stop();
    this.#detail = null;
    this.#pane.replaceChildren();
    this.el.classList.toggle('has-detail', id !== null);
    if (id === null) return;
    this.#table.select(id);
    this.#detail = new DetailView(this.#ctx, id, () => this.#ctx.navigate('#/queue'));
    this.#pane.append(this.#detail.el);
  }

  get detailOpen(): boolean {
    return this.#detail !== null;
  }

  /** j/k and the arrows: the next or previous alert in queue order. */
  move(step: 1 | -1): void {
    const order = this.#table.order;
    if (!order.length) return;
    const at = this.#table.selected ? order.indexOf(this.#table.selected) : -1;
    const next = order[Math.min(order.length - 1, Math.max(0, at === -1 ? 0 : at + step))] ?? null;
    this.#table.select(next);
    if (next && this.#detail) this.#ctx.navigate(`#/alert/${encodeURIComponent(next)}`);
  }

  openSelected(): void {
    const id = this.#table.selected ?? this.#table.order[0];
    if (id && !this.#wall) this.#ctx.navigate(`#/alert/${encodeURIComponent(id)}`);
  }

  acknowledgeSelected(): void {
    const id = this.#table.selected;
    const alert = id ? this.#ctx.queue.get(id) : undefined;
    if (alert?.state === 'open') void acknowledge(this.#ctx, alert.id);
  }

  stop(): void {
    this.#detail?.stop();
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
  }
}
