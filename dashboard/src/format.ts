import { label, lang, t } from './i18n/i18n.ts';

const two = (n: number): string => String(n).padStart(2, '0');

/** A waiting time as m:ss or h:mm:ss, for the ticking age column. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

/** A duration in the largest sensible unit: "45 s", "12 min", "3 h", "2 d". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return t('time.s', { n: s });
  if (s < 90 * 60) return t('time.min', { n: Math.round(s / 60) });
  if (s < 48 * 3600) return t('time.h', { n: Math.round(s / 3600) });
  return t('time.d', { n: Math.round(s / 86400) });
}

export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return t('time.never');
  const at = Date.parse(iso);
  return Number.isFinite(at) ? t('time.ago', { t: duration(now - at) }) : iso;
}

/** Local date and time, 24-hour, in the reader's language. */
export function dateTime(iso: string | undefined): string {
  if (!iso) return '—';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return at.toLocaleString(lang() === 'zh' ? 'zh-CN' : 'en-GB', {
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
}

export function percent(share: number | null | undefined, digits = 1): string {
  return share === null || share === undefined ? '—' : `${(share * 100).toFixed(digits)} %`;
}

export function seconds(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : t('figures.seconds', { n: Math.round(value) });
}

/** Age in years from a birth year, when the server did not send one. */
export function ageFrom(birthYear: number | undefined, now = new Date()): number | undefined {
  return birthYear ? now.getFullYear() - birthYear : undefined;
}

/** An alert's kind and, when the sensor named one, its room: "烟雾报警 · 厨房". */
export function alertWhat(a: { type: string; details?: Record<string, unknown> }): string {
  const room = a.details?.room;
  return typeof room === 'string' && room
    ? `${label('type', a.type)} · ${label('room', room)}`
    : label('type', a.type);
}
