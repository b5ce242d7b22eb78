import { ApiError, api, statusOf } from '../api.ts';
import { lang, onLangChange, setLang, t } from '../i18n/i18n.ts';
import type { SessionUser } from '../types.ts';

export interface LoginAnswer {
  token: string;
  user: SessionUser;
}

function part<T extends Element>(root: ParentNode, selector: string): T {
  const el = root.querySelector<T>(selector);
  if (!el) throw new Error(`index.html's sign-in form has no ${selector}`);
  return el;
}

/**
 * Takes over the sign-in form of index.html (in `root`): labels it in the reader's language and posts
 * it to `/api/session`; `onLogin` gets the session. `notice` is shown first ("session expired").
 */
export function loginView(
  root: ParentNode,
  onLogin: (answer: LoginAnswer) => void,
  notice: string,
): { stop(): void } {
  const form = part<HTMLFormElement>(root, '[data-testid="login-form"]');
  const username = part<HTMLInputElement>(form, '[data-testid="login-username"]');
  const password = part<HTMLInputElement>(form, '[data-testid="login-password"]');
  const submit = part<HTMLButtonElement>(form, '[data-testid="login-submit"]');
  const error = part<HTMLElement>(form, '[data-testid="login-error"]');
  const switcher = part<HTMLButtonElement>(form, '[data-testid="lang-switch"]');
  error.textContent = notice;

  const relabel = (): void => {
    part(form, '[data-role="heading"]').textContent = `${t('login.heading')} · ${t('app.title')}`;
    part(form, '[data-role="username"]').textContent = t('login.username');
    part(form, '[data-role="password"]').textContent = t('login.password');
    submit.textContent = t('login.submit');
    switcher.textContent = t('lang.switch');
  };
  relabel();

  const onSwitch = (): void => setLang(lang() === 'zh' ? 'en' : 'zh');
  const onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    api<LoginAnswer>('POST', '/api/session', { username: username.value, password: password.value })
      .then((answer) => {
        form.reset();
        onLogin(answer);
      })
      .catch((err: unknown) => {
        const status = statusOf(err);
        const code = err instanceof ApiError ? (err.body as { code?: string } | null)?.code : undefined;
        error.textContent =
          code === 'ERR_ACCOUNT_DISABLED'
            ? t('login.disabled')
            : status === 401
              ? t('login.bad')
              : status === 0
                ? t('login.unreachable')
                : t('login.failed', { status });
      })
      .finally(() => {
        submit.disabled = false;
      });
  };
  switcher.addEventListener('click', onSwitch);
  form.addEventListener('submit', onSubmit);
  const unlang = onLangChange(relabel);
  username.focus();
  return {
    stop: () => {
      unlang();
      switcher.removeEventListener('click', onSwitch);
      form.removeEventListener('submit', onSubmit);
    },
  };
}
