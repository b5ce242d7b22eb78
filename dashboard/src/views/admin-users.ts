import { ROLES } from '../../../protocol/alerts.ts';
import { enc, patch, post } from '../api.ts';
import { fill, h } from '../dom.ts';
import { label, t } from '../i18n/i18n.ts';
import type { RegionSummary, UserView } from '../types.ts';
import { type Field, field, form, input, problemText, refill, select } from './admin-form.ts';
import type { AdminData, AdminHost, AdminSection } from './admin-page.ts';
import { listTable } from './admin-registry.ts';

const ROLE_OPTIONS = (): [string, string][] => ROLES.map((r) => [r, label('role', r)]);
const regionOptions = (regions: RegionSummary[]): [string, string][] =>
  regions.map((r) => [r.id, `${r.name} (${r.id})`]);
const elderList = (text: string): string[] =>
  text
    .split(/[,，\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** Role, region and elders: the part of a user that the create and the edit form share. */
class Placement {
  readonly role: Field;
  readonly scope: Field;
  readonly elders: Field;

  constructor(prefix: string, user?: UserView) {
    const role = select(ROLE_OPTIONS(), true);
    this.role = field('role', t('admin.role'), role, `${prefix}-role`);
    this.scope = field('scope', t('admin.scope'), select([]), `${prefix}-scope`);
    this.elders = field(
      'elderIds',
      t('admin.elderIds'),
      input('text'),
      `${prefix}-elders`,
      t('admin.elderIdsHint'),
    );
    if (user) {
      role.value = user.role;
      this.elders.control.value = (user.elderIds ?? []).join(', ');
    }
    role.addEventListener('change', () => this.#toggle());
    this.#toggle();
  }

  /** Staff have a region, family members follow elders: only the one that applies is shown. */
  #toggle(): void {
    const family = this.role.control.value === 'family';
    this.scope.el.hidden = family;
    this.elders.el.hidden = !family;
  }

  regions(regions: RegionSummary[], chosen?: string): void {
    const scope = this.scope.control as HTMLSelectElement;
    refill(scope, regionOptions(regions));
    if (chosen) scope.value = chosen;
  }

  body(): Record<string, unknown> {
    const role = this.role.control.value;
    return role === 'family'
      ? { role, elderIds: elderList(this.elders.control.value) }
      : { role, scope: this.scope.control.value || undefined };
  }

  get fields(): Field[] {
    return [this.role, this.scope, this.elders];
  }
}

/** User accounts in the admin's region: create, change role and region, disable or enable, reset a password. */
export class UsersSection implements AdminSection {
  readonly el: HTMLElement;
  readonly #host: AdminHost;
  readonly #list = h('div');
  readonly #editor = h('div', { class: 'card user-editor', testid: 'admin-user-editor', hidden: true });
  readonly #rowStatus = h('p', { class: 'action-status', role: 'status', testid: 'admin-user-status' });
  readonly #create: Placement;
  #regions: RegionSummary[] = [];

  constructor(host: AdminHost) {
    this.#host = host;
    const username = field(
      'username',
      t('admin.username'),
      input('text', { required: true }),
      'admin-user-username',
      t('admin.idHint'),
    );
    const password = field(
      'password',
      t('admin.password'),
      input('password', { required: true, autocomplete: 'new-password' }),
      'admin-user-password',
      t('admin.passwordHint'),
    );
    this.#create = new Placement('admin-user');
    const parts = form(
      'admin-user-form',
      [username, password, ...this.#create.fields],
      t('admin.create'),
      async () => {
        const name = username.control.value.trim();
        await post('/api/users', {
          username: name,
          password: password.control.value,
          ...this.#create.body(),
        });
        username.control.value = '';
        password.control.value = '';
        await host.reload();
        return t('admin.created', { id: name });
      },
      { conflict: 'username' },
    );
    this.el = h(
      'section',
      { class: 'admin-section', testid: 'admin-users', attrs: { 'aria-label': t('admin.users') } },
      h('div', { class: 'card' }, h('h3', null, t('admin.newUser')), parts.form),
      this.#editor,
      h('div', { class: 'card' }, h('h3', null, t('admin.users')), this.#rowStatus, this.#list),
    );
  }

  update(data: AdminData): void {
    this.#regions = data.regions;
    this.#create.regions(data.regions);
    fill(
      this.#list,
      listTable(
        'admin-user-list',
        ['admin.username', 'admin.role', 'admin.scope', 'admin.status', 'admin.actions'],
        data.users.map((u) => this.#row(u)),
      ),
    );
  }

  #row(u: UserView): HTMLElement {
    const self = u.username === this.#host.ctx.user.username;
    const where = u.role === 'family' ? (u.elderIds ?? []).join(', ') : this.#host.ctx.regions.name(u.scope);
    const button = (testid: string, text: string, onClick: () => void, cls = 'secondary') =>
      h('button', { type: 'button', class: cls, testid, onClick }, text);
    return h(
      'tr',
      { testid: 'admin-user-row', data: { username: u.username, disabled: String(u.disabled) } },
      h('td', null, h('code', null, u.username), self && ` ${t('admin.you')}`),
      h('td', null, label('role', u.role)),
      h('td', null, where),
      h(
        'td',
        null,
        u.disabled ? h('strong', { class: 'warn-text' }, t('admin.disabled')) : t('admin.enabled'),
      ),
      h(
        'td',
        { class: 'row-actions' },
        !self && button('admin-user-edit', t('admin.edit'), () => this.#edit(u)),
        !self &&
          (u.disabled
            ? button('admin-user-enable', t('admin.enable'), () => void this.#setDisabled(u, false))
            : button(
                'admin-user-disable',
                t('admin.disable'),
                () => void this.#setDisabled(u, true),
                'danger',
              )),
        button('admin-user-reset', t('admin.resetPassword'), () => this.#reset(u)),
      ),
    );
  }

  async #setDisabled(u: UserView, disabled: boolean): Promise<void> {
    this.#rowStatus.className = 'action-status';
    try {
      await patch(`/api/users/${enc(u.username)}`, { disabled });
      this.#rowStatus.textContent = t(disabled ? 'admin.disabledDone' : 'admin.enabledDone', {
        username: u.username,
      });
      this.#rowStatus.classList.add('ok');
      await this.#host.reload();
    } catch (err) {
      this.#rowStatus.textContent = problemText(err);
      this.#rowStatus.classList.add('warn');
    }
  }

  /** The editor card: role and region (or elders) of one user. */
  #edit(u: UserView): void {
    const placement = new Placement('admin-edit', u);
    placement.regions(this.#regions, u.role === 'family' ? undefined : u.scope);
    const parts = form('admin-edit-form', placement.fields, t('admin.save'), async () => {
      await patch(`/api/users/${enc(u.username)}`, placement.body());
      this.#close();
      await this.#host.reload();
      return t('admin.saved', { id: u.username });
    });
    this.#open(t('admin.editUser', { username: u.username }), parts.form, placement.role.control);
  }

  #reset(u: UserView): void {
    const password = field(
      'password',
      t('admin.newPassword'),
      input('password', { required: true, autocomplete: 'new-password' }),
      'admin-reset-password',
      t('admin.passwordHint'),
    );
    const parts = form('admin-reset-form', [password], t('admin.save'), async () => {
      await post(`/api/users/${enc(u.username)}/password`, { password: password.control.value });
      this.#close();
      this.#rowStatus.className = 'action-status ok';
      this.#rowStatus.textContent = t('admin.passwordReset', { username: u.username });
      return '';
    });
    this.#open(t('admin.resetFor', { username: u.username }), parts.form, password.control);
  }

  #open(heading: string, body: HTMLElement, focus: HTMLElement): void {
    const cancel = h(
      'button',
      { type: 'button', class: 'secondary', testid: 'admin-editor-cancel', onClick: () => this.#close() },
      t('admin.cancel'),
    );
    body.querySelector('.form-actions')?.append(cancel);
    fill(this.#editor, h('h3', null, heading), body);
    this.#editor.hidden = false;
    focus.focus();
  }

  #close(): void {
    this.#editor.hidden = true;
    this.#editor.replaceChildren();
  }
}
