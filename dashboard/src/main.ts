import './style.css';
import { api, token, whenExpired } from './api.ts';
import { byId } from './dom.ts';
import { t } from './i18n/i18n.ts';
import { Shell } from './shell.ts';
import type { SessionUser } from './types.ts';
import { loginView } from './views/login.ts';

// The dispatch dashboard's entry: sign in, then the shell. Leaving reloads the page, the surest way to
// drop every socket, timer and row of the session that ended.
const NOTICE_KEY = 'eldercare.dispatch.notice';
const root = byId('app');

function leave(notice = ''): void {
  const bearer = token.get();
  token.clear();
  if (notice) sessionStorage.setItem(NOTICE_KEY, notice);
  else if (bearer) {
    // Logging out: api() reads nothing after this, so the request carries the old token by hand.
    void fetch('/api/session', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${bearer}` },
      keepalive: true,
    }).catch(() => {});
  }
  location.reload();
}

function enter(user: SessionUser, bearer: string): void {
  const shell = new Shell(user, bearer, leave);
  whenExpired(() => leave(t('login.expired')));
  root.replaceChildren(shell.el);
  shell.start();
}

function showLogin(): void {
  const notice = sessionStorage.getItem(NOTICE_KEY) ?? '';
  sessionStorage.removeItem(NOTICE_KEY);
  const view = loginView(
    root,
    ({ token: bearer, user }) => {
      token.set(bearer);
      view.stop();
      enter(user, bearer);
    },
    notice,
  );
}

async function boot(): Promise<void> {
  const bearer = token.get();
  if (!bearer) return showLogin();
  try {
    const { user } = await api<{ user: SessionUser }>('GET', '/api/session');
    enter(user, bearer);
  } catch {
    token.clear();
    showLogin();
  }
}

void boot();
