import type { AnyRule } from './rule.ts';

/** Settings that come from the elder's profile, never from a rule override. */
const FACTS = new Set(['livesAlone', 'dementia']);
const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

/**
 * A rule's config schema is its defaults: an override may set only keys the defaults have, each of the
 * same kind (a number for a number, an `HH:MM` time for a time, a partial object for an object; a key
 * whose default is null takes a time or null). Returns the first problem with its path, or null.
 */
export function checkRuleOverride(rule: AnyRule, override: unknown): string | null {
  if (!isObject(override)) return '/ must be an object';
  for (const key of Object.keys(override)) {
    if (FACTS.has(key)) return `/${key} comes from the elder's profile, not from rule settings`;
  }
  return checkAgainst(rule.defaults as Record<string, unknown>, override, '');
}

function checkAgainst(
  defaults: Record<string, unknown>,
  value: Record<string, unknown>,
  path: string,
): string | null {
  for (const [key, v] of Object.entries(value)) {
    const where = `${path}/${key}`;
    if (!(key in defaults)) return `${where} is not a setting of this rule`;
    const problem = checkValue(defaults[key], v, where);
    if (problem) return problem;
  }
  return null;
}

function checkValue(def: unknown, v: unknown, where: string): string | null {
  if (typeof def === 'number')
    return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? null : `${where} must be a number ≥ 0`;
  if (typeof def === 'boolean') return typeof v === 'boolean' ? null : `${where} must be true or false`;
  if (typeof def === 'string' || def === null) {
    if (v === null && def === null) return null;
    if (typeof v !== 'string') return `${where} must be ${def === null ? 'a time HH:MM or null' : 'text'}`;
    const clock = def === null || CLOCK.test(def as string);
    return !clock || CLOCK.test(v) ? null : `${where} must be a time HH:MM`;
  }
  if (isObject(def)) return isObject(v) ? checkAgainst(def, v, where) : `${where} must be an object`;
  return `${where} cannot be changed`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
