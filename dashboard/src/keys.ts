import type { Shell } from './shell.ts';

/** Typing in a field is never a shortcut. */
function typing(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))
  );
}

/**
 * Dispatch shortcuts: `a` acknowledge the selected alert, `j`/`k` or the arrows move, Enter opens,
 * Esc closes, `?` help, `w` big screen. Returns the removal.
 */
export function bindKeys(shell: Shell): () => void {
  const onKey = (event: KeyboardEvent): void => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    const page = shell.queuePage;
    let handled = true;
    switch (event.key) {
      case '?':
        if (shell.helpOpen) shell.closeHelp();
        else shell.openHelp();
        break;
      case 'Escape':
        if (shell.helpOpen) shell.closeHelp();
        else if (page?.detailOpen) shell.ctx.navigate('#/queue');
        else handled = false;
        break;
      case 'j':
      case 'ArrowDown':
        if (page) page.move(1);
        else handled = false;
        break;
      case 'k':
      case 'ArrowUp':
        if (page) page.move(-1);
        else handled = false;
        break;
      case 'Enter':
        // Enter on a focused button or link keeps its own meaning.
        if (page && !(event.target instanceof HTMLButtonElement || event.target instanceof HTMLAnchorElement))
          page.openSelected();
        else handled = false;
        break;
      case 'a':
        if (page) page.acknowledgeSelected();
        else handled = false;
        break;
      case 'w':
        shell.ctx.navigate(shell.route === '#/wall' ? '#/queue' : '#/wall');
        break;
      default:
        handled = false;
    }
    if (handled) event.preventDefault();
  };
  document.addEventListener('keydown', onKey);
  return () => document.removeEventListener('keydown', onKey);
}
