import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gatewaySupervisionRule } from './gateway-supervision.ts';
import {
  event,
  gatewayState,
  lifecycleViolation,
  MINUTE_MS,
  RuleHarness,
  T0,
  vitals,
} from './test-harness.ts';

const M = MINUTE_MS;
const harness = () => new RuleHarness(gatewaySupervisionRule);

describe('gateway supervision rule', () => {
  it('when the gateway’s will says offline for more than 10 minutes, a high gateway_offline alert is raised', () => {
    const h = harness();
    h.send(gatewayState(true, T0));
    // The will's ts is from when the gateway connected: the window runs from its arrival.
    expect(h.send(gatewayState(false, T0 - 60 * M), T0 + M)).toEqual([]);
    expect(h.advanceTo(T0 + 11 * M - 1)).toEqual([]);
    const [action] = h.advanceBy(1);
    expect(action).toEqual({
      kind: 'raise',
      alert: expect.objectContaining({
        type: 'gateway_offline',
        severity: 'high',
        dedupeKey: 'gw-1:gateway_offline',
        occurredAt: T0 + M,
        details: { reason: 'offline', minutes: 10 },
        subject: expect.objectContaining({ gatewayId: 'gw-1', deviceId: '' }),
      }),
    });
  });

  it('when the gateway is online again before the window, nothing happens', () => {
    const h = harness();
    h.send(gatewayState(true, T0));
    h.send(gatewayState(false, T0 + M));
    expect(h.send(gatewayState(true, T0 + 11 * M - 1))).toEqual([]);
    expect(h.advanceBy(20 * M)).toEqual([]);
  });

  it('when the gateway is online again at exactly the window’s end, the alert is raised and cleared', () => {
    const h = harness();
    h.send(gatewayState(true, T0));
    h.send(gatewayState(false, T0 + M));
    expect(h.send(gatewayState(true, T0 + 11 * M)).map((a) => a.kind)).toEqual(['raise', 'clear']);
  });

  it('when the gateway is online again after the alert, it clears', () => {
    const h = harness();
    h.send(gatewayState(true, T0));
    h.send(gatewayState(false, T0 + M));
    h.advanceTo(T0 + 20 * M);
    expect(h.send(gatewayState(true, T0 + 21 * M))).toEqual([
      { kind: 'clear', dedupeKey: 'gw-1:gateway_offline', note: 'the gateway is back' },
    ]);
  });

  it('when a gateway is offline, its retained offline repeated does not restart the window', () => {
    const h = harness();
    h.send(gatewayState(false, T0));
    h.send(gatewayState(false, T0), T0 + 5 * M);
    expect(h.advanceTo(T0 + 10 * M)).toHaveLength(1);
  });

  it('when the first state ever seen is online, nothing is raised or cleared', () => {
    const h = harness();
    expect(h.send(gatewayState(true, T0))).toEqual([]);
    expect(h.state('gw-1')).toMatchObject({ offlineSince: null, raised: null });
  });

  it('when nothing at all comes from a gateway for more than 30 minutes, the same alert is raised for silence', () => {
    const h = harness();
    h.send(gatewayState(true, T0));
    h.send(vitals(T0 + 20 * M, { hr: 70 }));
    expect(h.advanceTo(T0 + 50 * M - 1)).toEqual([]);
    const [action] = h.advanceBy(1);
    expect(action).toMatchObject({
      kind: 'raise',
      alert: { dedupeKey: 'gw-1:gateway_offline', details: { reason: 'silent' } },
    });
  });

  it('when anything comes from a silent gateway, the silence alert clears', () => {
    const h = harness();
    h.send(gatewayState(true, T0));
    h.advanceTo(T0 + 40 * M);
    expect(h.send(event('motion', T0 + 41 * M)).map((a) => a.kind)).toEqual(['clear']);
  });

  it('when an offline gateway’s alert is open, only its online clears it', () => {
    const h = harness();
    h.send(gatewayState(false, T0));
    h.advanceTo(T0 + 15 * M);
    expect(h.send(event('motion', T0 + 16 * M))).toEqual([]);
    expect(h.send(gatewayState(true, T0 + 17 * M)).map((a) => a.kind)).toEqual(['clear']);
  });

  it('when silence is turned off, a quiet gateway raises nothing', () => {
    const h = new RuleHarness(gatewaySupervisionRule, { config: { gatewaySilentMinutes: null } });
    h.send(gatewayState(true, T0));
    expect(h.advanceBy(24 * 60 * M)).toEqual([]);
  });

  it('when the cloud restarts while a gateway is offline, the alert still fires on time', () => {
    const h = harness();
    h.send(gatewayState(true, T0));
    h.send(gatewayState(false, T0 + M));
    const restarted = RuleHarness.restore(gatewaySupervisionRule, h.snapshot());
    expect(restarted.advanceTo(T0 + 30 * M)).toHaveLength(1);
    expect(restarted.log[0]?.now).toBe(T0 + 11 * M);
  });

  it('two gateways are watched apart', () => {
    const h = harness();
    h.send(gatewayState(false, T0, { subject: { gatewayId: 'gw-1' } }));
    h.send(gatewayState(true, T0, { subject: { gatewayId: 'gw-2' } }));
    h.send(event('motion', T0 + 5 * M, { subject: { gatewayId: 'gw-2' } }));
    expect(h.advanceTo(T0 + 11 * M).map((a) => a.kind === 'raise' && a.alert.dedupeKey)).toEqual([
      'gw-1:gateway_offline',
    ]);
  });

  it('for any sequence of states, events and waits, clears follow raises and raises never repeat while open', () => {
    const step = fc.record({
      kind: fc.constantFrom('online', 'offline', 'event', 'wait'),
      dt: fc.integer({ min: 0, max: 45 }),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const h = harness();
        let t = T0;
        for (const s of steps) {
          t += s.dt * M;
          if (s.kind === 'wait') h.advanceTo(t);
          else if (s.kind === 'event') h.send(event('motion', t));
          else h.send(gatewayState(s.kind === 'online', t));
        }
        const actions = h.log.map((l) => l.action);
        expect(lifecycleViolation(actions)).toBeNull();
        const kinds = actions.map((a) => a.kind).join(',');
        expect(kinds).not.toMatch(/raise,raise/);
      }),
    );
  });
});
