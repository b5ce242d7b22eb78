import { checkinRule } from './checkin.ts';
import { deviceNoticeRule, deviceOfflineRule, wearableOffRule } from './device-supervision.ts';
import { fallRule } from './fall.ts';
import { gatewaySupervisionRule } from './gateway-supervision.ts';
import { hazardRule } from './hazard.ts';
import { inactivityRule } from './inactivity.ts';
import { nightDoorRule } from './night-door.ts';
import type { AnyRule } from './rule.ts';
import { sosRule } from './sos.ts';
import { vitalsRule } from './vitals.ts';

/**
 * Every rule the engine runs, listed explicitly; each input goes to every rule whose `key` is not null,
 * in this order (emergencies first, so their actions come first). Ids are stable: rule state and
 * per-elder settings are stored under them.
 */
export const RULES: readonly AnyRule[] = [
  sosRule,
  fallRule,
  hazardRule,
  vitalsRule,
  nightDoorRule,
  inactivityRule,
  checkinRule,
  gatewaySupervisionRule,
  deviceOfflineRule,
  wearableOffRule,
  deviceNoticeRule,
];

export function ruleById(id: string, rules: readonly AnyRule[] = RULES): AnyRule | undefined {
  return rules.find((rule) => rule.id === id);
}
