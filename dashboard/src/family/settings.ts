import { ApiError } from '../api.ts';
import { h } from '../dom.ts';
import { label } from '../i18n/i18n.ts';
import { call } from './api.ts';
import { enablePush } from './push.ts';
import { ft } from './strings.ts';
import type { NotificationPrefs } from './types.ts';

const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

function input(testid: string, type: string): HTMLInputElement {
  return h('input', { testid, type });
}

/** The server's words for a rejected field (`body/email must match pattern …`), or a status. */
function why(err: unknown): string {
  if (err instanceof ApiError && err.body && typeof err.body === 'object' && 'message' in err.body)
    return String(err.body.message);
  return err instanceof ApiError ? `HTTP ${err.status}` : String(err);
}

interface Inputs {
  push: HTMLInputElement;
  email: HTMLInputElement;
  webhook: HTMLInputElement;
  quietFrom: HTMLInputElement;
  quietTo: HTMLInputElement;
  severities: HTMLInputElement[];
}

function makeInputs(): Inputs {
  const severities = SEVERITIES.map((s) => {
    const box = input(`prefs-severity-${s}`, 'checkbox');
    box.value = s;
    // Critical alerts always reach the family; the box shows it and cannot be cleared.
    if (s === 'critical') Object.assign(box, { checked: true, disabled: true });
    return box;
  });
  return {
    push: input('prefs-push', 'checkbox'),
    email: input('prefs-email', 'email'),
    webhook: input('prefs-webhook', 'url'),
    quietFrom: input('prefs-quiet-start', 'time'),
    quietTo: input('prefs-quiet-end', 'time'),
    severities,
  };
}

function layout(i: Inputs): HTMLElement[] {
  const row = (text: string, control: HTMLElement) =>
    h('label', { class: 'row' }, h('span', null, text), control);
  return [
    h('label', { class: 'check' }, i.push, ft('prefs.push')),
    row(ft('prefs.email'), i.email),
    row(ft('prefs.webhook'), i.webhook),
    h(
      'fieldset',
      null,
      h('legend', null, ft('prefs.severities')),
      i.severities.map((box) => h('label', { class: 'check' }, box, label('severity', box.value))),
    ),
    h(
      'fieldset',
      null,
      h('legend', null, ft('prefs.quiet')),
      h('label', { class: 'inline' }, ft('prefs.quietFrom'), ' ', i.quietFrom),
      h('label', { class: 'inline' }, ft('prefs.quietTo'), ' ', i.quietTo),
    ),
  ];
}

function show(i: Inputs, p: NotificationPrefs): void {
  i.push.checked = p.push;
  i.email.value = p.email ?? '';
  i.webhook.value = p.webhook ?? '';
  i.quietFrom.value = p.quietHours?.start ?? '';
  i.quietTo.value = p.quietHours?.end ?? '';
  for (const box of i.severities)
    box.checked = box.value === 'critical' || (p.severities as readonly string[]).includes(box.value);
}

/** The `PUT /api/me/notifications` body; empty fields are left out, quiet hours only when both are set. */
function read(i: Inputs): NotificationPrefs {
  const email = i.email.value.trim();
  const webhook = i.webhook.value.trim();
  const { value: start } = i.quietFrom;
  const { value: end } = i.quietTo;
  return {
    push: i.push.checked,
    severities: i.severities.filter((b) => b.checked).map((b) => b.value as (typeof SEVERITIES)[number]),
    ...(email ? { email } : {}),
    ...(webhook ? { webhook } : {}),
    ...(start && end ? { quietHours: { start, end } } : {}),
  };
}

/**
 * Where and when this family member is told: push on this phone (with the button that subscribes it),
 * e-mail, an SMS gateway, which severities, and quiet hours.
 */
export function settingsPanel(username: string): HTMLElement {
  const inputs = makeInputs();
  const status = h('p', { class: 'notice', testid: 'prefs-status', role: 'status' });
  const pushStatus = h('p', { class: 'notice', testid: 'push-status', role: 'status' });
  const save = (event: SubmitEvent): void => {
    event.preventDefault();
    status.textContent = '';
    call<NotificationPrefs>('PUT', '/api/me/notifications', read(inputs))
      .then((saved) => {
        show(inputs, saved);
        status.textContent = ft('prefs.saved');
      })
      .catch((err: unknown) => {
        status.textContent = ft('prefs.invalid', { why: why(err) });
      });
  };
  const enable = (): void => {
    pushStatus.textContent = '';
    void enablePush().then((key) => {
      pushStatus.textContent = ft(key);
    });
  };
  void call<NotificationPrefs>('GET', '/api/me/notifications').then(
    (prefs) => show(inputs, prefs),
    () => {},
  );
  return h(
    'section',
    { class: 'card settings', testid: 'settings' },
    h('h2', null, ft('settings')),
    h('p', { class: 'muted' }, username),
    h(
      'button',
      { type: 'button', class: 'primary', testid: 'enable-push', onClick: enable },
      ft('push.enable'),
    ),
    pushStatus,
    h(
      'form',
      { onSubmit: save },
      layout(inputs),
      h('button', { type: 'submit', testid: 'prefs-save' }, ft('prefs.save')),
      status,
    ),
  );
}
