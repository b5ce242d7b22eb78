import { enc, get, getOptional } from '../api.ts';
import { type Chart, COLORS, timeChart } from '../charts.ts';
import type { AppContext, View } from '../context.ts';
import { fill, h } from '../dom.ts';
import { alertWhat, clock, dateTime } from '../format.ts';
import { label, onLangChange, t } from '../i18n/i18n.ts';
import type { AlertView, ElderDetail, HouseholdDetail, TimelineEntry, VitalsRow } from '../types.ts';
import { actionsSection } from './detail-actions.ts';
import {
  contactsSection,
  devicesSection,
  elderSection,
  procedureSection,
  section,
} from './detail-sections.ts';
import { severityBadge } from './queue-table.ts';
import { timelineList } from './timeline.ts';

const SIX_HOURS_MS = 6 * 3600_000;
/** The vitals chart's spans: each reading of the last 6 hours, or one point per minute of the last 7 days. */
const VITALS_RANGES = {
  '6h': { ms: SIX_HOURS_MS, resolution: 'raw', title: 'detail.vitals', empty: 'detail.noVitals' },
  '7d': { ms: 7 * 86_400_000, resolution: 'minute', title: 'detail.vitals7d', empty: 'detail.noVitals7d' },
} as const;
type VitalsRange = keyof typeof VITALS_RANGES;

/** One minute of vitals as the API answers it (`resolution=minute`): the chart draws the means. */
interface MinutePoint {
  ts: string;
  mean: VitalsRow;
}

/** The vitals of `elderId` over `range`, as chart rows. */
async function vitalsOver(elderId: string, range: VitalsRange): Promise<VitalsRow[] | null> {
  const { ms, resolution } = VITALS_RANGES[range];
  const since = enc(new Date(Date.now() - ms).toISOString());
  const path = `/api/elders/${enc(elderId)}/vitals?since=${since}&resolution=${resolution}`;
  if (resolution === 'raw') return getOptional<VitalsRow[]>(path).catch(() => null);
  const points = await getOptional<MinutePoint[]>(path).catch(() => null);
  return points?.map((p) => ({ ...p.mean, ts: p.ts })) ?? null;
}

interface Loaded {
  alert: AlertView;
  timeline: TimelineEntry[] | null;
  elder: ElderDetail | null;
  household: HouseholdDetail | null;
  vitals: VitalsRow[] | null;
}

/** What the rule saw, in words: "Heart rate (bpm) 142 (> 130)", else `key: value` pairs. */
export function describeDetails(details: Record<string, unknown> | undefined): string {
  if (!details) return '';
  const { vital, value, threshold, direction } = details;
  if (typeof vital === 'string' && typeof value === 'number') {
    const limit = typeof threshold === 'number' ? ` (${direction === 'low' ? '<' : '>'} ${threshold})` : '';
    return `${label('vital', vital)} ${value}${limit}`;
  }
  return Object.entries(details)
    .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
    .map(([k, v]) =>
      k === 'room' ? `${t('detail.room')}: ${label('room', String(v))}` : `${k}: ${String(v)}`,
    )
    .join(' · ');
}

