import { getOptional } from '../api.ts';
import type { AppContext, View } from '../context.ts';
import { fill, h } from '../dom.ts';
import { ago } from '../format.ts';
import { label, onLangChange, t } from '../i18n/i18n.ts';
import type { DeviceProblem } from '../types.ts';

const FILTERS = [
  { problem: 'all', key: 'devices.all' },
  { problem: 'offline', key: 'devices.offline' },
  { problem: 'low_battery', key: 'devices.lowBattery' },
] as const;
type Filter = (typeof FILTERS)[number]['problem'];
const LOW_BATTERY = 20;
const REFRESH_MS = 30_000;

/** Gateways and devices that are offline or running low, longest silent first. */
export class DevicesPage implements View {
  readonly el = h('div', { class: 'page devices-page', testid: 'devices-page' });
  readonly #ctx: AppContext;
  #filter: Filter = 'all';
  #rows: DeviceProblem[] | null = null;
  #loaded = false;
  #stopped = false;
  readonly #cleanups: (() => void)[] = [];

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    const timer = setInterval(() => void this.#load(), REFRESH_MS);
    this.#cleanups.push(
      () => clearInterval(timer),
      onLangChange(() => this.#render()),
    );
    this.#render();
    void this.#load();
  }

  async #load(): Promise<void> {
    const rows = await getOptional<DeviceProblem[]>(`/api/devices?problem=${this.#filter}`).catch(() => null);
    if (this.#stopped) return;
    this.#rows = rows
      ? [...rows].sort((a, b) => Date.parse(a.lastSeenAt ?? '') - Date.parse(b.lastSeenAt ?? '') || 0)
      : null;
    this.#loaded = true;
    this.#render();
  }

  #row(d: DeviceProblem): HTMLElement {
    const low = d.battery !== undefined && d.battery < LOW_BATTERY;
    return h(
      'tr',
      { testid: 'device-problem', data: { online: String(d.online) } },
      h(
        'td',
        null,
        h('span', { class: `dot ${d.online ? 'ok' : 'bad'}` }),
        d.online ? t('device.online') : t('device.offline'),
        low && h('span', { class: 'chip', data: { severity: 'medium' } }, t('device.lowBattery')),
      ),
      h(
        'td',
        null,
        d.deviceId ? label('kind', d.kind) : t('device.gateway'),
        h('div', { class: 'muted small' }, d.deviceId ?? d.gatewayId),
      ),
      h('td', null, d.gatewayId),
      h(
        'td',
        null,
        d.address ?? d.householdId,
        d.region && h('div', { class: 'muted small' }, this.#ctx.regions.name(d.region)),
      ),
      h('td', null, d.elderName ?? ''),
      h('td', { class: `num${low ? ' warn-text' : ''}` }, d.battery === undefined ? '—' : `${d.battery} %`),
      h('td', null, ago(d.lastSeenAt)),
    );
  }

  #render(): void {
    const tabs = h(
      'div',
      { class: 'segmented', role: 'group' },
      FILTERS.map((f) =>
        h(
          'button',
          {
            type: 'button',
            class: f.problem === this.#filter ? 'on' : '',
            testid: `device-filter-${f.problem}`,
            onClick: () => {
              this.#filter = f.problem;
              void this.#load();
            },
          },
          t(f.key),
        ),
      ),
    );
    const rows = this.#rows ?? [];
    const table = rows.length
      ? h(
          'table',
          { class: 'plain', testid: 'device-table' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              (
                [
                  'device.problem',
                  'device.kind',
                  'device.gateway',
                  'profile.address',
                  'device.elder',
                  'device.battery',
                  'device.lastSeen',
                ] as const
              ).map((k) => h('th', null, t(k))),
            ),
          ),
          h(
            'tbody',
            null,
            rows.map((d) => this.#row(d)),
          ),
        )
      : h(
          'p',
          { class: 'empty', testid: 'devices-empty' },
          this.#loaded ? t(this.#rows ? 'devices.empty' : 'empty.unavailable') : t('detail.loading'),
        );
    fill(
      this.el,
      h(
        'div',
        { class: 'page-head' },
        h('h2', null, t('devices.heading')),
        tabs,
        rows.length > 0 && h('span', { class: 'muted' }, t('devices.count', { n: rows.length })),
      ),
      table,
    );
  }

  stop(): void {
    this.#stopped = true;
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
  }
}
