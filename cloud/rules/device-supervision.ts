import { deviceKey, ELDER_FACT_DEFAULTS, type ElderFacts } from './elder.ts';
import { type HeldSpec, type HeldState, observe, settle } from './held.ts';
import type { Rule, Subject } from './rule.ts';
import { MINUTE_MS } from './time.ts';

export interface DeviceOfflineConfig extends ElderFacts {
  /** Minutes a device may be reported offline by its gateway before an alert. */
  deviceOfflineMinutes: number;
}

export interface WearableOffConfig extends ElderFacts {
  /** Minutes a wearable may be off the body before an alert (a bath, a night's charge). */
  wearableOffMinutes: number;
}

function offlineSpec(subject: Subject, config: DeviceOfflineConfig): HeldSpec {
  const dedupeKey = `${deviceKey(subject)}:device_offline`;
  return {
    windowMs: config.deviceOfflineMinutes * MINUTE_MS,
    dedupeKey,
    clearNote: 'the device is online again',
    draft: (s) => ({
      type: 'device_offline',
      severity: 'medium',
      dedupeKey,
      subject: s.subject,
      eventId: `rule:device-offline:${deviceKey(s.subject)}:${s.since}`,
      occurredAt: s.since,
      details: { minutes: config.deviceOfflineMinutes },
    }),
  };
}

/** A device its gateway reports offline (its retained state topic) for more than `deviceOfflineMinutes`. */
export const deviceOfflineRule: Rule<HeldState, DeviceOfflineConfig> = {
  id: 'device-offline',
  defaults: { ...ELDER_FACT_DEFAULTS, deviceOfflineMinutes: 15 },
  key: (input) => (input.kind === 'device-state' ? deviceKey(input.subject) : null),
  evaluate(input, state, now, config) {
    if (input.kind !== 'device-state') return { actions: [], nextState: state };
    const seen = { subject: input.subject, holds: !input.online, at: input.at, eventId: null };
    return observe(state, seen, now, offlineSpec(input.subject, config));
  },
  tick: (state, now, config) => settle(state, now, offlineSpec(state.subject, config)),
};

function wearableSpec(subject: Subject, config: WearableOffConfig): HeldSpec {
  const dedupeKey = `${deviceKey(subject)}:wearable_off`;
  return {
    windowMs: config.wearableOffMinutes * MINUTE_MS,
    dedupeKey,
    clearNote: 'the wearable is worn again',
    draft: (s) => ({
      type: 'wearable_off',
      severity: 'medium',
      dedupeKey,
      subject: s.subject,
      eventId: s.sinceEventId ?? `rule:wearable-off:${deviceKey(s.subject)}:${s.since}`,
      occurredAt: s.since,
      details: { minutes: config.wearableOffMinutes },
    }),
  };
}

/** A wearable (SOS pendant, watch) off the body for more than `wearableOffMinutes`: it cannot see a fall. */
export const wearableOffRule: Rule<HeldState, WearableOffConfig> = {
  id: 'wearable-off',
  defaults: { ...ELDER_FACT_DEFAULTS, wearableOffMinutes: 30 },
  key(input) {
    if (input.kind !== 'event' || (input.type !== 'wearable_off' && input.type !== 'wearable_on'))
      return null;
    return deviceKey(input.subject);
  },
  evaluate(input, state, now, config) {
    if (input.kind !== 'event') return { actions: [], nextState: state };
    const seen = {
      subject: input.subject,
      holds: input.type === 'wearable_off',
      at: input.at,
      eventId: input.eventId,
    };
    return observe(state, seen, now, wearableSpec(input.subject, config));
  },
  tick: (state, now, config) => settle(state, now, wearableSpec(state.subject, config)),
};

/**
 * What a device says about itself, at once and one per device: a low battery and a case opened, both
 * low (a tamper is most often a battery change or an installer's visit; the hazard, door and SOS rules carry
 * the urgent cases). Neither clears itself; the operator resolves
 * after a visit. Stateless: the dedupe key makes a repeat update the open alert.
 */
export const deviceNoticeRule: Rule<undefined, ElderFacts> = {
  id: 'device-notice',
  defaults: { ...ELDER_FACT_DEFAULTS },
  key(input) {
    if (input.kind !== 'event' || (input.type !== 'low_battery' && input.type !== 'tamper')) return null;
    return deviceKey(input.subject);
  },
  evaluate(input) {
    if (input.kind !== 'event' || (input.type !== 'low_battery' && input.type !== 'tamper')) {
      return { actions: [], nextState: undefined };
    }
    const { subject, type } = input;
    const details = typeof input.data?.battery === 'number' ? { battery: input.data.battery } : undefined;
    const alert = {
      type,
      severity: 'low' as const,
      dedupeKey: `${deviceKey(subject)}:${type}`,
      subject,
      eventId: input.eventId,
      occurredAt: input.at,
      ...(details ? { details } : {}),
    };
    return { actions: [{ kind: 'raise', alert }], nextState: undefined };
  },
};
