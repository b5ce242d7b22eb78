import { OUTCOMES } from '../../../protocol/alerts.ts';
import { acknowledge, addNote, MILESTONES, type Milestone, recordMilestone, resolve } from '../actions.ts';
import { statusOf } from '../api.ts';
import type { AppContext } from '../context.ts';
import { h } from '../dom.ts';
import { label, t } from '../i18n/i18n.ts';
import type { AlertView, Outcome } from '../types.ts';
import { section } from './detail-sections.ts';

/**
 * What an operator does with an alert: acknowledge, notes, responder milestones, resolve with an outcome.
 * `done` re-reads the alert and its timeline after each action.
 */
export function actionsSection(ctx: AppContext, alert: AlertView, done: () => void): HTMLElement {
  const status = h('p', { class: 'action-status', testid: 'action-status', role: 'status' });
  const closed = alert.state === 'resolved';
  const run = async (button: HTMLButtonElement, work: () => Promise<unknown>): Promise<void> => {
    button.disabled = true;
    status.textContent = '';
    try {
      await work();
      status.textContent = t('action.sent');
      status.className = 'action-status ok';
      done();
    } catch (err) {
      const code = statusOf(err);
      status.textContent = code === 403 ? t('action.forbidden') : t('action.failed', { status: code });
      status.className = 'action-status warn';
    } finally {
      button.disabled = false;
    }
  };

  const notice = ctx.notices.get(alert.id);
  const ack =
    alert.state === 'open' &&
    h(
      'button',
      {
        type: 'button',
        class: 'ack big',
        testid: 'detail-ack-button',
        onClick: (event) => {
          const button = event.currentTarget as HTMLButtonElement;
          button.disabled = true;
          void acknowledge(ctx, alert.id).finally(() => {
            button.disabled = false;
            done();
          });
        },
      },
      t('queue.ack'),
    );

  const note = h('textarea', {
    name: 'note',
    testid: 'note-input',
    placeholder: t('action.notePlaceholder'),
  });
  const noteButton = h('button', { type: 'submit', testid: 'note-submit' }, t('action.note'));
  const noteForm = h(
    'form',
    {
      class: 'row-form',
      onSubmit: (event) => {
        event.preventDefault();
        const text = note.value.trim();
        if (!text) return;
        void run(noteButton, async () => {
          await addNote(alert.id, text);
          note.value = '';
        });
      },
    },
    note,
    noteButton,
  );

  const responder = h('input', {
    name: 'responder',
    testid: 'responder-input',
    placeholder: t('action.responder'),
  });
  const eta = h('input', {
    name: 'eta',
    type: 'number',
    testid: 'eta-input',
    placeholder: t('action.eta'),
    attrs: { min: '0', max: '600' },
  });
  const milestoneButton = (m: Milestone): HTMLButtonElement => {
    const button: HTMLButtonElement = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        testid: `milestone-${m}`,
        disabled: closed,
        onClick: () => {
          const minutes = Number.parseInt(eta.value, 10);
          const extra =
            m === 'responder_accepted'
              ? {
                  ...(responder.value.trim() ? { responder: responder.value.trim() } : {}),
                  ...(Number.isFinite(minutes) ? { etaMinutes: minutes } : {}),
                }
              : {};
          void run(button, () => recordMilestone(alert.id, m, extra));
        },
      },
      label('milestone', m),
    );
    return button;
  };

  const outcome = h(
    'select',
    { name: 'outcome', testid: 'outcome-select' },
    OUTCOMES.map((o) => h('option', { value: o }, label('outcome', o))),
  );
  const resolveNote = h('input', {
    name: 'resolveNote',
    testid: 'resolve-note',
    placeholder: t('action.resolveNote'),
  });
  const resolveButton = h(
    'button',
    { type: 'submit', class: 'danger', testid: 'resolve-button', disabled: closed },
    t('action.resolve'),
  );
  const resolveForm = h(
    'form',
    {
      class: 'row-form',
      onSubmit: (event) => {
        event.preventDefault();
        void run(resolveButton, async () => {
          ctx.queue.apply(
            await resolve(alert.id, outcome.value as Outcome, resolveNote.value.trim() || undefined),
          );
        });
      },
    },
    h('label', null, t('action.outcome'), outcome),
    resolveNote,
    resolveButton,
  );

  return section(
    'detail-actions',
    'detail.actions',
    (ack || notice) &&
      h(
        'div',
        { class: 'ack-line' },
        ack,
        notice &&
          h('span', { class: `note ${notice.tone}`, testid: 'ack-notice' }, t(notice.key, notice.vars)),
      ),
    noteForm,
    h('div', { class: 'row-form milestones' }, responder, eta, MILESTONES.map(milestoneButton)),
    !closed && resolveForm,
    status,
  );
}
