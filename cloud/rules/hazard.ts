import { ELDER_FACT_DEFAULTS, type ElderFacts, elderKey } from './elder.ts';
import type { Rule } from './rule.ts';

type HazardType = 'smoke' | 'gas' | 'water_leak';

/** Smoke and gas can kill within minutes; a leak ruins a home and can make the elder slip. */
export const HAZARD_SEVERITY = { smoke: 'critical', gas: 'critical', water_leak: 'high' } as const;

const isHazard = (type: string): type is HazardType => Object.hasOwn(HAZARD_SEVERITY, type);

/**
 * Home hazards raise at once, one open alert per elder (or household) and hazard. Stateless. The room
 * comes from the event's `data.room` when the detector names one; the engine adds the device's location.
 */
export const hazardRule: Rule<undefined, ElderFacts> = {
  id: 'hazard',
  defaults: { ...ELDER_FACT_DEFAULTS },
  key: (input) => (input.kind === 'event' && isHazard(input.type) ? elderKey(input.subject) : null),
  evaluate(input) {
    if (input.kind !== 'event' || !isHazard(input.type)) return { actions: [], nextState: undefined };
    const { subject, type } = input;
    const room = input.data?.room ?? input.data?.location;
    const alert = {
      type,
      severity: HAZARD_SEVERITY[type],
      dedupeKey: `${elderKey(subject)}:${type}`,
      subject,
      eventId: input.eventId,
      occurredAt: input.at,
      ...(typeof room === 'string' ? { details: { room } } : {}),
    };
    return { actions: [{ kind: 'raise', alert }], nextState: undefined };
  },
};
