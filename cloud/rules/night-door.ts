import { ELDER_FACT_DEFAULTS, type ElderFacts } from './elder.ts';
import type { Rule } from './rule.ts';
import { inDailyWindow, parseTimeOfDay } from './time.ts';

export interface NightDoorConfig extends ElderFacts {
  /** Local `HH:MM` the night starts and ends; the window wraps past midnight. */
  nightStart: string;
  nightEnd: string;
}

/**
 * A door opened at night in the home of an elder with dementia: they may be wandering out. High, at
 * once, by the door's own time. Stateless; a door closing does not clear it, since the elder may have
 * gone out and closed it behind them.
 */
export const nightDoorRule: Rule<undefined, NightDoorConfig> = {
  id: 'night-door',
  defaults: { ...ELDER_FACT_DEFAULTS, nightStart: '22:00', nightEnd: '06:00' },
  key: (input) =>
    input.kind === 'event' && input.type === 'door_open' && input.subject.elderId
      ? input.subject.elderId
      : null,
  evaluate(input, _state, _now, config) {
    if (input.kind !== 'event' || !config.dementia) return { actions: [], nextState: undefined };
    const start = parseTimeOfDay(config.nightStart, 'nightStart');
    const end = parseTimeOfDay(config.nightEnd, 'nightEnd');
    if (!inDailyWindow(input.at, start, end, config.timeZoneOffsetMinutes))
      return { actions: [], nextState: undefined };
    const { subject } = input;
    const room = typeof input.data?.room === 'string' ? { room: input.data.room } : {};
    const alert = {
      type: 'night_door' as const,
      severity: 'high' as const,
      dedupeKey: `${subject.elderId}:night_door`,
      subject,
      eventId: input.eventId,
      occurredAt: input.at,
      details: room,
    };
    return { actions: [{ kind: 'raise', alert }], nextState: undefined };
  },
};
