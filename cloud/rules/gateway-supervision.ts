import { ELDER_FACT_DEFAULTS, type ElderFacts } from './elder.ts';
import type { Evaluation, Rule, RuleAction, RuleInput, Subject } from './rule.ts';
import { MINUTE_MS, windowEnd } from './time.ts';

export interface GatewaySupervisionConfig extends ElderFacts {
  /** Minutes a gateway may stay offline (its will, or a clean `offline`) before an alert. */
  gatewayOfflineMinutes: number;
  /** Minutes without any input from a gateway (missed heartbeats) before an alert; null turns it off. */
  gatewaySilentMinutes: number | null;
}

export interface GatewaySupervisionState {
  /** The gateway's world; `deviceId` is '' because the alert is about the gateway itself. */
  subject: Subject;
  /** The cloud's time of the newest input from the gateway. */
  lastSeenAt: number;
  /** The cloud's time the gateway went offline; null while it is online or unknown. */
  offlineSince: number | null;
  /** What the open alert was raised for; null when none is open. */
  raised: 'offline' | 'silent' | null;
}

/**
 * A home's gateway offline or silent. Both windows run on the cloud's clock (`now`), not on the
 * payload's `ts`: the will's `ts` is stamped when the gateway connected, so it says nothing about
 * when the gateway died. The first state ever seen starts nothing but the clocks: an `online` first
 * clears nothing, and an `offline` first raises only once it has lasted the window.
 */
export const gatewaySupervisionRule: Rule<GatewaySupervisionState, GatewaySupervisionConfig> = {
  id: 'gateway-supervision',
  defaults: { ...ELDER_FACT_DEFAULTS, gatewayOfflineMinutes: 10, gatewaySilentMinutes: 30 },
  key: (input) => input.subject.gatewayId || null,
  evaluate(input, state, now, config) {
    const subject = { ...input.subject, deviceId: '' };
    const base = state ?? { subject, lastSeenAt: now, offlineSince: null, raised: null };
    if (input.kind === 'gateway-state' && !input.online) {
      return settle({ ...base, subject, offlineSince: base.offlineSince ?? now }, now, config);
    }
    // A window that ran out before this input is raised first (if the tick has not run yet), then cleared.
    const judged = settle(base, now, config);
    const offlineSince = isOnlineState(input) ? null : judged.nextState.offlineSince;
    // Silence ends with any input; a reported offline only with the gateway's `online`.
    const back = judged.nextState.raised !== null && offlineSince === null;
    const clear: RuleAction[] = back
      ? [{ kind: 'clear', dedupeKey: dedupeKeyOf(subject), note: 'the gateway is back' }]
      : [];
    const next = { ...judged.nextState, subject, lastSeenAt: now, offlineSince };
    const settled = settle({ ...next, raised: back ? null : next.raised }, now, config);
    return { ...settled, actions: [...judged.actions, ...clear, ...settled.actions] };
  },
  tick: (state, now, config) => settle(state, now, config),
};

function isOnlineState(input: RuleInput): boolean {
  return input.kind === 'gateway-state' && input.online;
}

function dedupeKeyOf(subject: Subject): string {
  return `${subject.gatewayId}:gateway_offline`;
}

function settle(
  state: GatewaySupervisionState,
  now: number,
  config: GatewaySupervisionConfig,
): Evaluation<GatewaySupervisionState> & { nextState: GatewaySupervisionState } {
  if (state.raised) return { actions: [], nextState: state };
  const offlineDue =
    state.offlineSince === null
      ? Number.POSITIVE_INFINITY
      : windowEnd(state.offlineSince, config.gatewayOfflineMinutes * MINUTE_MS);
  const silentDue =
    config.gatewaySilentMinutes === null
      ? Number.POSITIVE_INFINITY
      : windowEnd(state.lastSeenAt, config.gatewaySilentMinutes * MINUTE_MS);
  if (now >= offlineDue && state.offlineSince !== null)
    return raise(state, 'offline', state.offlineSince, config.gatewayOfflineMinutes);
  if (now >= silentDue) return raise(state, 'silent', state.lastSeenAt, config.gatewaySilentMinutes ?? 0);
  const wakeAt = Math.min(offlineDue, silentDue);
  return Number.isFinite(wakeAt)
    ? { actions: [], nextState: state, wakeAt }
    : { actions: [], nextState: state };
}

function raise(
  state: GatewaySupervisionState,
  reason: 'offline' | 'silent',
  since: number,
  minutes: number,
): Evaluation<GatewaySupervisionState> & { nextState: GatewaySupervisionState } {
  const { subject } = state;
  const action: RuleAction = {
    kind: 'raise',
    alert: {
      type: 'gateway_offline',
      severity: 'high',
      dedupeKey: dedupeKeyOf(subject),
      subject,
      eventId: `rule:gateway-supervision:${subject.gatewayId}:${since}`,
      occurredAt: since,
      details: { reason, minutes },
    },
  };
  return { actions: [action], nextState: { ...state, raised: reason } };
}