/** One alert in full: who, where, how to respond, the devices, the vitals, what happened so far. */
export class DetailView implements View {
  readonly el: HTMLElement;
  readonly #ctx: AppContext;
  readonly #id: string;
  readonly #slot = {
    header: h('header', { class: 'detail-head' }),
    actions: h('div'),
    procedure: h('div'),
    timeline: h('div'),
    elder: h('div'),
    contacts: h('div'),
    devices: h('div'),
    vitals: h('div'),
  };
  #data: Loaded | null = null;
  #actionsKey = '';
  #chart: Chart | null = null;
  #vitalsRange: VitalsRange = '6h';
  #stopped = false;
  readonly #cleanups: (() => void)[] = [];

  constructor(ctx: AppContext, id: string, onClose: () => void) {
    this.#ctx = ctx;
    this.#id = id;
    const s = this.#slot;
    const close = h(
      'button',
      { type: 'button', class: 'ghost close', testid: 'detail-close', title: 'Esc', onClick: onClose },
      '×',
    );
    this.el = h(
      'article',
      { class: 'detail', testid: 'alert-detail', data: { alertId: id } },
      h('div', { class: 'detail-top' }, s.header, close),
      h(
        'div',
        { class: 'detail-grid' },
        h('div', { class: 'col' }, s.actions, s.procedure, s.timeline),
        h('div', { class: 'col' }, s.elder, s.contacts, s.vitals),
        h('div', { class: 'wide' }, s.devices),
      ),
    );
    s.header.append(h('p', { class: 'muted' }, t('detail.loading')));
    const tick = setInterval(() => this.#tick(), 1000);
    this.#cleanups.push(
      () => clearInterval(tick),
      ctx.queue.subscribe((change) => {
        const mine = [...change.added, ...change.updated].find((a) => a.id === id);
        if (mine && this.#data) {
          this.#data.alert = mine;
          this.#renderLive();
          void this.#refreshTimeline();
        }
        // Resolved (here or elsewhere): the queue lets it go, the detail shows how it ended.
        if (change.removed.includes(id)) this.refresh();
      }),
      ctx.notices.subscribe((alertId) => alertId === id && this.#renderActions(true)),
      onLangChange(() => this.#renderAll()),
    );
    void this.#load();
  }

  stop(): void {
    this.#stopped = true;
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.#chart?.destroy();
  }

  async #load(): Promise<void> {
    const alert =
      this.#ctx.queue.get(this.#id) ??
      (await getOptional<AlertView>(`/api/alerts/${enc(this.#id)}`).catch(() => null));
    if (this.#stopped) return;
    if (!alert) {
      fill(this.#slot.header, h('p', { class: 'muted', testid: 'detail-missing' }, t('detail.notFound')));
      return;
    }
    const optional = <T>(path: string): Promise<T | null> => getOptional<T>(path).catch(() => null);
    const [timeline, elder, household, vitals] = await Promise.all([
      optional<TimelineEntry[]>(`/api/alerts/${enc(alert.id)}/timeline`),
      optional<ElderDetail>(`/api/elders/${enc(alert.elderId)}`),
      optional<HouseholdDetail>(`/api/households/${enc(alert.householdId)}`),
      vitalsOver(alert.elderId, this.#vitalsRange),
    ]);
    if (this.#stopped) return;
    this.#data = { alert: this.#ctx.queue.get(this.#id) ?? alert, timeline, elder, household, vitals };
    this.#renderAll();
  }

  /** After an action: the alert (it may have left the queue) and its timeline. */
  refresh(): void {
    void (async () => {
      const alert = await get<AlertView>(`/api/alerts/${enc(this.#id)}`).catch(() => null);
      if (this.#stopped || !this.#data) return;
      if (alert) this.#data.alert = alert;
      this.#renderLive();
      await this.#refreshTimeline();
    })();
  }

  async #refreshTimeline(): Promise<void> {
    const timeline = await getOptional<TimelineEntry[]>(`/api/alerts/${enc(this.#id)}/timeline`).catch(
      () => null,
    );
    if (this.#stopped || !this.#data || !timeline) return;
    this.#data.timeline = timeline;
    fill(this.#slot.timeline, section('timeline-card', 'detail.timeline', timelineList(timeline)));
  }

  #renderAll(): void {
    const d = this.#data;
    if (!d) return;
    const s = this.#slot;
    this.#renderLive(true);
    fill(s.procedure, procedureSection(d.alert, d.elder));
    fill(s.timeline, section('timeline-card', 'detail.timeline', timelineList(d.timeline)));
    fill(s.elder, elderSection(d.alert, d.elder));
    fill(s.contacts, contactsSection(d.elder));
    fill(s.devices, devicesSection(d.household));
    this.#renderVitals(d.vitals);
  }

  #renderLive(force = false): void {
    this.#renderHeader();
    this.#renderActions(force);
  }

  /** Rebuilt only when the state or the notice changed, so a half-typed note survives a repeat push. */
  #renderActions(force: boolean): void {
    const d = this.#data;
    if (!d) return;
    const notice = this.#ctx.notices.get(d.alert.id);
    const key = `${d.alert.state}|${notice?.key ?? ''}|${notice?.vars?.who ?? ''}`;
    if (!force && key === this.#actionsKey) return;
    this.#actionsKey = key;
    fill(
      this.#slot.actions,
      actionsSection(this.#ctx, d.alert, () => this.refresh()),
    );
  }

  #renderHeader(): void {
    const a = this.#data?.alert;
    if (!a) return;
    const details = describeDetails(a.details);
    fill(
      this.#slot.header,
      h(
        'div',
        { class: 'detail-title' },
        severityBadge(a.severity),
        h('h2', null, alertWhat(a)),
        h('span', { class: 'state', data: { state: a.state } }, label('state', a.state)),
        h('span', { class: 'waiting', testid: 'detail-age' }, clock(Date.now() - Date.parse(a.raisedAt))),
      ),
      h(
        'div',
        { class: 'detail-who' },
        h('strong', { testid: 'detail-elder' }, a.elderName ?? a.elderId),
        h('span', null, a.address ?? a.householdId),
      ),
      h(
        'div',
        { class: 'detail-meta muted' },
        `${t('detail.raisedAt')} ${dateTime(a.raisedAt)} · ${t('detail.occurredAt')} ${dateTime(a.occurredAt)}`,
        a.clockSkewMs !== undefined &&
          h(
            'span',
            { class: 'warn-text' },
            ` · ${t('detail.skew', { s: Math.round(a.clockSkewMs / 1000) })}`,
          ),
      ),
      a.acknowledgedBy &&
        h(
          'div',
          { class: 'detail-meta' },
          t('detail.acknowledged', { time: dateTime(a.acknowledgedAt), who: a.acknowledgedBy }),
        ),
      a.resolvedAt &&
        h(
          'div',
          { class: 'detail-meta' },
          t('detail.resolved', {
            time: dateTime(a.resolvedAt),
            who: a.resolvedBy ?? '',
            outcome: label('outcome', a.outcome ?? ''),
          }),
        ),
      a.clearedAt &&
        h('div', { class: 'detail-meta muted' }, t('detail.cleared', { time: dateTime(a.clearedAt) })),
      details &&
        h('div', { class: 'detail-meta', testid: 'alert-details' }, `${t('detail.details')}: ${details}`),
    );
  }

  #tick(): void {
    const a = this.#data?.alert;
    const age = this.#slot.header.querySelector('[data-testid="detail-age"]');
    if (a && age) age.textContent = clock(Date.now() - Date.parse(a.raisedAt));
  }

  /** Shows the other span: its data is fetched, then the chart drawn again. */
  #showVitals(range: VitalsRange): void {
    const alert = this.#data?.alert;
    if (!alert || range === this.#vitalsRange) return;
    this.#vitalsRange = range;
    void vitalsOver(alert.elderId, range).then((vitals) => {
      if (this.#stopped || !this.#data || this.#vitalsRange !== range) return;
      this.#data = { ...this.#data, vitals };
      this.#renderVitals(vitals);
    });
  }

  #renderVitals(rows: VitalsRow[] | null): void {
    this.#chart?.destroy();
    this.#chart = null;
    const range = VITALS_RANGES[this.#vitalsRange];
    const tabs = h(
      'div',
      { class: 'segmented', role: 'group' },
      (Object.keys(VITALS_RANGES) as VitalsRange[]).map((r) =>
        h(
          'button',
          {
            type: 'button',
            class: r === this.#vitalsRange ? 'on' : '',
            testid: `vitals-range-${r}`,
            attrs: { 'aria-pressed': String(r === this.#vitalsRange) },
            onClick: () => this.#showVitals(r),
          },
          t(r === '6h' ? 'detail.range6h' : 'detail.range7d'),
        ),
      ),
    );
    const usable = (rows ?? []).filter((r) => Number.isFinite(Date.parse(r.ts)));
    if (!usable.length) {
      fill(
        this.#slot.vitals,
        section('vitals', range.title, tabs, h('p', { class: 'muted' }, t(range.empty))),
      );
      return;
    }
    const x = usable.map((r) => Date.parse(r.ts) / 1000);
    const pick = (k: 'hr' | 'spo2' | 'rr'): (number | null)[] => usable.map((r) => r[k] ?? null);
    this.#chart = timeChart(
      'vitals-chart',
      x,
      [
        { label: t('vital.hr'), values: pick('hr'), color: COLORS.red },
        { label: t('vital.rr'), values: pick('rr'), color: COLORS.teal },
        { label: t('vital.spo2'), values: pick('spo2'), color: COLORS.blue, scale: 'pct' },
      ],
      { y: { label: '/min' }, pct: { side: 1, range: [80, 100], label: '%' } },
      200,
      [(Date.now() - range.ms) / 1000, Date.now() / 1000],
    );
    fill(this.#slot.vitals, section('vitals', range.title, tabs, this.#chart.el));
  }
}
