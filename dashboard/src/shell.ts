import { Alarm } from './alarm.ts';
import { getOptional } from './api.ts';
import { type AppContext, Notices, RegionIndex, type View } from './context.ts';
import { h } from './dom.ts';
import { onLangChange, t } from './i18n/i18n.ts';
import { bindKeys } from './keys.ts';
import { LiveLink } from './live.ts';
import { AlertQueue, type QueueChange } from './queue-store.ts';
import { ServiceQueue } from './service-store.ts';
import type { RegionSummary, SessionUser } from './types.ts';
import { AdminPage } from './views/admin-page.ts';
import { DevicesPage } from './views/devices-page.ts';
import { FiguresPage } from './views/figures-page.ts';
import { helpOverlay } from './views/help.ts';
import { QueuePage } from './views/queue-page.ts';
import { RegionsPage } from './views/regions-page.ts';
import { ServicesPage } from './views/services-page.ts';
import { SimPage } from './views/sim-page.ts';
import { TopBar } from './views/topbar.ts';
import { WatchPage } from './views/watch-page.ts';

/** Everything after sign-in: the live link, the alarm, the top bar, and one screen at a time by hash route. */
export class Shell {
  readonly el = h('div', { class: 'shell' });
  readonly ctx: AppContext;
  readonly #main = h('main');
  readonly #live: LiveLink;
  readonly #top: TopBar;
  #view: View | null = null;
  #route = '';
  #help: HTMLElement | null = null;
  readonly #cleanups: (() => void)[] = [];

  constructor(user: SessionUser, token: string, leave: (notice?: string) => void) {
    const queue = new AlertQueue();
    const services = new ServiceQueue();
    const alarm = new Alarm(() => this.#top?.tick());
    this.ctx = {
      user,
      queue,
      services,
      alarm,
      notices: new Notices(),
      regions: new RegionIndex(),
      navigate: (route) => {
        if (location.hash !== route) location.hash = route;
        else this.#onRoute();
      },
      resync: () => void this.#live.resync(),
    };
    this.#top = new TopBar(this.ctx, {
      startShift: () => void this.#startShift(),
      logout: () => leave(),
      toggleWall: () => this.ctx.navigate(this.#route === '#/wall' ? '#/queue' : '#/wall'),
      help: () => this.#toggleHelp(),
    });
    this.#live = new LiveLink({
      token,
      queue,
      services,
      onConnection: (connected) => this.#top.setConnected(connected),
      onSyncError: (status) => this.#syncError(status),
      onExpired: () => leave(t('login.expired')),
    });
    this.el.append(this.#top.el, this.#main);
  }

  start(): void {
    const { queue, alarm } = this.ctx;
    const onHash = (): void => this.#onRoute();
    window.addEventListener('hashchange', onHash);
    const tick = setInterval(() => this.#top.tick(), 1000);
    this.#cleanups.push(
      () => window.removeEventListener('hashchange', onHash),
      () => clearInterval(tick),
      queue.subscribe((change) => this.#onQueue(change)),
      this.ctx.services.subscribe(() => this.#top.update()),
      onLangChange(() => this.#top.render()),
      bindKeys(this),
    );
    this.#live.start();
    this.#onRoute();
    void this.#loadRegions();
    this.#cleanups.push(() => alarm.stop());
  }

  stop(): void {
    this.#live.stop();
    this.#view?.stop();
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
  }

  get queuePage(): QueuePage | null {
    return this.#view instanceof QueuePage ? this.#view : null;
  }

  get route(): string {
    return this.#route;
  }

  get helpOpen(): boolean {
    return this.#help !== null;
  }

  #toggleHelp(): void {
    if (this.#help) {
      this.#help.remove();
      this.#help = null;
      return;
    }
    this.#help = helpOverlay(() => this.#toggleHelp());
    this.el.append(this.#help);
  }

  closeHelp(): void {
    if (this.#help) this.#toggleHelp();
  }

  openHelp(): void {
    if (!this.#help) this.#toggleHelp();
  }

  async #startShift(): Promise<void> {
    await this.ctx.alarm.arm();
    this.#top.render();
    this.#ringIfNeeded(true);
  }

  #onQueue(change: QueueChange): void {
    const freshCritical = change.added.some((a) => a.severity === 'critical' && a.state === 'open');
    if (!freshCritical && change.added.some((a) => a.severity === 'high' && a.state === 'open'))
      this.ctx.alarm.chime();
    this.#ringIfNeeded(freshCritical);
    this.#top.update();
  }

  #ringIfNeeded(fresh: boolean): void {
    const waiting = this.ctx.queue
      .sorted()
      .filter((a) => a.severity === 'critical' && a.state === 'open').length;
    this.ctx.alarm.update(waiting, fresh);
    this.#top.tick();
  }

  #syncError(status: number | null): void {
    this.#main.querySelector('.sync-error')?.remove();
    if (status !== null)
      this.#main.prepend(
        h('p', { class: 'error sync-error', role: 'alert', testid: 'queue-error' }, t('queue.loadError')),
      );
  }

  async #loadRegions(): Promise<void> {
    // Without the region list (an older server) names stay ids and the level comes from the id's depth.
    const regions = await getOptional<RegionSummary[]>('/api/regions').catch(() => null);
    if (!regions?.length) return;
    this.ctx.regions.load(regions);
    this.#top.render();
    if (this.#view && !(this.#view instanceof QueuePage && this.#view.detailOpen))
      this.#mount(this.#route, true);
  }

  #onRoute(): void {
    const route = location.hash || '#/queue';
    const alert = /^#\/alert\/(.+)$/.exec(route);
    if (alert?.[1]) {
      if (!(this.#view instanceof QueuePage) || this.#route === '#/wall') this.#mount('#/queue');
      this.#route = route;
      this.#top.setRoute(route);
      this.queuePage?.showDetail(decodeURIComponent(alert[1]));
      return;
    }
    this.#mount(route);
  }

  #mount(route: string, force = false): void {
    const known = [
      '#/queue',
      '#/services',
      '#/watch',
      '#/wall',
      '#/regions',
      '#/figures',
      '#/devices',
      '#/sim',
      '#/admin',
    ];
    let target = known.includes(route) ? route : '#/queue';
    if ((target === '#/sim' || target === '#/admin') && this.ctx.user.role !== 'admin') target = '#/queue';
    if (target === '#/queue' && this.#view instanceof QueuePage && this.#route !== '#/wall' && !force) {
      this.#view.showDetail(null);
    } else {
      this.#view?.stop();
      this.#view = this.#create(target);
      this.#main.replaceChildren(this.#view.el);
    }
    this.#route = target;
    document.documentElement.classList.toggle('wall', target === '#/wall');
    this.#top.setRoute(target);
  }

  #create(route: string): View {
    switch (route) {
      case '#/wall':
        return new QueuePage(this.ctx, { wall: true });
      case '#/services':
        return new ServicesPage(this.ctx);
      case '#/watch':
        return new WatchPage(this.ctx);
      case '#/regions':
        return new RegionsPage(this.ctx);
      case '#/figures':
        return new FiguresPage(this.ctx);
      case '#/devices':
        return new DevicesPage(this.ctx);
      case '#/sim':
        return new SimPage(this.ctx);
      case '#/admin':
        return new AdminPage(this.ctx);
      default:
        return new QueuePage(this.ctx, { wall: false });
    }
  }
}
