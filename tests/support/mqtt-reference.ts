import fc from 'fast-check';

/**
 * MQTT topic matching written out level by level, independently of the broker's matchers: the reference
 * the retained stores (broker/retained-index.ts, broker/redis-retained.ts) are property-tested against.
 */
export function referenceMatch(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  if ((f[0] === '+' || f[0] === '#') && t[0]?.startsWith('$')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

// Few distinct level names, so random topics share branches and random filters match some of them.
export const anyLevel = fc.constantFrom('a', 'b', 'c', '', '$s', 'eldercare', 'gw-1');
export const anyTopic = fc.array(anyLevel, { minLength: 1, maxLength: 5 }).map((l) => l.join('/'));
export const anyFilter = fc
  .tuple(fc.array(fc.oneof(anyLevel, fc.constant('+')), { minLength: 0, maxLength: 5 }), fc.boolean())
  .map(([levels, some]) => (some || levels.length === 0 ? [...levels, '#'] : levels).join('/'));
