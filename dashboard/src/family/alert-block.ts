import { ApiError, enc, statusOf } from '../api.ts';
import { fill, h } from '../dom.ts';
import { dateTime } from '../format.ts';
import { label } from '../i18n/i18n.ts';
import { call } from './api.ts';
import { ft, isKey } from './strings.ts';
import type { CentreEntry, FamilyAlert } from './types.ts';

const ETAS = [5, 10, 15, 20, 30, 45, 60];
const DEFAULT_ETA = 15;

function centreLine(entry: CentreEntry, me: string): HTMLLIElement {
  const key =
    entry.action === 'family_accepted' && entry.by === me ? 'centre.you_accepted' : `centre.${entry.action}`;
  const what = isKey(key) ? ft(key, { who: entry.by ?? '' }) : entry.action;
  const extras = [
    entry.responder,
    entry.etaMinutes !== undefined ? ft('eta', { n: entry.etaMinutes }) : undefined,
    entry.outcome ? label('outcome', entry.outcome) : undefined,
  ].filter((x): x is string => Boolean(x));
  return h(
    'li',
    { testid: 'centre-entry', data: { action: entry.action } },
    h('time', { attrs: { datetime: entry.at } }, dateTime(entry.at)),
    h('span', { class: 'what' }, what),
    extras.length > 0 && h('span', { class: 'extra' }, extras.join(' · ')),
    entry.note && h('q', { class: 'note', testid: 'centre-note' }, entry.note),
  );
}

/**
 * One open alert on an elder's card: what happened, what the centre is doing, and the "I'm on my way"
 * form. The form is built once and kept across updates, so a live update never eats a chosen ETA or a
 * half-typed message.
 */
export class AlertBlock {
  readonly el: HTMLElement;
  readonly #me: string;
  readonly #head = h('header', { class: 'alert-head' });
  readonly #centre = h('ol', { class: 'centre', testid: 'centre' });
  readonly #notice = h('p', { class: 'notice', testid: 'accept-notice', role: 'status' });
  readonly #eta: HTMLSelectElement;
  readonly #note: HTMLInputElement;
  readonly #button: HTMLButtonElement;
  #alert: FamilyAlert;

  constructor(alert: FamilyAlert, me: string) {
    this.#alert = alert;
    this.#me = me;
    this.#eta = h(
      'select',
      { testid: 'eta-select', attrs: { 'aria-label': ft('etaLabel') } },
      ETAS.map((n) =>
        h(
          'option',
          { value: String(n), ...(n === DEFAULT_ETA ? { attrs: { selected: '' } } : {}) },
          ft('etaMinutes', { n }),
        ),
      ),
      h('option', { value: '' }, ft('etaUnknown')),
    );
    this.#note = h('input', { testid: 'accept-note', type: 'text', placeholder: ft('notePlaceholder') });
    this.#note.maxLength = 1000;
    this.#button = h('button', { type: 'submit', class: 'accept', testid: 'accept-button' });
    const form = h(
      'form',
      { class: 'accept-form', onSubmit: (e) => this.#submit(e) },
      h('label', { class: 'eta' }, h('span', null, ft('etaLabel')), this.#eta),
      this.#note,
      this.#button,
      this.#notice,
    );
    this.el = h(
      'article',
      { class: 'alert', testid: 'family-alert', data: { alertId: alert.id } },
      this.#head,
      h('h4', null, ft('centre')),
      this.#centre,
      form,
    );
    this.update(alert);
  }

  update(alert: FamilyAlert): void {
    this.#alert = alert;
    this.el.dataset.severity = alert.severity;
    this.el.dataset.state = alert.state;
    fill(
      this.#head,
      h('strong', { class: 'type' }, label('type', alert.type)),
      h('span', { class: `sev sev-${alert.severity}` }, label('severity', alert.severity)),
      h('time', { attrs: { datetime: alert.occurredAt } }, dateTime(alert.occurredAt)),
      h('span', { class: 'state', testid: 'alert-state' }, ft(`state.${alert.state}` as 'state.open')),
    );
    fill(
      this.#centre,
      alert.centre.length === 0
        ? h('li', { class: 'muted' }, ft('centreNothing'))
        : alert.centre.map((entry) => centreLine(entry, this.#me)),
    );
    const mine = alert.centre.some((e) => e.action === 'family_accepted' && e.by === this.#me);
    this.#button.textContent = mine ? ft('acceptAgain') : ft('accept');
    if (mine && !this.#notice.textContent) this.#notice.textContent = ft('accepted');
  }

  #submit(event: SubmitEvent): void {
    event.preventDefault();
    const eta = this.#eta.value === '' ? undefined : Number(this.#eta.value);
    const note = this.#note.value.trim();
    this.#button.disabled = true;
    this.#notice.textContent = '';
    call('POST', `/api/alerts/${enc(this.#alert.id)}/accept`, {
      ...(eta !== undefined ? { etaMinutes: eta } : {}),
      ...(note ? { note } : {}),
    })
      .then(() => {
        this.#note.value = '';
        this.#notice.textContent = ft('accepted');
      })
      .catch((err: unknown) => {
        this.#notice.textContent =
          err instanceof ApiError && statusOf(err) === 409 ? ft('acceptResolved') : ft('acceptFailed');
      })
      .finally(() => {
        this.#button.disabled = false;
      });
  }
}
