import type { EventType } from '../../protocol/index.ts';
import type { Rule } from './rule.ts';
import { sosRule } from './sos.ts';

/** Every rule the engine runs, listed explicitly. */
export const RULES: readonly Rule<unknown>[] = [sosRule as Rule<unknown>];

export function rulesFor(type: EventType, rules: readonly Rule<unknown>[] = RULES): Rule<unknown>[] {
  return rules.filter((r) => r.eventTypes.includes(type));
}
