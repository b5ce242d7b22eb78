import { post } from '../api.ts';
import { fill, h } from '../dom.ts';
import { label, t } from '../i18n/i18n.ts';
import type { StringKey } from '../i18n/strings.ts';
import { type Field, field, form, input, refill, select } from './admin-form.ts';
import type { AdminData, AdminHost, AdminSection } from './admin-page.ts';

/** A table with a caption-like count above it, or the empty line. */
export function listTable(testid: string, heads: StringKey[], rows: HTMLElement[]): HTMLElement {
  if (!rows.length) return h('p', { class: 'empty' }, t('admin.none'));
  return h(
    'div',
    { class: 'table-wrap' },
    h('p', { class: 'muted small' }, t('admin.count', { n: rows.length })),
    h(
      'table',
      { class: 'plain admin-table', testid },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          heads.map((k) => h('th', { attrs: { scope: 'col' } }, t(k))),
        ),
      ),
      h('tbody', null, rows),
    ),
  );
}

const CHILD: Record<string, 'district' | 'community' | undefined> = {
  city: 'district',
  district: 'community',
};

/** Section skeleton: a heading, the list, and the creation form under its own heading. */
function skeleton(
  testid: string,
  heading: StringKey,
  list: HTMLElement,
  formHeading: StringKey,
  body: HTMLElement,
) {
  return h(
    'section',
    { class: 'admin-section', testid, attrs: { 'aria-label': t(heading) } },
    h('div', { class: 'card' }, h('h3', null, t(formHeading)), body),
    h('div', { class: 'card' }, h('h3', null, t(heading)), list),
  );
}

export class RegionsSection implements AdminSection {
  readonly el: HTMLElement;
  readonly #list = h('div');
  readonly #parent: Field;
  readonly #id: Field;
  #levels = new Map<string, string>();

