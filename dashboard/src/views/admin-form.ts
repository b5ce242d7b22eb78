import { ApiError, statusOf } from '../api.ts';
import { type Child, h } from '../dom.ts';
import { t } from '../i18n/i18n.ts';
import { STRINGS, type StringKey } from '../i18n/strings.ts';

export type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/** A labelled control with its hint and its own error line, tied together for screen readers. */
export interface Field {
  name: string;
  el: HTMLElement;
  control: Control;
  error: HTMLElement;
  hint: HTMLElement;
}

let seq = 0;

/** `testid` names the control; its error line is `<testid>-error`. */
export function field(name: string, labelText: string, control: Control, testid: string, hint = ''): Field {
  const id = `admin-${name}-${++seq}`;
  control.id = id;
  control.name = name;
  control.dataset.testid = testid;
  const error = h('p', { class: 'field-error', testid: `${testid}-error`, attrs: { id: `${id}-error` } });
  const hintEl = h('p', { class: 'field-hint muted small', attrs: { id: `${id}-hint` } }, hint);
  control.setAttribute('aria-describedby', `${id}-hint ${id}-error`);
  const el = h(
    'div',
    { class: 'field' },
    h('label', { attrs: { for: id } }, labelText),
    control,
    hintEl,
    error,
  );
  return { name, el, control, error, hint: hintEl };
}

export function input(type = 'text', props: { required?: boolean; autocomplete?: string } = {}) {
  return h('input', { type, ...props });
}

/** A select of `[value, label]` pairs, with a "choose" entry first unless `bare`. */
export function select(options: readonly (readonly [string, string])[], bare = false): HTMLSelectElement {
  return h(
    'select',
    null,
    !bare && h('option', { value: '' }, t('admin.choose')),
    options.map(([value, text]) => h('option', { value }, text)),
  );
}

/** Refills a select's options, keeping the chosen value when it is still offered. */
export function refill(control: HTMLSelectElement, options: readonly (readonly [string, string])[]): void {
  const chosen = control.value;
  control.replaceChildren(
    h('option', { value: '' }, t('admin.choose')),
    ...options.map(([value, text]) => h('option', { value }, text)),
  );
  if (options.some(([value]) => value === chosen)) control.value = chosen;
}

interface ProblemBody {
  code?: string;
  message?: string;
}

/** The field a server problem is about: `body/<field>…`, or a missing required property. */
export function problemField(message: string): string | null {
  return (/^body\/([A-Za-z]+)/.exec(message) ?? /required property '([A-Za-z]+)'/.exec(message))?.[1] ?? null;
}

/** The reader's words for a server problem, with the server's detail after them. */
export function problemText(err: unknown): string {
  const body = (err instanceof ApiError ? err.body : null) as ProblemBody | null;
  const key = `admin.err.${body?.code ?? ''}`;
  const detail = body?.message ?? '';
  if (key in STRINGS) return detail ? `${t(key as StringKey)} (${detail})` : t(key as StringKey);
  return detail || t('admin.failed', { status: statusOf(err) });
}

/** Controls that share one error line (a list of device rows): `body/<name>/…` problems land there. */
export interface FieldGroup {
  name: string;
  error: HTMLElement;
  focus(): void;
}

export interface FormParts {
  form: HTMLFormElement;
  status: HTMLElement;
  submit: HTMLButtonElement;
}

/**
 * A form whose submit runs `run`; a server refusal is shown next to the field it names (focused, with
 * `aria-invalid`), else in the form's status line. `conflict` is the field a 409 is about.
 */
export function form(
  testid: string,
  fields: Field[],
  submitText: string,
  run: () => Promise<string>,
  opts: { conflict?: string; extra?: Child[]; groups?: FieldGroup[] } = {},
): FormParts {
  const status = h('p', { class: 'action-status', role: 'status', testid: `${testid}-status` });
  const submit = h('button', { type: 'submit', testid: `${testid}-submit` }, submitText);
  const clear = (): void => {
    status.textContent = '';
    status.className = 'action-status';
    for (const f of fields) {
      f.error.textContent = '';
      f.control.removeAttribute('aria-invalid');
    }
    for (const g of opts.groups ?? []) g.error.textContent = '';
  };
  const onSubmit = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    clear();
    const empty = fields.filter((f) => f.control.required && !f.control.value.trim());
    for (const f of empty) {
      f.error.textContent = t('admin.required');
      f.control.setAttribute('aria-invalid', 'true');
    }
    if (empty[0]) return empty[0].control.focus();
    submit.disabled = true;
    try {
      status.textContent = await run();
      status.classList.add('ok');
    } catch (err) {
      const body = (err instanceof ApiError ? err.body : null) as ProblemBody | null;
      const name = body?.code === 'ERR_CONFLICT' ? opts.conflict : problemField(body?.message ?? '');
      const target = fields.find((f) => f.name === name);
      const group = opts.groups?.find((g) => g.name === name);
      if (group) {
        group.error.textContent = problemText(err);
        group.focus();
      } else if (target) {
        target.error.textContent = problemText(err);
        target.control.setAttribute('aria-invalid', 'true');
        target.control.focus();
      } else {
        status.textContent = problemText(err);
        status.classList.add('warn');
      }
    } finally {
      submit.disabled = false;
    }
  };
  const el = h(
    'form',
    { class: 'admin-form', testid, onSubmit: (event) => void onSubmit(event), attrs: { novalidate: '' } },
    fields.map((f) => f.el),
    opts.extra,
    h('div', { class: 'form-actions' }, submit),
    status,
  );
  return { form: el, status, submit };
}
