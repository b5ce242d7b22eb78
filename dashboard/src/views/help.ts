import { h } from '../dom.ts';
import { t } from '../i18n/i18n.ts';
import type { StringKey } from '../i18n/strings.ts';

const SHORTCUTS: [string, StringKey][] = [
  ['a', 'help.a'],
  ['j / k · ↓ / ↑', 'help.jk'],
  ['Enter', 'help.enter'],
  ['Esc', 'help.esc'],
  ['w', 'help.wall'],
  ['?', 'help.help'],
];

/** The keyboard-shortcut sheet, opened with `?` and closed with Esc or a click outside. */
export function helpOverlay(onClose: () => void): HTMLElement {
  const overlay = h(
    'div',
    { class: 'overlay', testid: 'help-overlay', role: 'dialog', attrs: { 'aria-modal': 'true' } },
    h(
      'div',
      { class: 'overlay-card' },
      h('h2', null, t('help.heading')),
      h(
        'dl',
        { class: 'shortcuts' },
        SHORTCUTS.map(([keys, text]) => [h('dt', null, h('kbd', null, keys)), h('dd', null, t(text))]),
      ),
      h('button', { type: 'button', class: 'secondary', onClick: onClose }, t('detail.close')),
    ),
  );
  overlay.addEventListener('click', (event) => {
    if (event.target === overlay) onClose();
  });
  return overlay;
}
