import type { Rule } from './rule.ts';

/** One-key call for help: a critical alert at once, one per elder while it is being handled. */
export const sosRule: Rule<undefined> = {
  id: 'sos',
  eventTypes: ['sos'],
  evaluate(event) {
    return {
      alerts: [{ type: 'sos', severity: 'critical', dedupeKey: `${event.elderId || event.householdId}:sos` }],
      nextState: undefined,
    };
  },
};
