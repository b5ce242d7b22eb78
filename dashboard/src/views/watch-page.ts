import { VISIT_KINDS, VISIT_OUTCOMES } from '../../../protocol/visits.ts';
import { enc, get, post } from '../api.ts';
import type { AppContext, View } from '../context.ts';
import { fill, h } from '../dom.ts';
import { ago, duration } from '../format.ts';
import { label, onLangChange, t } from '../i18n/i18n.ts';
import type { StringKey } from '../i18n/strings.ts';
import type { WatchEntry, WatchListAnswer } from '../types.ts';

const REFRESH_MS = 60_000;
const COLUMNS: readonly StringKey[] = [
  'watch.elder',
  'queue.address',
  'watch.visit',
  'watch.contact',
  'watch.activity',
  'watch.home',
  'watch.open',
  'services.actions',
];

/** "2 h ago", or "just now" within a minute (a visit just recorded). */
function since(iso: string, now: number): string {
  return now - Date.parse(iso) < 60_000 ? t('watch.justNow') : ago(iso, now);
}

/** What the worker has typed into a row's visit form, kept across redraws. */
interface Draft {
  kind: string;
  outcome: string;
  visitor: string;
  notes: string;
}

/**
 * The community worker's watch list (关爱名单): every at-risk elder in the user's scope on one line, most
 * concerning first (the server's order), with a visit form per row. Calm like the services page: no
 * alarm, no severity colours; an overdue visit is the only thing in warning text.
 */
export class WatchPage implements View {
  readonly el = h('div', { class: 'page watch-page', testid: 'watch-page' });
  readonly #ctx: AppContext;
  readonly #cleanups: (() => void)[] = [];
  #answer: WatchListAnswer | null = null;
  #failed = false;
  #overdueOnly = false;
  /** The elder whose visit form is open, and what is typed in it. */
  #form: { elderId: string; draft: Draft; error: boolean } | null = null;
  #saved: string | null = null;
  #stopped = false;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    // A poll never redraws over a form being filled in.
    const timer = setInterval(() => this.#form === null && void this.#load(), REFRESH_MS);
    this.#cleanups.push(
      () => clearInterval(timer),
      onLangChange(() => this.#render()),
    );
    this.#render();
    void this.#load();
  }

  async #load(): Promise<void> {
    try {
      const answer = await get<WatchListAnswer>('/api/watchlist');
      if (this.#stopped) return;
      this.#answer = answer;
      this.#failed = false;
    } catch {
      if (this.#stopped) return;
      this.#failed = true;
    }
    this.#render();
  }

  #openForm(elderId: string): void {
    this.#saved = null;
    this.#form =
      this.#form?.elderId === elderId
        ? null
        : {
            elderId,
            draft: { kind: 'home', outcome: 'well', visitor: this.#ctx.user.username, notes: '' },
            error: false,
          };
    this.#render();
    this.el.querySelector<HTMLElement>('[data-testid="visit-kind"]')?.focus();
  }

  async #save(entry: WatchEntry, draft: Draft): Promise<void> {
    const notes = draft.notes.trim();
    try {
      await post(`/api/elders/${enc(entry.elderId)}/visits`, {
        visitedAt: new Date().toISOString(),
        visitor: draft.visitor.trim() || this.#ctx.user.username,
        kind: draft.kind,
        outcome: draft.outcome,
        ...(notes ? { notes } : {}),
      });
    } catch {
      if (this.#form) this.#form.error = true;
      this.#render();
      return;
    }
    this.#form = null;
    this.#saved = entry.elderId;
    await this.#load();
  }

  #visitCell(e: WatchEntry, now: number): HTMLElement {
    const due = e.visitDueAt === null ? null : Date.parse(e.visitDueAt);
    const state = !e.overdue
      ? h('span', null, t('watch.dueIn', { t: duration((due ?? now) - now) }))
      : h(
          'strong',
          { class: 'warn-text' },
          e.daysOverdue === null ? t('watch.neverVisited') : t('watch.overdueDays', { n: e.daysOverdue }),
        );
    return h(
      'td',
      { testid: 'watch-visit' },
      state,
      e.lastHomeVisit &&
        h(
          'div',
          { class: 'muted small' },
          t('watch.lastVisit', { when: since(e.lastHomeVisit.at, now), visitor: e.lastHomeVisit.visitor }),
          ` · ${label('visitOutcome', e.lastHomeVisit.outcome)}`,
        ),
    );
  }

