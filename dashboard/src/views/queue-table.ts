import { acknowledge } from '../actions.ts';
import type { AppContext } from '../context.ts';
import { fill, h } from '../dom.ts';
import { alertWhat, clock } from '../format.ts';
import { label, t } from '../i18n/i18n.ts';
import type { QueueChange } from '../queue-store.ts';
import type { AlertView } from '../types.ts';

const COLUMNS = ['severity', 'type', 'elder', 'address', 'region', 'age', 'state', 'action'] as const;
type Column = (typeof COLUMNS)[number];
const HEADINGS = {
  severity: 'queue.severity',
  type: 'queue.type',
  elder: 'queue.elder',
  address: 'queue.address',
  region: 'queue.region',
  age: 'queue.age',
  state: 'queue.state',
} as const;

interface Row {
  tr: HTMLTableRowElement;
  cells: Record<Column, HTMLTableCellElement>;
  alert: AlertView;
}

export function severityBadge(severity: string): HTMLElement {
  return h('span', { class: 'badge', data: { severity } }, label('severity', severity));
}

/** The live queue as a table, one row per alert, rows moved rather than rebuilt so a flash survives. */
export class QueueTable {
  readonly el: HTMLElement;
  readonly #ctx: AppContext;
  readonly #body = h('tbody');
  readonly #head = h('tr');
  readonly #empty = h('p', { class: 'empty', testid: 'queue-empty' });
  readonly #rows = new Map<string, Row>();
  #order: string[] = [];
  #selected: string | null = null;
  readonly #onOpen: (id: string) => void;

  constructor(ctx: AppContext, onOpen: (id: string) => void) {
    this.#ctx = ctx;
    this.#onOpen = onOpen;
    const table = h(
      'table',
      { class: 'queue-table', testid: 'alert-queue' },
      h('thead', null, this.#head),
      this.#body,
    );
    this.el = h('div', { class: 'queue-wrap' }, table, this.#empty);
    this.relabel();
  }

  /** Headings and every row again, after a language switch. */
  relabel(): void {
    fill(
      this.#head,
      COLUMNS.map((c) => h('th', { class: `col-${c}` }, c === 'action' ? '' : t(HEADINGS[c]))),
    );
    this.#empty.textContent = t('queue.empty');
    for (const row of this.#rows.values()) this.#fillRow(row, row.alert);
    this.tick();
  }

  update(change: QueueChange | null): void {
    for (const id of change?.removed ?? []) {
      this.#rows.get(id)?.tr.remove();
      this.#rows.delete(id);
    }
    for (const alert of change?.updated ?? []) this.#rowFor(alert);
    for (const alert of change?.added ?? []) this.#flash(this.#rowFor(alert));
    if (!change) for (const alert of this.#ctx.queue.sorted()) this.#rowFor(alert);
    this.#render();
  }

  /** Shows the notice of one alert (after an acknowledge) in its row. */
  refreshNotice(id: string): void {
    const row = this.#rows.get(id);
    if (row) this.#fillAction(row);
  }

  tick(now = Date.now()): void {
    for (const row of this.#rows.values())
      row.cells.age.textContent = clock(now - Date.parse(row.alert.raisedAt));
  }

  get order(): readonly string[] {
    return this.#order;
  }

  get selected(): string | null {
    return this.#selected && this.#rows.has(this.#selected) ? this.#selected : null;
  }

  select(id: string | null): void {
    this.#selected = id;
    for (const [rowId, row] of this.#rows) {
      const on = rowId === id;
      row.tr.classList.toggle('selected', on);
      row.tr.setAttribute('aria-selected', String(on));
      if (on) row.tr.scrollIntoView({ block: 'nearest' });
    }
  }

  #rowFor(alert: AlertView): Row {
    const existing = this.#rows.get(alert.id);
    if (existing) {
      this.#fillRow(existing, alert);
      return existing;
    }
    const tr = h('tr', { testid: 'alert-row', data: { alertId: alert.id }, tabIndex: -1 });
    tr.addEventListener('click', () => this.#onOpen(alert.id));
    tr.addEventListener('animationend', () => tr.classList.remove('flash'));
    const cells = Object.fromEntries(COLUMNS.map((c) => [c, h('td', { class: `col-${c}` })])) as Row['cells'];
    tr.append(...Object.values(cells));
    const row: Row = { tr, cells, alert };
    this.#rows.set(alert.id, row);
    this.#fillRow(row, alert);
    return row;
  }

  #fillRow(row: Row, a: AlertView): void {
    const { tr, cells } = row;
    row.alert = a;
    tr.dataset.severity = a.severity;
    tr.dataset.state = a.state;
    tr.classList.toggle('selected', a.id === this.#selected);
    fill(cells.severity, severityBadge(a.severity));
    fill(
      cells.type,
      alertWhat(a),
      (a.repeatCount ?? 0) > 1 &&
        h('span', { class: 'repeats' }, t('queue.repeats', { n: a.repeatCount ?? 0 })),
      a.escalationLevel > 0 &&
        h(
          'span',
          { class: 'escalated', title: t('queue.escalated', { n: a.escalationLevel }) },
          `↑${a.escalationLevel}`,
        ),
    );
    cells.elder.textContent = a.elderName ?? a.elderId;
    cells.elder.title = a.elderId;
    cells.address.textContent = a.address ?? a.householdId;
    cells.region.textContent = a.regionName ?? this.#ctx.regions.name(a.region);
    fill(
      cells.state,
      h('span', { class: 'state', data: { state: a.state } }, label('state', a.state)),
      a.state === 'acknowledged' &&
        a.acknowledgedBy &&
        h('span', { class: 'by' }, ` ${t('queue.ackedBy', { who: a.acknowledgedBy })}`),
    );
    this.#fillAction(row);
  }

  #fillAction(row: Row): void {
    const { alert, cells } = row;
    const notice = this.#ctx.notices.get(alert.id);
    const note =
      notice && h('span', { class: `note ${notice.tone}`, testid: 'ack-notice' }, t(notice.key, notice.vars));
    if (alert.state !== 'open') {
      fill(cells.action, note);
      return;
    }
    const button = h(
      'button',
      { type: 'button', class: 'ack', testid: 'ack-button', data: { alertId: alert.id } },
      t('queue.ack'),
    );
    button.addEventListener('click', (event) => {
      event.stopPropagation(); // a click on the button is not a click on the row
      button.disabled = true;
      void acknowledge(this.#ctx, alert.id).finally(() => {
        button.disabled = false;
      });
    });
    fill(cells.action, button, note);
  }

  #flash(row: Row): void {
    row.tr.classList.remove('flash');
    void row.tr.offsetWidth; // restart the animation when the same alert flashes twice
    row.tr.classList.add('flash');
  }

  #render(): void {
    const sorted = this.#ctx.queue.sorted();
    this.#order = sorted.map((a) => a.id);
    // Move only rows that are out of place, so a flashing row keeps its animation.
    sorted.forEach((alert, i) => {
      const tr = this.#rows.get(alert.id)?.tr;
      if (tr && this.#body.children[i] !== tr) this.#body.insertBefore(tr, this.#body.children[i] ?? null);
    });
    this.#empty.hidden = sorted.length > 0;
    this.tick();
  }
}
