import type { ServiceTicket } from '../../../protocol/services.ts';
import { ApiError, enc, post } from '../api.ts';
import type { AppContext, View } from '../context.ts';
import { fill, h } from '../dom.ts';
import { clock, duration } from '../format.ts';
import { label, onLangChange, t } from '../i18n/i18n.ts';

interface Typing {
  ticketId: string;
  start: number | null;
  end: number | null;
}

/**
 * The helpers' queue of green-key service requests (a meal, a visit, a chat): separate from the alert
 * queue, calm on purpose (no alarm, no severity colours). Accept, then done with an optional note.
 */
export class ServicesPage implements View {
  readonly el = h('div', { class: 'page services-page', testid: 'services-page' });
  readonly #ctx: AppContext;
  readonly #cleanups: (() => void)[] = [];
  readonly #notes = new Map<string, string>();
  #error: string | null = null;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    const tick = setInterval(() => this.#tickAges(), 1000);
    this.#cleanups.push(
      () => clearInterval(tick),
      ctx.services.subscribe(() => this.#render()),
      onLangChange(() => this.#render()),
    );
    this.#render();
  }

  #tickAges(): void {
    const now = Date.now();
    for (const cell of this.el.querySelectorAll<HTMLElement>('[data-since]'))
      cell.textContent = clock(now - Date.parse(cell.dataset.since ?? ''));
  }

  async #act(ticket: ServiceTicket, action: 'accept' | 'done'): Promise<void> {
    const note = this.#notes.get(ticket.id)?.trim();
    try {
      const body = action === 'done' && note ? { note } : {};
      this.#ctx.services.apply(
        await post<ServiceTicket>(`/api/service-requests/${enc(ticket.id)}/${action}`, body),
      );
      this.#error = null;
    } catch (err) {
      this.#error =
        err instanceof ApiError && err.status === 409 ? t('services.closed') : t('services.failed');
      this.#render();
    }
  }

  #row(ticket: ServiceTicket): HTMLElement {
    const open = ticket.state === 'requested' || ticket.state === 'accepted';
    const who = ticket.doneBy ?? ticket.acceptedBy ?? ticket.cancelledBy;
    const note = h('input', {
      type: 'text',
      class: 'service-note',
      placeholder: t('services.notePlaceholder'),
      attrs: { 'aria-label': t('services.note') },
      testid: 'service-note',
      value: this.#notes.get(ticket.id) ?? '',
      onInput: () => this.#notes.set(ticket.id, note.value),
    });
    return h(
      'tr',
      { testid: 'service-row', data: { ticketId: ticket.id, state: ticket.state, service: ticket.service } },
      h('td', { testid: 'service-kind' }, label('service', ticket.service)),
      h(
        'td',
        null,
        ticket.elderName ?? ticket.elderId,
        ticket.repeatCount > 0 &&
          h('span', { class: 'muted' }, ` ${t('queue.repeats', { n: ticket.repeatCount + 1 })}`),
      ),
      h('td', null, ticket.address ?? ticket.householdId),
      h(
        'td',
        { testid: 'service-time' },
        open
          ? h(
              'span',
              { data: { since: ticket.requestedAt } },
              clock(Date.now() - Date.parse(ticket.requestedAt)),
            )
          : ticket.tookS !== undefined
            ? t('services.took', { t: duration(ticket.tookS * 1000) })
            : '—',
      ),
      h(
        'td',
        { testid: 'service-state' },
        label('serviceState', ticket.state),
        who && h('span', { class: 'muted' }, ` ${who}`),
      ),
      h(
        'td',
        { class: 'service-actions' },
        ticket.state === 'requested' &&
          h(
            'button',
            { type: 'button', testid: 'service-accept', onClick: () => void this.#act(ticket, 'accept') },
            t('services.accept'),
          ),
        open && note,
        open &&
          h(
            'button',
            { type: 'button', testid: 'service-done', onClick: () => void this.#act(ticket, 'done') },
            t('services.done'),
          ),
        !open && ticket.note && h('span', { class: 'muted' }, ticket.note),
      ),
    );
  }

  /** The note being typed, so a push that redraws the queue does not take the helper's cursor away. */
  #typing(): Typing | null {
    const active = document.activeElement;
    if (!(active instanceof HTMLInputElement) || !this.el.contains(active)) return null;
    const ticketId = active.closest<HTMLElement>('[data-ticket-id]')?.dataset.ticketId;
    return ticketId ? { ticketId, start: active.selectionStart, end: active.selectionEnd } : null;
  }

  #restoreTyping(typing: Typing | null): void {
    if (!typing) return;
    const row = [...this.el.querySelectorAll<HTMLElement>('[data-ticket-id]')].find(
      (el) => el.dataset.ticketId === typing.ticketId,
    );
    const input = row?.querySelector<HTMLInputElement>('.service-note');
    if (!input) return;
    input.focus();
    input.setSelectionRange(typing.start, typing.end);
  }

  #render(): void {
    const tickets = this.#ctx.services.sorted();
    const typing = this.#typing();
    fill(
      this.el,
      h('div', { class: 'page-head' }, h('h2', null, t('services.heading'))),
      h('p', { class: 'muted' }, t('services.intro')),
      this.#error && h('p', { class: 'error', role: 'alert', testid: 'service-error' }, this.#error),
      tickets.length
        ? h(
            'table',
            { class: 'plain services-table', testid: 'service-queue' },
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                [
                  'services.kind',
                  'queue.elder',
                  'queue.address',
                  'services.time',
                  'queue.state',
                  'services.actions',
                ].map((k) => h('th', null, t(k as Parameters<typeof t>[0]))),
              ),
            ),
            h(
              'tbody',
              null,
              tickets.map((ticket) => this.#row(ticket)),
            ),
          )
        : h('p', { class: 'muted', testid: 'service-empty' }, t('services.empty')),
    );
    this.#restoreTyping(typing);
  }

  stop(): void {
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
  }
}
