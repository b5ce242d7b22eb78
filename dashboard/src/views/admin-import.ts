import { ApiError, api } from '../api.ts';
import { fill, h } from '../dom.ts';
import { t } from '../i18n/i18n.ts';
import type { ImportReport } from '../types.ts';
import { field, form, input } from './admin-form.ts';
import type { AdminHost, AdminSection } from './admin-page.ts';
import { listTable } from './admin-registry.ts';

/** The installer's CSV of households and elders: all or nothing, with the server's verdict on every row. */
export class ImportSection implements AdminSection {
  readonly el: HTMLElement;
  readonly #report = h('div', { testid: 'admin-import-report' });

  constructor(host: AdminHost) {
    const file = input('file', { required: true });
    file.accept = '.csv,text/csv';
    const chosen = field('file', t('admin.importFile'), file, 'admin-import-file', t('admin.importHint'));
    const parts = form('admin-import-form', [chosen], t('admin.importSubmit'), async () => {
      const csv = await file.files?.[0]?.text();
      if (csv === undefined) throw new Error(t('admin.importNoFile'));
      let report: ImportReport;
      try {
        report = await api<ImportReport>('POST', '/api/import/households', csv, 'text/csv');
      } catch (err) {
        // 422: the file was read but refused; its report says row by row why.
        if (!(err instanceof ApiError) || err.status !== 422) throw err;
        report = err.body as ImportReport;
      }
      this.#show(report);
      if (!report.imported) return t('admin.notImported');
      file.value = '';
      await host.reload();
      return t('admin.imported', { households: report.households, elders: report.elders });
    });
    this.el = h(
      'section',
      { class: 'admin-section', testid: 'admin-import', attrs: { 'aria-label': t('admin.import') } },
      h('div', { class: 'card' }, h('h3', null, t('admin.import')), parts.form, this.#report),
    );
  }

  update(): void {}

  #show(report: ImportReport): void {
    fill(
      this.#report,
      listTable(
        'admin-import-rows',
        ['admin.line', 'admin.household', 'admin.elders', 'admin.result'],
        report.rows.map((r) =>
          h(
            'tr',
            { data: { line: String(r.line), ok: String(r.errors.length === 0) } },
            h('td', { class: 'num' }, r.line),
            h('td', null, r.householdId),
            h('td', null, r.elderId),
            h(
              'td',
              null,
              r.errors.length
                ? h(
                    'ul',
                    { class: 'row-errors' },
                    r.errors.map((e) => h('li', { class: 'warn-text' }, e)),
                  )
                : t('admin.rowOk'),
            ),
          ),
        ),
      ),
    );
  }
}
