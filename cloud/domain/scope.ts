import { type Alert, type Role, regionWithin } from '../../protocol/index.ts';

/** The caller of an API route or a socket: who they are and what part of the world they may see. */
export interface User {
  username: string;
  role: Role;
  /** A region id (dot path); family users carry their household's community here. */
  scope: string;
  elderIds: string[];
}

/** Does `user` see things that happen to `elderId` in `region`? Family users see only their elders. */
export function covers(user: User, target: { region: string; elderId: string }): boolean {
  if (user.role === 'family') return user.elderIds.includes(target.elderId);
  return regionWithin(target.region, user.scope);
}

export function canSeeAlert(user: User, alert: Pick<Alert, 'region' | 'elderId'>): boolean {
  return covers(user, alert);
}

/** Acknowledging and resolving is the dispatch staff's work, inside their scope. */
export function canHandleAlert(user: User, alert: Pick<Alert, 'region' | 'elderId'>): boolean {
  return user.role !== 'family' && covers(user, alert);
}
