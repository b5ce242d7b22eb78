/** Ids of gateways, devices, elders, households: 1 to 64 characters of A-Z a-z 0-9 _ - (CONTRACT §3). */
export const ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
/** Event and vitals ids: 8 to 64 id characters; the idempotency key of an event. */
export const EVENT_ID_PATTERN = '^[A-Za-z0-9_-]{8,64}$';
/** Region ids are dot paths of id segments: `ziyang.yanjiang.shizishan`. */
export const REGION_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}(\\.[A-Za-z0-9_-]{1,64}){0,3}$';
/** ISO-8601 UTC time with milliseconds: `2026-11-22T09:15:02.123Z`. */
export const TIMESTAMP_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$';

const idRe = new RegExp(ID_PATTERN);
const tsRe = new RegExp(TIMESTAMP_PATTERN);

export function isId(value: string): boolean {
  return idRe.test(value);
}

/** True for a T string that names a real instant (rejects 2026-13-45T…). */
export function isTimestamp(value: string): boolean {
  if (!tsRe.test(value)) return false;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && new Date(ms).toISOString() === value;
}

/** The contract's T format for an instant. */
export function timestamp(ms: number = Date.now()): string {
  return new Date(ms).toISOString();
}

/** True when `region` is `scope` itself or lies below it in the region tree. */
export function regionWithin(region: string, scope: string): boolean {
  return region === scope || region.startsWith(`${scope}.`);
}

/** `a.b.c` → [`a`, `a.b`, `a.b.c`]: every region whose scope covers this one. */
export function regionAncestors(region: string): string[] {
  const parts = region.split('.');
  return parts.map((_, i) => parts.slice(0, i + 1).join('.'));
}
