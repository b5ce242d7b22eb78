import { fill, h } from '../dom.ts';
import { ago, dateTime } from '../format.ts';
import { label } from '../i18n/i18n.ts';
import { AlertBlock } from './alert-block.ts';
import { ft } from './strings.ts';
import type { FamilyDevice, FamilyElder, FamilyRequest, FamilyVitals } from './types.ts';

function presence(atHome: boolean | null): HTMLElement {
  const state = atHome === null ? 'unknown' : atHome ? 'yes' : 'no';
  return h(
    'span',
    { class: `chip home-${state}`, testid: 'at-home', data: { home: state } },
    ft(`home.${state}` as 'home.yes'),
  );
}

function deviceLine(d: FamilyDevice): HTMLLIElement {
  const state = d.online === null ? 'unknown' : d.online ? 'online' : 'offline';
  return h(
    'li',
    { testid: 'device', data: { online: state } },
    h('span', { class: `dot dot-${state}` }),
    h('span', { class: 'name' }, d.location ?? d.kind),
    h('span', { class: 'muted' }, ft(`device.${state}` as 'device.online')),
    d.battery !== undefined && h('span', { class: 'muted' }, ft('device.battery', { n: d.battery })),
    d.lastSeenAt && h('span', { class: 'muted small' }, ago(d.lastSeenAt)),
  );
}

function vitalsBlock(v: FamilyVitals | null): HTMLElement {
  if (!v) return h('p', { class: 'muted' }, ft('noVitals'));
  const cell = (name: string, value: string) =>
    h('div', { class: 'vital' }, h('span', { class: 'muted small' }, name), h('strong', null, value));
  return h(
    'div',
    { class: 'vitals', testid: 'vitals' },
    v.hr !== undefined && cell(ft('vital.hr'), `${v.hr} bpm`),
    v.spo2 !== undefined && cell(ft('vital.spo2'), `${v.spo2} %`),
    v.rr !== undefined && cell(ft('vital.rr'), `${v.rr} /min`),
    v.temp !== undefined && cell(ft('vital.temp'), `${v.temp} °C`),
    v.sys !== undefined && cell(ft('vital.bp'), `${v.sys}/${v.dia ?? '—'}`),
    h('p', { class: 'muted small when' }, ago(v.ts)),
  );
}

function historyList(items: FamilyElder['history']): HTMLElement {
  if (items.length === 0) return h('p', { class: 'muted' }, ft('noHistory'));
  return h(
    'ul',
    { class: 'history', testid: 'history' },
    items.map((a) =>
      h(
        'li',
        { testid: 'history-item', data: { alertId: a.id } },
        h('time', { attrs: { datetime: a.occurredAt } }, dateTime(a.occurredAt)),
        h('span', null, label('type', a.type)),
        a.outcome && h('span', { class: 'muted' }, label('outcome', a.outcome)),
      ),
    ),
  );
}

/** The green-key requests: what the elder asked for, and whether a helper has it in hand. */
function requestList(items: readonly FamilyRequest[]): HTMLElement {
  if (items.length === 0) return h('p', { class: 'muted' }, ft('noRequests'));
  return h(
    'ul',
    { class: 'history', testid: 'requests' },
    items.map((r) =>
      h(
        'li',
        { testid: 'request-item', data: { requestId: r.id, state: r.state } },
        h('time', { attrs: { datetime: r.requestedAt } }, dateTime(r.requestedAt)),
        h('span', null, label('service', r.service)),
        h('span', { class: 'muted', testid: 'request-state' }, ft(`request.${r.state}` as 'request.done')),
      ),
    ),
  );
}

/**
 * One elder: where they are, whether their devices work, their latest vitals, open alerts with what
 * the centre is doing, and the recent history. Alert blocks are kept by id across updates.
 */
export class ElderCard {
  readonly el: HTMLElement;
  readonly #me: string;
  readonly #head = h('header', { class: 'card-head' });
  readonly #devices = h('ul', { class: 'devices', testid: 'devices' });
  readonly #vitals = h('div');
  readonly #alerts = h('div', { class: 'alerts', testid: 'open-alerts' });
  readonly #history = h('div');
  readonly #requests = h('div');
  readonly #blocks = new Map<string, AlertBlock>();

  constructor(elder: FamilyElder, me: string) {
    this.#me = me;
    this.el = h(
      'section',
      { class: 'card', testid: 'elder-card', data: { elderId: elder.id } },
      this.#head,
      h('h3', null, ft('openAlerts')),
      this.#alerts,
      h('h3', null, ft('requests')),
      this.#requests,
      h('h3', null, ft('vitals')),
      this.#vitals,
      h('h3', null, ft('devices')),
      this.#devices,
      h('h3', null, ft('history')),
      this.#history,
    );
    this.update(elder);
  }

  update(elder: FamilyElder): void {
    fill(
      this.#head,
      h('div', null, h('h2', { testid: 'elder-name' }, elder.name), presence(elder.atHome)),
      h(
        'p',
        { class: 'muted' },
        elder.age !== undefined && `${ft('age', { n: elder.age })} · `,
        h('span', { testid: 'elder-address' }, elder.address),
      ),
    );
    fill(this.#devices, elder.devices.map(deviceLine));
    fill(this.#vitals, vitalsBlock(elder.latestVitals));
    fill(this.#history, historyList(elder.history));
    fill(this.#requests, requestList(elder.requests));
    this.#updateAlerts(elder);
  }

  /** The alert block of `alertId`, if it is open on this card. */
  block(alertId: string): AlertBlock | undefined {
    return this.#blocks.get(alertId);
  }

  #updateAlerts(elder: FamilyElder): void {
    const open = new Set(elder.openAlerts.map((a) => a.id));
    for (const [id, block] of this.#blocks) {
      if (open.has(id)) continue;
      block.el.remove();
      this.#blocks.delete(id);
    }
    const ordered = elder.openAlerts.map((alert) => {
      let block = this.#blocks.get(alert.id);
      if (block) block.update(alert);
      else {
        block = new AlertBlock(alert, this.#me);
        this.#blocks.set(alert.id, block);
      }
      return block.el;
    });
    if (ordered.length === 0) {
      fill(this.#alerts, h('p', { class: 'muted ok' }, ft('noOpenAlerts')));
      return;
    }
    // Moving a node blurs it: touch the list only when its order changed, not under someone typing.
    const current = [...this.#alerts.children];
    if (current.length !== ordered.length || current.some((el, i) => el !== ordered[i]))
      this.#alerts.replaceChildren(...ordered);
  }
}
