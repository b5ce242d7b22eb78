import { DEVICE_KINDS } from '../../../protocol/devices.ts';
import { enc, post, statusOf } from '../api.ts';
import { fill, h } from '../dom.ts';
import { label, t } from '../i18n/i18n.ts';
import type { ElderListing, GatewayListing } from '../types.ts';
import { type Field, field, form, input, problemText, refill, select } from './admin-form.ts';
import type { AdminData, AdminHost, AdminSection } from './admin-page.ts';
import { listTable } from './admin-registry.ts';

interface DeviceRow {
  el: HTMLElement;
  id: Field;
  kind: Field;
  elder: Field;
}

/**
 * Gateways: create one with its devices (the secret is shown once, by the page), give one a new secret,
 * or revoke one; both of the latter ask first, in the page, and cut the gateway off at once.
 */
export class GatewaysSection implements AdminSection {
  readonly el: HTMLElement;
  readonly #host: AdminHost;
  readonly #list = h('div');
  readonly #confirm = h('div', { class: 'confirm', testid: 'admin-confirm', role: 'group', hidden: true });
  readonly #household: Field;
  readonly #rows = h('div', { class: 'device-rows' });
  readonly #devices: DeviceRow[] = [];
  readonly #devicesError = h('p', { class: 'field-error', testid: 'admin-gateway-devices-error' });
  #elders: ElderListing[] = [];

