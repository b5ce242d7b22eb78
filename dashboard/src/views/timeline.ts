import { h } from '../dom.ts';
import { dateTime } from '../format.ts';
import { label, t } from '../i18n/i18n.ts';
import type { TimelineEntry } from '../types.ts';

/** Extra facts of an entry worth a word: responder and ETA, outcome, escalation level. */
function extras(entry: TimelineEntry): string[] {
  const d = entry.data ?? {};
  const out: string[] = [];
  if (typeof d.responder === 'string') out.push(d.responder);
  if (typeof d.by === 'string') out.push(d.by);
  if (typeof d.recipient === 'string')
    out.push(`${d.recipient}${typeof d.channel === 'string' ? ` · ${d.channel}` : ''}`);
  if (typeof d.etaMinutes === 'number') out.push(t('timeline.eta', { n: d.etaMinutes }));
  if (typeof d.outcome === 'string') out.push(label('outcome', d.outcome));
  if (typeof d.level === 'number') out.push(t('timeline.level', { n: d.level }));
  if (typeof d.severity === 'string') out.push(label('severity', d.severity));
  return out;
}

function actionLabel(action: string): string {
  const milestone = label('milestone', action);
  return milestone !== action ? milestone : label('timeline', action);
}

export function timelineList(entries: TimelineEntry[] | null): HTMLElement {
  if (!entries?.length) return h('p', { class: 'muted' }, t('detail.noTimeline'));
  return h(
    'ol',
    { class: 'timeline', testid: 'timeline' },
    entries.map((e) =>
      h(
        'li',
        { testid: 'timeline-entry', data: { action: e.action } },
        h('time', { attrs: { datetime: e.at } }, dateTime(e.at)),
        h(
          'div',
          { class: 'tl-body' },
          h('span', { class: 'tl-action' }, actionLabel(e.action)),
          h('span', { class: 'tl-actor' }, ` · ${e.actor}`),
          extras(e).length > 0 && h('span', { class: 'tl-extra' }, ` · ${extras(e).join(' · ')}`),
          e.note && h('p', { class: 'tl-note', testid: 'timeline-note' }, e.note),
        ),
      ),
    ),
  );
}
