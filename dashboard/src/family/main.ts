import './family.css';
import { statusOf } from '../api.ts';
import { byId } from '../dom.ts';
import { lang, onLangChange, setLang } from '../i18n/i18n.ts';
import type { SessionUser } from '../types.ts';
import { call, familyToken, whenExpired } from './api.ts';
import { FamilyPage } from './page.ts';
import { registerServiceWorker } from './push.ts';
import { ft } from './strings.ts';

// The family page's entry: sign in (family users only), then one card per elder. Leaving reloads the
// page, the surest way to drop the socket and timers of the session that ended.
const NOTICE_KEY = 'eldercare.family.notice';
const root = byId('app');

function leave(notice = ''): void {
  const bearer = familyToken.get();
  familyToken.clear();
  if (notice) sessionStorage.setItem(NOTICE_KEY, notice);
  else if (bearer) {
    void fetch('/api/session', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${bearer}` },
      keepalive: true,
    }).catch(() => {});
  }
  location.reload();
}

function enter(user: SessionUser, bearer: string): void {
  const page = new FamilyPage(
    user.username,
    bearer,
    () => leave(),
    () => leave(ft('login.expired')),
  );
  whenExpired(() => leave(ft('login.expired')));
  root.replaceChildren(page.el);
  page.start();
}

function part<T extends Element>(selector: string): T {
  const el = root.querySelector<T>(selector);
  if (!el) throw new Error(`family.html's sign-in form has no ${selector}`);
  return el;
}

/** Posts the sign-in form; only family users get in, since the page shows nothing to anyone else. */
function signIn(form: HTMLFormElement, done: (user: SessionUser, token: string) => void): void {
  const error = part<HTMLElement>('[data-testid="login-error"]');
  const submit = part<HTMLButtonElement>('[data-testid="login-submit"]');
  const data = new FormData(form);
  submit.disabled = true;
  error.textContent = '';
  call<{ token: string; user: SessionUser }>('POST', '/api/session', {
    username: String(data.get('username') ?? ''),
    password: String(data.get('password') ?? ''),
  })
    .then(({ token, user }) => {
      if (user.role === 'family') done(user, token);
      else error.textContent = ft('login.notFamily');
    })
    .catch((err: unknown) => {
      error.textContent = statusOf(err) === 401 ? ft('login.bad') : ft('login.unreachable');
    })
    .finally(() => {
      submit.disabled = false;
    });
}

/** Takes over the sign-in form of family.html: labels it in the reader's language and posts it. */
function showLogin(): void {
  const form = part<HTMLFormElement>('[data-testid="login-form"]');
  const switcher = part<HTMLButtonElement>('[data-testid="lang-switch"]');
  const relabel = (): void => {
    part('[data-role="heading"]').textContent = ft('title');
    part('[data-role="username"]').textContent = ft('login.username');
    part('[data-role="password"]').textContent = ft('login.password');
    part('[data-testid="login-submit"]').textContent = ft('login.submit');
    switcher.textContent = lang() === 'zh' ? 'English' : '中文';
  };
  relabel();
  const unlang = onLangChange(relabel);
  part('[data-testid="login-error"]').textContent = sessionStorage.getItem(NOTICE_KEY) ?? '';
  sessionStorage.removeItem(NOTICE_KEY);
  switcher.addEventListener('click', () => setLang(lang() === 'zh' ? 'en' : 'zh'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    signIn(form, (user, token) => {
      familyToken.set(token);
      unlang();
      enter(user, token);
    });
  });
}

async function boot(): Promise<void> {
  registerServiceWorker();
  const bearer = familyToken.get();
  if (!bearer) return showLogin();
  try {
    const { user } = await call<{ user: SessionUser }>('GET', '/api/session');
    if (user.role !== 'family') throw new Error('not a family user');
    enter(user, bearer);
  } catch {
    familyToken.clear();
    showLogin();
  }
}

void boot();