  #row(e: WatchEntry, now: number): HTMLElement {
    const home = e.atHome === null ? 'unknown' : e.atHome ? 'yes' : 'no';
    return h(
      'tr',
      { testid: 'watch-row', data: { elderId: e.elderId, overdue: String(e.overdue) } },
      h(
        'td',
        null,
        h('strong', null, e.name),
        e.age !== undefined && h('span', { class: 'muted' }, ` ${t('watch.age', { n: e.age })}`),
        h('div', { class: 'muted small' }, e.reasons.map((r) => label('reason', r)).join(' · ')),
      ),
      h('td', null, e.address, h('div', { class: 'muted small' }, e.communityName)),
      this.#visitCell(e, now),
      h(
        'td',
        { testid: 'watch-contact' },
        e.lastContact
          ? [
              `${since(e.lastContact.at, now)} · ${label('visitKind', e.lastContact.kind)}`,
              h('div', { class: 'muted small' }, e.lastContact.visitor),
            ]
          : h('span', { class: 'muted' }, t('watch.noContact')),
      ),
      h(
        'td',
        { testid: 'watch-activity' },
        e.lastActivity
          ? `${since(e.lastActivity.at, now)} · ${label('activity', e.lastActivity.type)}`
          : h('span', { class: 'muted' }, t('watch.noActivity')),
      ),
      h('td', { testid: 'watch-home', data: { home } }, t(`watch.atHome.${home}`)),
      h(
        'td',
        { class: 'num', testid: 'watch-open' },
        t('watch.alertsRequests', { a: e.openAlerts, r: e.openRequests }),
      ),
      h(
        'td',
        null,
        h(
          'button',
          { type: 'button', testid: 'watch-record', onClick: () => this.#openForm(e.elderId) },
          t('watch.record'),
        ),
        this.#saved === e.elderId &&
          h('div', { class: 'action-status ok', testid: 'watch-saved' }, t('watch.saved')),
      ),
    );
  }

  #formRow(e: WatchEntry, form: { draft: Draft; error: boolean }): HTMLElement {
    const { draft } = form;
    const select = (testid: string, key: keyof Draft, prefix: string, values: readonly string[]) => {
      const el = h(
        'select',
        { testid, name: key, onChange: () => (draft[key] = el.value) },
        values.map((v) => h('option', { value: v }, label(prefix, v))),
      );
      el.value = draft[key];
      return el;
    };
    const visitor = h('input', {
      type: 'text',
      name: 'visitor',
      testid: 'visit-visitor',
      value: draft.visitor,
      required: true,
      onInput: () => (draft.visitor = visitor.value),
    });
    const notes = h('textarea', {
      name: 'notes',
      testid: 'visit-notes',
      placeholder: t('watch.notesPlaceholder'),
      onInput: () => (draft.notes = notes.value),
    });
    notes.value = draft.notes;
    const field = (key: StringKey, control: HTMLElement) => h('label', null, t(key), control);
    return h(
      'tr',
      { class: 'watch-form-row', testid: 'watch-form', data: { elderId: e.elderId } },
      h(
        'td',
        { attrs: { colspan: String(COLUMNS.length) } },
        h(
          'form',
          {
            class: 'row-form',
            onSubmit: (event) => {
              event.preventDefault();
              void this.#save(e, draft);
            },
          },
          field('watch.kind', select('visit-kind', 'kind', 'visitKind', VISIT_KINDS)),
          field('watch.outcome', select('visit-outcome', 'outcome', 'visitOutcome', VISIT_OUTCOMES)),
          field('watch.visitor', visitor),
          notes,
          h('button', { type: 'submit', testid: 'visit-save' }, t('watch.save')),
          h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              onClick: () => {
                this.#form = null;
                this.#render();
              },
            },
            t('watch.cancel'),
          ),
        ),
        form.error && h('p', { class: 'error', role: 'alert', testid: 'visit-error' }, t('watch.saveFailed')),
      ),
    );
  }

  #render(): void {
    const now = Date.now();
    const all = this.#answer?.elders ?? [];
    const overdue = all.filter((e) => e.overdue).length;
    const shown = this.#overdueOnly ? all.filter((e) => e.overdue) : all;
    const filter = h('input', {
      type: 'checkbox',
      testid: 'watch-overdue-only',
      onChange: () => {
        this.#overdueOnly = filter.checked;
        this.#render();
      },
    });
    filter.checked = this.#overdueOnly;
    const table = h(
      'table',
      { class: 'plain watch-table', testid: 'watch-table' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          COLUMNS.map((k) => h('th', null, t(k))),
        ),
      ),
      h(
        'tbody',
        null,
        shown.flatMap((e) => {
          const form = this.#form?.elderId === e.elderId ? this.#form : null;
          return form ? [this.#row(e, now), this.#formRow(e, form)] : [this.#row(e, now)];
        }),
      ),
    );
    const empty = !this.#answer
      ? t(this.#failed ? 'watch.failed' : 'detail.loading')
      : all.length === 0
        ? t('watch.empty')
        : t('watch.noneOverdue');
    fill(
      this.el,
      h(
        'div',
        { class: 'page-head' },
        h('h2', null, t('watch.heading')),
        h('label', { class: 'check' }, filter, ` ${t('watch.overdueOnly')}`),
        this.#answer &&
          h('span', { class: 'muted', testid: 'watch-count' }, t('watch.count', { n: all.length, overdue })),
        h(
          'button',
          { type: 'button', class: 'secondary', testid: 'watch-refresh', onClick: () => void this.#load() },
          t('watch.refresh'),
        ),
      ),
      h('p', { class: 'muted' }, t('watch.intro', { days: this.#answer?.intervalDays ?? 30 })),
      this.#failed && this.#answer && h('p', { class: 'error', role: 'alert' }, t('watch.failed')),
      shown.length ? table : h('p', { class: 'empty', testid: 'watch-empty' }, empty),
    );
  }

  stop(): void {
    this.#stopped = true;
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
  }
}
