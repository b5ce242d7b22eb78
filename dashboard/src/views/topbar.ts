import { acknowledge } from '../actions.ts';
import type { AppContext } from '../context.ts';
import { fill, h } from '../dom.ts';
import { alertWhat, clock } from '../format.ts';
import { label, lang, setLang, t } from '../i18n/i18n.ts';
import type { StringKey } from '../i18n/strings.ts';

export interface NavItem {
  route: string;
  key: StringKey;
}

/** What a user may open: everyone the queue, services, figures and devices; staff the watch list; wider scopes the regions; admins the simulator and administration. */
export function navItems(ctx: AppContext): NavItem[] {
  const items: NavItem[] = [
    { route: '#/queue', key: 'nav.queue' },
    { route: '#/services', key: 'nav.services' },
  ];
  // The watch list is for staff; a family account never gets this far, but the route refuses it too.
  if (ctx.user.role !== 'family') items.push({ route: '#/watch', key: 'nav.watch' });
  if (ctx.regions.level(ctx.user.scope) !== 'community')
    items.push({ route: '#/regions', key: 'nav.regions' });
  items.push({ route: '#/figures', key: 'nav.figures' }, { route: '#/devices', key: 'nav.devices' });
  if (ctx.user.role === 'admin')
    items.push({ route: '#/sim', key: 'nav.sim' }, { route: '#/admin', key: 'nav.admin' });
  return items;
}

export interface TopBarHandlers {
  startShift(): void;
  logout(): void;
  toggleWall(): void;
  help(): void;
}

/**
 * The bar over every screen (title, navigation, shift, counts, language, user) and the two banners under
 * it: disconnected, and the visual alarm for critical alerts nobody has acknowledged yet.
 */
