import { enc, getOptional, post, statusOf } from '../api.ts';
import type { AppContext, View } from '../context.ts';
import { fill, h } from '../dom.ts';
import { onLangChange, t } from '../i18n/i18n.ts';
import type { StringKey } from '../i18n/strings.ts';
import type { SimHome } from '../types.ts';

const ACTIONS = [
  'sos',
  'fall',
  'fall_cleared',
  'vitals_high',
  'vitals_low_spo2',
  'power_cut',
  'power_restore',
  'smoke',
  'gas',
  'water_leak',
  'door_open',
  'service_request',
] as const;
type SimAction = (typeof ACTIONS)[number];
const DANGER: ReadonlySet<SimAction> = new Set<SimAction>(['sos', 'fall', 'smoke', 'gas']);

/**
 * For testers (admin only): make a simulated home press SOS, fall, go out of range, lose power, smell
 * smoke or gas, flood, open its door, or press the green key.
 */
export class SimPage implements View {
  readonly el = h('div', { class: 'page sim-page', testid: 'sim-page' });
  #homes: SimHome[] | null = null;
  #selected = '';
  #message = '';
  #loaded = false;
  #stopped = false;
  readonly #unlang: () => void;

  constructor(_ctx: AppContext) {
    this.#unlang = onLangChange(() => this.#render());
    this.#render();
    void this.#load();
  }

  async #load(): Promise<void> {
    const homes = await getOptional<SimHome[]>('/api/sim/homes').catch(() => null);
    if (this.#stopped) return;
    this.#homes = homes;
    this.#loaded = true;
    if (!this.#selected || !homes?.some((home) => home.gatewayId === this.#selected))
      this.#selected = homes?.[0]?.gatewayId ?? '';
    this.#render();
  }

  async #send(action: SimAction, button: HTMLButtonElement): Promise<void> {
    const gw = this.#selected;
    if (!gw) return;
    const name = t(`sim.${action}` as StringKey);
    button.disabled = true;
    try {
      await post(`/api/sim/homes/${enc(gw)}/${action}`, {});
      this.#message = t('sim.sent', { action: name, gw });
    } catch (err) {
      this.#message = t('sim.failed', { action: name, status: statusOf(err) });
    }
    if (this.#stopped) return;
    await this.#load(); // the power state changes with power_cut / power_restore
  }

  #render(): void {
    const homes = this.#homes ?? [];
    const home = homes.find((x) => x.gatewayId === this.#selected);
    const select = h(
      'select',
      {
        testid: 'sim-home',
        onChange: (event) => {
          this.#selected = (event.target as HTMLSelectElement).value;
          this.#render();
        },
      },
      homes.map((x) =>
        h('option', { value: x.gatewayId }, `${x.gatewayId} · ${x.elderNames.join('、')} · ${x.address}`),
      ),
    );
    select.value = this.#selected;
    const status =
      home &&
      h(
        'p',
        { class: 'muted', testid: 'sim-status' },
        `${home.connected ? t('sim.connected') : t('sim.disconnected')} · ${home.powered ? t('sim.powered') : t('sim.unpowered')}`,
      );
    const buttons = h(
      'div',
      { class: 'sim-actions' },
      ACTIONS.map((action) => {
        const button: HTMLButtonElement = h(
          'button',
          {
            type: 'button',
            class: DANGER.has(action) ? 'danger' : 'secondary',
            testid: `sim-${action}`,
            disabled: !home,
            onClick: () => void this.#send(action, button),
          },
          t(`sim.${action}` as StringKey),
        );
        return button;
      }),
    );
    fill(
      this.el,
      h('h2', null, t('sim.heading')),
      !this.#loaded
        ? h('p', { class: 'muted' }, t('detail.loading'))
        : homes.length
          ? h(
              'section',
              { class: 'card' },
              h('label', { class: 'field' }, t('sim.home'), select),
              status,
              buttons,
            )
          : h('p', { class: 'empty' }, t('sim.none')),
      this.#message &&
        h('p', { class: 'action-status ok', testid: 'sim-message', role: 'status' }, this.#message),
    );
  }

  stop(): void {
    this.#stopped = true;
    this.#unlang();
  }
}
