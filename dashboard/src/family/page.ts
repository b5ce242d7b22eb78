import { h } from '../dom.ts';
import { lang, onLangChange, setLang, t } from '../i18n/i18n.ts';
import { ElderCard } from './elder-card.ts';
import { FamilyLive } from './live.ts';
import { settingsPanel } from './settings.ts';
import { ft } from './strings.ts';
import type { FamilyElder } from './types.ts';

/** `#/alerts/<id>`: the link of a notification, pointing at one alert. */
function linkedAlert(): string | null {
  const match = /^#\/alerts\/([^/?#]+)/.exec(location.hash);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

/**
 * A signed-in family member's page: one card per elder, kept live by the socket, with the settings
 * panel behind a button. `stop` undoes the socket, timers and listeners.
 */
export class FamilyPage {
  readonly el: HTMLElement;
  readonly #username: string;
  readonly #live: FamilyLive;
  readonly #cards = new Map<string, ElderCard>();
  readonly #main = h(
    'main',
    { class: 'cards', testid: 'elder-cards' },
    h('p', { class: 'muted' }, ft('loading')),
  );
  readonly #banner = h('div', {
    class: 'banner',
    testid: 'disconnected-banner',
    role: 'alert',
    hidden: true,
  });
  readonly #settings = h('div', { hidden: true });
  readonly #unlang: () => void;
  #elders: FamilyElder[] | null = null;
  #focused: string | null = null;
  readonly #onHash = (): void => this.#focusLinked();

  constructor(username: string, token: string, onLogout: () => void, onExpired: () => void) {
    this.#username = username;
    this.#live = new FamilyLive({
      token,
      onElders: (elders) => this.#render(elders),
      onConnection: (up) => {
        this.#banner.hidden = up;
        this.el.dataset.live = up ? 'live' : 'down';
      },
      onExpired,
    });
    this.el = h('div', { class: 'family', data: { live: 'connecting' } });
    this.#build(onLogout);
    this.#unlang = onLangChange(() => {
      // Every label changes: rebuild everything from the last answer.
      this.#cards.clear();
      this.#build(onLogout);
      if (this.#elders) this.#render(this.#elders);
    });
  }

  start(): void {
    this.#live.start();
    window.addEventListener('hashchange', this.#onHash);
  }

  stop(): void {
    this.#live.stop();
    this.#unlang();
    window.removeEventListener('hashchange', this.#onHash);
  }

  #build(onLogout: () => void): void {
    this.#banner.textContent = ft('disconnected');
    this.#settings.replaceChildren(settingsPanel(this.#username));
    const toggle = (): void => {
      this.#settings.hidden = !this.#settings.hidden;
      if (!this.#settings.hidden) this.#settings.scrollIntoView({ behavior: 'smooth' });
    };
    this.el.replaceChildren(
      h(
        'header',
        { class: 'top' },
        h('h1', null, ft('title')),
        h('span', { class: 'user', testid: 'current-user' }, this.#username),
        h(
          'button',
          {
            type: 'button',
            class: 'link',
            testid: 'lang-switch',
            onClick: () => setLang(lang() === 'zh' ? 'en' : 'zh'),
          },
          t('lang.switch'),
        ),
        h(
          'button',
          { type: 'button', class: 'link', testid: 'settings-toggle', onClick: toggle },
          ft('settings'),
        ),
        h(
          'button',
          { type: 'button', class: 'link', testid: 'logout-button', onClick: onLogout },
          ft('logout'),
        ),
      ),
      this.#banner,
      this.#main,
      this.#settings,
    );
  }

  #render(elders: FamilyElder[]): void {
    this.#elders = elders;
    if (elders.length === 0) {
      this.#main.replaceChildren(h('p', { class: 'muted' }, ft('noElders')));
      return;
    }
    const ids = new Set(elders.map((e) => e.id));
    for (const id of this.#cards.keys()) if (!ids.has(id)) this.#cards.delete(id);
    const els = elders.map((elder) => {
      let card = this.#cards.get(elder.id);
      if (card) card.update(elder);
      else {
        card = new ElderCard(elder, this.#username);
        this.#cards.set(elder.id, card);
      }
      return card.el;
    });
    const current = [...this.#main.children];
    if (current.length !== els.length || current.some((el, i) => el !== els[i]))
      this.#main.replaceChildren(...els);
    this.#focusLinked();
  }

  /** Brings the alert of a notification's link into view, once per link. */
  #focusLinked(): void {
    const id = linkedAlert();
    if (!id || id === this.#focused) return;
    for (const card of this.#cards.values()) {
      const block = card.block(id);
      if (!block) continue;
      this.#focused = id;
      block.el.classList.add('linked');
      block.el.scrollIntoView({ block: 'center' });
    }
  }
}