export class TopBar {
  readonly el = h('div', { class: 'chrome' });
  readonly #ctx: AppContext;
  readonly #bar = h('header', { class: 'topbar' });
  readonly #banner = h('div', {
    class: 'banner',
    role: 'status',
    testid: 'disconnected-banner',
    hidden: true,
  });
  readonly #alarm = h('div', { class: 'alarmbar', role: 'alert', testid: 'alarm-banner', hidden: true });
  readonly handlers: TopBarHandlers;
  #route = '#/queue';
  /** Null until the socket first answers: no banner, but not `live` either. */
  #connected: boolean | null = null;

  constructor(ctx: AppContext, handlers: TopBarHandlers) {
    this.#ctx = ctx;
    this.handlers = handlers;
    this.el.append(this.#bar, this.#banner, this.#alarm);
    this.render();
  }

  setRoute(route: string): void {
    this.#route = route;
    this.render();
  }

  setConnected(connected: boolean): void {
    this.#connected = connected;
    this.#showConnection();
  }

  #showConnection(): void {
    const c = this.#connected;
    this.#banner.hidden = c !== false;
    this.#banner.textContent = t('banner.disconnected');
    // For tests and a wall display's watchdog: `live` once the socket is up.
    this.el.dataset.live = c === null ? 'connecting' : c ? 'live' : 'offline';
  }

  render(): void {
    const ctx = this.#ctx;
    const wall = this.#route === '#/wall';
    const active = this.#route.startsWith('#/alert/') ? '#/queue' : this.#route;
    const shift = ctx.alarm.armed
      ? h('span', { class: 'on-shift', testid: 'on-shift' }, t('shift.on'))
      : h(
          'button',
          {
            type: 'button',
            class: 'shift',
            testid: 'start-shift',
            onClick: () => this.handlers.startShift(),
          },
          t('shift.start'),
        );
    fill(
      this.#bar,
      h('h1', null, t('app.title')),
      !wall &&
        h(
          'nav',
          null,
          navItems(ctx).map((item) =>
            h(
              'a',
              {
                href: item.route,
                class: item.route === active ? 'active' : '',
                testid: `nav-${item.route.slice(2)}`,
              },
              t(item.key),
              item.route === '#/services' && h('span', { class: 'nav-badge', testid: 'services-waiting' }),
            ),
          ),
        ),
      h('div', { class: 'spacer' }),
      shift,
      h('span', { class: 'open-count', testid: 'open-count' }),
      h(
        'button',
        { type: 'button', class: 'ghost', testid: 'wall-toggle', onClick: () => this.handlers.toggleWall() },
        wall ? t('nav.queue') : t('nav.wall'),
      ),
      !wall &&
        h(
          'button',
          {
            type: 'button',
            class: 'ghost',
            testid: 'lang-switch',
            title: t('lang.switchTitle'),
            onClick: () => setLang(lang() === 'zh' ? 'en' : 'zh'),
          },
          t('lang.switch'),
        ),
      !wall &&
        h(
          'button',
          {
            type: 'button',
            class: 'ghost',
            testid: 'help-button',
            title: '?',
            onClick: () => this.handlers.help(),
          },
          '?',
        ),
      h(
        'span',
        { class: 'who', testid: 'current-user' },
        `${ctx.user.username} · ${label('role', ctx.user.role)} · ${ctx.regions.name(ctx.user.scope)}`,
      ),
      !wall &&
        h(
          'button',
          { type: 'button', class: 'ghost', testid: 'logout-button', onClick: () => this.handlers.logout() },
          t('logout'),
        ),
    );
    this.#showConnection();
    this.update();
  }

  /** Every second: the alarm banner's waiting time only, so its buttons are never swapped under a click. */
  tick(now = Date.now()): void {
    const age = this.#alarm.querySelector('.alarm-age');
    const first = this.#ctx.queue.get(this.#alarm.dataset.alertId ?? '');
    if (age && first) age.textContent = clock(now - Date.parse(first.raisedAt));
    this.#alarm.classList.toggle('ringing', this.#ctx.alarm.state.ringing);
  }

  /** Counts, title and the alarm banner, after every queue change. */
  update(now = Date.now()): void {
    const alerts = this.#ctx.queue.sorted();
    const open = alerts.filter((a) => a.state === 'open').length;
    const count = this.#bar.querySelector<HTMLElement>('[data-testid="open-count"]');
    if (count) {
      count.textContent = t('openCount', { n: open });
      count.classList.toggle('has-open', open > 0);
    }
    const waiting = this.#ctx.services.waiting();
    const badge = this.#bar.querySelector<HTMLElement>('[data-testid="services-waiting"]');
    if (badge) {
      badge.textContent = waiting > 0 ? ` ${waiting}` : '';
      badge.hidden = waiting === 0;
    }
    document.title =
      open > 0
        ? `(${open}) ${t('app.titleShort')} · ${t('app.title')}`
        : `${t('app.titleShort')} · ${t('app.title')}`;
    this.#renderAlarm(now);
  }

  #renderAlarm(now: number): void {
    const waiting = this.#ctx.queue.sorted().filter((a) => a.severity === 'critical' && a.state === 'open');
    const first = waiting[0];
    this.#alarm.hidden = !first;
    this.#alarm.classList.toggle('ringing', this.#ctx.alarm.state.ringing);
    if (!first) return;
    this.#alarm.dataset.alertId = first.id;
    fill(
      this.#alarm,
      h('span', { class: 'alarm-dot' }),
      h('strong', null, t('alarm.critical')),
      h(
        'span',
        { class: 'alarm-what' },
        `${alertWhat(first)} · ${first.elderName ?? first.elderId} · ${first.address ?? ''}`,
      ),
      h('span', { class: 'alarm-age' }, clock(now - Date.parse(first.raisedAt))),
      waiting.length > 1 && h('span', { class: 'alarm-more' }, t('alarm.more', { n: waiting.length - 1 })),
      !this.#ctx.alarm.armed && h('span', { class: 'alarm-hint' }, t('shift.needed')),
      h('span', { class: 'spacer' }),
      h(
        'button',
        {
          type: 'button',
          class: 'ghost light',
          testid: 'alarm-open',
          onClick: () => this.#ctx.navigate(`#/alert/${encodeURIComponent(first.id)}`),
        },
        '→',
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'ack light',
          testid: 'alarm-ack',
          onClick: () => void acknowledge(this.#ctx, first.id),
        },
        t('queue.ack'),
      ),
    );
  }
}
