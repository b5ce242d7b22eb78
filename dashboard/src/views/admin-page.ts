import { get, statusOf } from '../api.ts';
import type { AppContext, View } from '../context.ts';
import { fill, h } from '../dom.ts';
import { onLangChange, t } from '../i18n/i18n.ts';
import type { StringKey } from '../i18n/strings.ts';
import type { ElderListing, GatewayListing, HouseholdListing, RegionSummary, UserView } from '../types.ts';
import { GatewaysSection } from './admin-gateways.ts';
import { ImportSection } from './admin-import.ts';
import { EldersSection, HouseholdsSection, RegionsSection } from './admin-registry.ts';
import { UsersSection } from './admin-users.ts';

/** Everything the admin page lists, all inside the admin's region. */
export interface AdminData {
  regions: RegionSummary[];
  households: HouseholdListing[];
  elders: ElderListing[];
  gateways: GatewayListing[];
  users: UserView[];
}

/** One tab of the admin page: built once, refreshed with every reload of the lists. */
export interface AdminSection {
  readonly el: HTMLElement;
  update(data: AdminData): void;
}

/** What a section may ask of the page. */
export interface AdminHost {
  ctx: AppContext;
  /** Re-reads every list (after a change). */
  reload(): Promise<void>;
  /** Shows a gateway's new secret, once, until the admin says it is saved. */
  showSecret(gatewayId: string, secret: string): void;
}

const TABS = ['regions', 'households', 'elders', 'gateways', 'users', 'import'] as const;
type Tab = (typeof TABS)[number];

/**
 * For admins: the installers' provisioning (regions, households, elders, gateways with their secrets),
 * user accounts and CSV import, all inside the admin's region. One tab shows at a time; the others keep
 * what was typed into them.
 */
export class AdminPage implements View, AdminHost {
  readonly el = h('div', { class: 'page admin-page', testid: 'admin-page' });
  readonly ctx: AppContext;
  #tab: Tab = 'households';
  #sections = new Map<Tab, AdminSection>();
  #data: AdminData | null = null;
  #secret: { gatewayId: string; secret: string; copied: string } | null = null;
  readonly #secretBox = h('div', {
    class: 'secret-once',
    testid: 'admin-secret',
    role: 'region',
    hidden: true,
  });
  readonly #error = h('p', { class: 'error', role: 'alert', testid: 'admin-error' });
  readonly #tabs = h('div', { class: 'segmented', role: 'group' });
  readonly #body = h('div', { class: 'admin-body' });
  #stopped = false;
  readonly #unlang: () => void;

  constructor(ctx: AppContext) {
    this.ctx = ctx;
    this.#unlang = onLangChange(() => this.#build());
    this.#build();
    void this.reload();
  }

  /** (Re)builds every section in the current language; a language switch drops half-typed forms only. */
  #build(): void {
    this.#sections = new Map<Tab, AdminSection>([
      ['regions', new RegionsSection(this)],
      ['households', new HouseholdsSection(this)],
      ['elders', new EldersSection(this)],
      ['gateways', new GatewaysSection(this)],
      ['users', new UsersSection(this)],
      ['import', new ImportSection(this)],
    ]);
    this.#tabs.setAttribute('aria-label', t('admin.sections'));
    fill(
      this.el,
      h('div', { class: 'page-head' }, h('h2', null, t('admin.heading')), this.#tabs),
      this.#error,
      this.#secretBox,
      this.#body,
    );
    fill(
      this.#body,
      [...this.#sections.values()].map((s) => s.el),
    );
    if (this.#data) for (const s of this.#sections.values()) s.update(this.#data);
    this.#renderSecret();
    this.#show(this.#tab);
  }

  #show(tab: Tab): void {
    this.#tab = tab;
    fill(
      this.#tabs,
      TABS.map((name) =>
        h(
          'button',
          {
            type: 'button',
            class: name === tab ? 'on' : '',
            testid: `admin-tab-${name}`,
            attrs: { 'aria-pressed': String(name === tab) },
            onClick: () => this.#show(name),
          },
          t(`admin.${name}` as StringKey),
        ),
      ),
    );
    for (const [name, section] of this.#sections) section.el.hidden = name !== tab;
  }

  async reload(): Promise<void> {
    try {
      const [regions, households, elders, gateways, users] = await Promise.all([
        get<RegionSummary[]>('/api/regions'),
        get<HouseholdListing[]>('/api/households'),
        get<ElderListing[]>('/api/elders'),
        get<GatewayListing[]>('/api/gateways'),
        get<UserView[]>('/api/users'),
      ]);
      if (this.#stopped) return;
      this.#data = { regions, households, elders, gateways, users };
      this.#error.textContent = '';
      this.ctx.regions.load(regions);
      for (const s of this.#sections.values()) s.update(this.#data);
    } catch (err) {
      if (!this.#stopped) this.#error.textContent = t('admin.loadError', { status: statusOf(err) });
    }
  }

  showSecret(gatewayId: string, secret: string): void {
    this.#secret = { gatewayId, secret, copied: '' };
    this.#renderSecret();
    this.#secretBox.querySelector<HTMLButtonElement>('[data-testid="admin-secret-copy"]')?.focus();
  }

  #renderSecret(): void {
    const s = this.#secret;
    this.#secretBox.hidden = !s;
    if (!s) {
      this.#secretBox.replaceChildren();
      return;
    }
    const value = h('input', {
      type: 'text',
      class: 'secret-value',
      testid: 'admin-secret-value',
      value: s.secret,
    });
    value.readOnly = true;
    value.setAttribute('aria-label', t('admin.secretTitle', { id: s.gatewayId }));
    const copied = h(
      'span',
      { class: 'action-status ok', role: 'status', testid: 'admin-secret-copied' },
      s.copied,
    );
    const copy = async (): Promise<void> => {
      try {
        await navigator.clipboard.writeText(s.secret);
        s.copied = t('admin.copied');
      } catch {
        value.select();
        s.copied = t('admin.copyFailed');
      }
      copied.textContent = s.copied;
    };
    fill(
      this.#secretBox,
      h('h3', null, t('admin.secretTitle', { id: s.gatewayId })),
      h('p', { class: 'warn-text', testid: 'admin-secret-once' }, t('admin.secretOnce')),
      h(
        'div',
        { class: 'secret-row' },
        value,
        h(
          'button',
          { type: 'button', testid: 'admin-secret-copy', onClick: () => void copy() },
          t('admin.copy'),
        ),
        copied,
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          testid: 'admin-secret-done',
          onClick: () => {
            // Forgotten here too: the page keeps the secret no longer than the admin needs it.
            this.#secret = null;
            this.#renderSecret();
          },
        },
        t('admin.secretDone'),
      ),
    );
  }

  stop(): void {
    this.#stopped = true;
    this.#secret = null;
    this.#unlang();
  }
}
