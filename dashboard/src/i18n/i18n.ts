import { STRINGS, type StringKey } from './strings.ts';

export type Lang = 'en' | 'zh';
const LANG_KEY = 'eldercare.dispatch.lang';

/** The saved choice, else the browser's language: any Chinese locale gets Chinese. */
function initialLang(): Lang {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === 'en' || saved === 'zh') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

let current: Lang = initialLang();
const listeners = new Set<() => void>();

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  if (next === current) return;
  current = next;
  localStorage.setItem(LANG_KEY, next);
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
  for (const listener of listeners) listener();
}

/** Called after every language switch; returns the removal. */
export function onLangChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The string for `key` in the current language, with `{name}` filled in from `vars`. */
export function t(key: StringKey, vars: Record<string, string | number> = {}): string {
  const text = STRINGS[key][current === 'en' ? 0 : 1];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** The label of a server enum value (`label('type', 'sos')`), or the value itself when unknown. */
export function label(prefix: string, value: string): string {
  const key = `${prefix}.${value}`;
  return key in STRINGS ? t(key as StringKey) : value;
}

document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
