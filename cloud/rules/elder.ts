import type { Subject } from './rule.ts';

/**
 * What every rule's config carries besides its own settings. `livesAlone` and `dementia` come from the
 * elder's profile (the engine's resolver adds them); the offset is local time minus UTC, in minutes.
 */
export interface ElderFacts {
  livesAlone: boolean;
  dementia: boolean;
  timeZoneOffsetMinutes: number;
}

/** China Standard Time, where the first homes are; the engine overrides it per elder. */
export const ELDER_FACT_DEFAULTS: ElderFacts = {
  livesAlone: false,
  dementia: false,
  timeZoneOffsetMinutes: 480,
};

/** Whose alert it is: the elder, or the household when a device serves no one elder (a shared smoke alarm). */
export function elderKey(subject: Subject): string {
  return subject.elderId || subject.householdId;
}

/** Device ids are unique per gateway only. */
export function deviceKey(subject: Subject): string {
  return `${subject.gatewayId}:${subject.deviceId}`;
}