  constructor(host: AdminHost) {
    const parent = select([]);
    parent.required = true;
    this.#parent = field('parent', t('admin.parent'), parent, 'admin-region-parent');
    const segment = input('text', { required: true });
    this.#id = field('id', t('admin.segment'), segment, 'admin-region-id');
    const name = field('name', t('admin.name'), input('text', { required: true }), 'admin-region-name');
    const hint = (): void => {
      const level = CHILD[this.#levels.get(parent.value) ?? ''];
      this.#id.hint.textContent = parent.value
        ? `${t('admin.segmentHint', { id: `${parent.value}.${segment.value.trim() || '…'}` })} · ${t('admin.newLevel', { level: level ? label('level', level) : '—' })}`
        : t('admin.idHint');
    };
    parent.addEventListener('change', hint);
    segment.addEventListener('input', hint);
    const parts = form(
      'admin-region-form',
      [this.#parent, this.#id, name],
      t('admin.create'),
      async () => {
        const id = `${parent.value}.${segment.value.trim()}`;
        const level = CHILD[this.#levels.get(parent.value) ?? ''] ?? 'community';
        await post('/api/regions', { id, name: name.control.value.trim(), level, parent: parent.value });
        segment.value = '';
        name.control.value = '';
        hint();
        await host.reload();
        return t('admin.created', { id });
      },
      { conflict: 'id' },
    );
    this.el = skeleton('admin-regions', 'admin.regions', this.#list, 'admin.newRegion', parts.form);
    hint();
  }

  update(data: AdminData): void {
    this.#levels = new Map(data.regions.map((r) => [r.id, r.level]));
    refill(
      this.#parent.control as HTMLSelectElement,
      data.regions.filter((r) => CHILD[r.level]).map((r) => [r.id, `${r.name} (${r.id})`]),
    );
    fill(
      this.#list,
      listTable(
        'admin-region-list',
        ['admin.name', 'admin.id', 'admin.level'],
        data.regions.map((r) =>
          h(
            'tr',
            { data: { id: r.id } },
            h('td', { class: `depth-${r.id.split('.').length}` }, r.name),
            h('td', null, h('code', null, r.id)),
            h('td', null, label('level', r.level)),
          ),
        ),
      ),
    );
  }
}

export class HouseholdsSection implements AdminSection {
  readonly el: HTMLElement;
  readonly #list = h('div');
  readonly #region: Field;

  constructor(host: AdminHost) {
    const id = field(
      'id',
      t('admin.id'),
      input('text', { required: true }),
      'admin-household-id',
      t('admin.idHint'),
    );
    const community = select([]);
    community.required = true;
    this.#region = field('region', t('admin.community'), community, 'admin-household-region');
    const address = field(
      'address',
      t('admin.address'),
      input('text', { required: true }),
      'admin-household-address',
    );
    const parts = form(
      'admin-household-form',
      [id, this.#region, address],
      t('admin.create'),
      async () => {
        const body = {
          id: id.control.value.trim(),
          region: community.value,
          address: address.control.value.trim(),
        };
        await post('/api/households', body);
        id.control.value = '';
        address.control.value = '';
        await host.reload();
        return t('admin.created', { id: body.id });
      },
      { conflict: 'id' },
    );
    this.el = skeleton('admin-households', 'admin.households', this.#list, 'admin.newHousehold', parts.form);
  }

  update(data: AdminData): void {
    refill(
      this.#region.control as HTMLSelectElement,
      data.regions.filter((r) => r.level === 'community').map((r) => [r.id, `${r.name} (${r.id})`]),
    );
    const names = new Map(data.regions.map((r) => [r.id, r.name]));
    fill(
      this.#list,
      listTable(
        'admin-household-list',
        ['admin.id', 'admin.community', 'admin.address', 'admin.elderCount', 'admin.gatewayCount'],
        data.households.map((x) =>
          h(
            'tr',
            { data: { id: x.id } },
            h('td', null, h('code', null, x.id)),
            h('td', null, names.get(x.region) ?? x.regionName),
            h('td', null, x.address),
            h('td', { class: 'num' }, x.elders),
            h('td', { class: 'num' }, x.gateways),
          ),
        ),
      ),
    );
  }
}

export class EldersSection implements AdminSection {
  readonly el: HTMLElement;
  readonly #list = h('div');
  readonly #household: Field;

  constructor(host: AdminHost) {
    const id = field(
      'id',
      t('admin.id'),
      input('text', { required: true }),
      'admin-elder-id',
      t('admin.idHint'),
    );
    const household = select([]);
    household.required = true;
    this.#household = field('householdId', t('admin.household'), household, 'admin-elder-household');
    const name = field('name', t('admin.elderName'), input('text', { required: true }), 'admin-elder-name');
    const parts = form(
      'admin-elder-form',
      [id, this.#household, name],
      t('admin.create'),
      async () => {
        const body = {
          id: id.control.value.trim(),
          householdId: household.value,
          name: name.control.value.trim(),
        };
        await post('/api/elders', body);
        id.control.value = '';
        name.control.value = '';
        await host.reload();
        return t('admin.created', { id: body.id });
      },
      { conflict: 'id' },
    );
    this.el = skeleton('admin-elders', 'admin.elders', this.#list, 'admin.newElder', parts.form);
  }

  update(data: AdminData): void {
    refill(
      this.#household.control as HTMLSelectElement,
      data.households.map((x) => [x.id, `${x.id} · ${x.address}`]),
    );
    fill(
      this.#list,
      listTable(
        'admin-elder-list',
        ['admin.id', 'admin.elderName', 'admin.household', 'admin.address'],
        data.elders.map((e) =>
          h(
            'tr',
            { data: { id: e.id } },
            h('td', null, h('code', null, e.id)),
            h('td', null, e.name),
            h('td', null, h('code', null, e.householdId)),
            h('td', null, e.address),
          ),
        ),
      ),
    );
  }
}
