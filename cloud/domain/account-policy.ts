import type { RegionRow } from './registry.ts';

/** The shortest password an admin may set. */
export const MIN_PASSWORD_LENGTH = 10;

/** Why `password` may not be `username`'s password, or null when it may. */
export function passwordProblem(username: string, password: string): string | null {
  // Characters, not UTF-16 units: a 10-character Chinese passphrase is as long as it looks.
  if ([...password].length < MIN_PASSWORD_LENGTH)
    return `must be at least ${MIN_PASSWORD_LENGTH} characters long`;
  if (password.trim().toLowerCase() === username.trim().toLowerCase()) return 'must not be the username';
  return null;
}

type Level = RegionRow['level'];
const CHILD: Record<Level, Level | null> = { city: 'district', district: 'community', community: null };

/** The level a region under a `parent` of this level must have: city → district → community. */
export function childLevel(parent: Level): Level | null {
  return CHILD[parent];
}

/**
 * Why `id` cannot name a child of `parent`, or null: region ids are dot paths, so a child's id is its
 * parent's id plus one more segment (`ziyang.yanjiang` + `.shizishan`).
 */
export function childIdProblem(id: string, parent: string): string | null {
  const rest = id.startsWith(`${parent}.`) ? id.slice(parent.length + 1) : null;
  return rest && !rest.includes('.') ? null : `must be ${parent}.<segment>`;
}

/** The narrowest region that holds all of `regions` (their longest common dot-path prefix). */
export function commonRegion(regions: readonly string[]): string {
  const [first, ...rest] = regions.map((r) => r.split('.'));
  if (!first) return '';
  let length = first.length;
  for (const parts of rest) {
    let i = 0;
    while (i < length && i < parts.length && parts[i] === first[i]) i++;
    length = i;
  }
  return first.slice(0, length).join('.');
}