  constructor(host: AdminHost) {
    this.#host = host;
    const id = field(
      'id',
      t('admin.id'),
      input('text', { required: true }),
      'admin-gateway-id',
      t('admin.idHint'),
    );
    const household = select([]);
    household.required = true;
    household.addEventListener('change', () => this.#refillElders());
    this.#household = field('householdId', t('admin.household'), household, 'admin-gateway-household');
    const add = h(
      'button',
      {
        type: 'button',
        class: 'secondary add-device',
        testid: 'admin-device-add',
        onClick: () => this.#addDevice(true),
      },
      t('admin.addDevice'),
    );
    const devices = h(
      'fieldset',
      { class: 'devices' },
      h('legend', null, t('admin.devices')),
      this.#rows,
      this.#devicesError,
      add,
    );
    const parts = form(
      'admin-gateway-form',
      [id, this.#household],
      t('admin.create'),
      async () => {
        const gatewayId = id.control.value.trim();
        const answer = await post<{ id: string; secret: string }>('/api/gateways', {
          id: gatewayId,
          householdId: household.value,
          devices: this.#devices.map((d) => ({
            id: d.id.control.value.trim(),
            kind: d.kind.control.value,
            ...(d.elder.control.value ? { elderId: d.elder.control.value } : {}),
          })),
        });
        host.showSecret(answer.id, answer.secret);
        id.control.value = '';
        for (const d of this.#devices.splice(0)) d.el.remove();
        this.#addDevice(false);
        await host.reload();
        return t('admin.created', { id: answer.id });
      },
      {
        conflict: 'id',
        extra: [devices],
        groups: [
          { name: 'devices', error: this.#devicesError, focus: () => this.#devices[0]?.id.control.focus() },
        ],
      },
    );
    this.#addDevice(false);
    this.el = h(
      'section',
      { class: 'admin-section', testid: 'admin-gateways', attrs: { 'aria-label': t('admin.gateways') } },
      h('div', { class: 'card' }, h('h3', null, t('admin.newGateway')), parts.form),
      h('div', { class: 'card' }, h('h3', null, t('admin.gateways')), this.#confirm, this.#list),
    );
  }

  #addDevice(focus: boolean): void {
    const n = this.#devices.length + 1;
    const kind = select(
      DEVICE_KINDS.map((k) => [k, `${label('kind', k)} (${k})`]),
      true,
    );
    const row: DeviceRow = {
      el: h('div', { class: 'device-row', testid: 'admin-device-row' }),
      id: field('deviceId', t('admin.deviceId'), input('text'), `admin-device-id-${n}`),
      kind: field('kind', t('admin.deviceKind'), kind, `admin-device-kind-${n}`),
      elder: field('elderId', t('admin.deviceElder'), select([]), `admin-device-elder-${n}`),
    };
    const remove = h(
      'button',
      {
        type: 'button',
        class: 'link remove-device',
        onClick: () => {
          this.#devices.splice(this.#devices.indexOf(row), 1);
          row.el.remove();
        },
      },
      t('admin.removeDevice', { n }),
    );
    fill(
      row.el,
      h('span', { class: 'device-n' }, t('admin.deviceN', { n })),
      row.id.el,
      row.kind.el,
      row.elder.el,
      remove,
    );
    this.#devices.push(row);
    this.#rows.append(row.el);
    this.#refillElders();
    if (focus) row.id.control.focus();
  }

  /** Only elders of the chosen household may be given a device. */
  #refillElders(): void {
    const household = this.#household.control.value;
    const options = this.#elders
      .filter((e) => e.householdId === household)
      .map((e) => [e.id, `${e.name} (${e.id})`] as const);
    for (const d of this.#devices) refill(d.elder.control as HTMLSelectElement, options);
  }

  update(data: AdminData): void {
    this.#elders = data.elders;
    refill(
      this.#household.control as HTMLSelectElement,
      data.households.map((x) => [x.id, `${x.id} · ${x.address}`]),
    );
    this.#refillElders();
    fill(
      this.#list,
      listTable(
        'admin-gateway-list',
        ['admin.id', 'admin.household', 'admin.state', 'admin.status', 'admin.actions'],
        data.gateways.map((g) => this.#row(g)),
      ),
    );
  }

  #row(g: GatewayListing): HTMLElement {
    const state = g.state ? label('device', g.state) : t('admin.neverSeen');
    return h(
      'tr',
      { testid: 'admin-gateway-row', data: { id: g.id, revoked: String(g.revokedAt !== null) } },
      h('td', null, h('code', null, g.id)),
      h('td', null, `${g.householdId} · ${g.address}`),
      h('td', null, h('span', { class: `dot ${g.state === 'online' ? 'ok' : 'bad'}` }), state),
      h(
        'td',
        null,
        g.revokedAt ? h('strong', { class: 'warn-text' }, t('admin.revoked')) : t('admin.active'),
      ),
      h(
        'td',
        { class: 'row-actions' },
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            testid: 'admin-gateway-rotate',
            onClick: () => this.#ask(g.id, 'rotate'),
          },
          t('admin.rotate'),
        ),
        !g.revokedAt &&
          h(
            'button',
            {
              type: 'button',
              class: 'danger',
              testid: 'admin-gateway-revoke',
              onClick: () => this.#ask(g.id, 'revoke'),
            },
            t('admin.revoke'),
          ),
      ),
    );
  }

  /** Asks in the page (keyboard: the confirm button takes focus; Cancel puts it back). */
  #ask(id: string, action: 'rotate' | 'revoke'): void {
    const opener = document.activeElement as HTMLElement | null;
    const status = h('p', { class: 'action-status warn', role: 'status' });
    const close = (): void => {
      this.#confirm.hidden = true;
      this.#confirm.replaceChildren();
    };
    const go = h(
      'button',
      {
        type: 'button',
        class: action === 'revoke' ? 'danger' : '',
        testid: 'admin-confirm-yes',
        onClick: () => void this.#do(id, action, close, status),
      },
      action === 'revoke' ? t('admin.revoke') : t('admin.rotate'),
    );
    fill(
      this.#confirm,
      h('p', null, t(action === 'revoke' ? 'admin.confirmRevoke' : 'admin.confirmRotate', { id })),
      go,
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          testid: 'admin-confirm-no',
          onClick: () => {
            close();
            opener?.focus();
          },
        },
        t('admin.cancel'),
      ),
      status,
    );
    this.#confirm.hidden = false;
    go.focus();
  }

  async #do(id: string, action: 'rotate' | 'revoke', close: () => void, status: HTMLElement): Promise<void> {
    try {
      const answer = await post<{ id: string; secret?: string }>(`/api/gateways/${enc(id)}/${action}`);
      close();
      if (answer.secret) this.#host.showSecret(id, answer.secret);
      await this.#host.reload();
    } catch (err) {
      status.textContent = statusOf(err) ? problemText(err) : t('admin.failed', { status: 0 });
    }
  }
}
