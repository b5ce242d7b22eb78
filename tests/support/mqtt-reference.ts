import fc from 'fast-check';

/**
 * MQTT topic matching as a regular expression built from the filter: a formulation of its own, unlike the
 * level-by-level walks of the matchers under test (broker/retained-index.ts, broker/redis-retained.ts),
 * so a mistake shared by those cannot hide here. `+` is one level, possibly empty (as Aedes routes); a
 * final `#` is the parent level and everything below it; a filter starting with a wildcard never matches
 * a `$` topic.
 */
export function referenceMatch(filter: string, topic: string): boolean {
  if (/^[+#]/.test(filter) && topic.startsWith('$')) return false;
  const literal = (level: string) => level.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const levels = filter.split('/');
  const some = levels.at(-1) === '#';
  const fixed = (some ? levels.slice(0, -1) : levels)
    .map((l) => (l === '+' ? '[^/]*' : literal(l)))
    .join('/');
  const source = !some ? fixed : levels.length === 1 ? '.*' : `${fixed}(?:/.*)?`;
  return new RegExp(`^${source}$`, 's').test(topic);
}

// Few distinct level names, so random topics share branches and random filters match some of them.
export const anyLevel = fc.constantFrom('a', 'b', 'c', '', '$s', 'eldercare', 'gw-1');
export const anyTopic = fc.array(anyLevel, { minLength: 1, maxLength: 5 }).map((l) => l.join('/'));
export const anyFilter = fc
  .tuple(fc.array(fc.oneof(anyLevel, fc.constant('+')), { minLength: 0, maxLength: 5 }), fc.boolean())
  .map(([levels, some]) => (some || levels.length === 0 ? [...levels, '#'] : levels).join('/'));
