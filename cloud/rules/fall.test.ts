import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fallRule } from './fall.ts';
import type { RuleInput } from './rule.ts';
import { event, lifecycleViolation, MINUTE_MS, RuleHarness, SECOND_MS, T0 } from './test-harness.ts';

const S = SECOND_MS;

describe('fall rule', () => {
  it('when nobody gets up within the grace, a critical fall alert fires at the end of it with the fall as cause', () => {
    const h = new RuleHarness(fallRule);
    expect(h.send(event('fall', T0, { id: 'ev-fall-1' }))).toEqual([]);
    expect(h.wakeAt('el-1')).toBe(T0 + 30 * S);
    expect(h.advanceTo(T0 + 30 * S - 1)).toEqual([]);
    const [action] = h.advanceBy(1);
    expect(action).toEqual({
      kind: 'raise',
      alert: expect.objectContaining({
        type: 'fall',
        severity: 'critical',
        dedupeKey: 'el-1:fall',
        eventId: 'ev-fall-1',
        occurredAt: T0,
      }),
    });
  });

  it('when the elder gets up inside the grace, nothing is raised', () => {
    const h = new RuleHarness(fallRule);
    h.send(event('fall', T0));
    expect(h.send(event('fall_cleared', T0 + 20 * S))).toEqual([]);
    expect(h.advanceBy(10 * MINUTE_MS)).toEqual([]);
  });

  it('when the elder cancels with the SOS button inside the grace, nothing is raised', () => {
    const h = new RuleHarness(fallRule);
    h.send(event('fall', T0));
    h.send(event('sos_cancel', T0 + 5 * S));
    expect(h.advanceBy(10 * MINUTE_MS)).toEqual([]);
  });

  it('when the fall is cleared 1 ms before graceS, nothing is raised', () => {
    const h = new RuleHarness(fallRule);
    h.send(event('fall', T0));
    expect(h.send(event('fall_cleared', T0 + 30 * S - 1))).toEqual([]);
    expect(h.advanceBy(MINUTE_MS)).toEqual([]);
  });

  it('when the fall is cleared at exactly graceS, the alert wins: raised then cleared, whichever runs first', () => {
    const tickFirst = new RuleHarness(fallRule);
    tickFirst.send(event('fall', T0));
    const afterTick = tickFirst.send(event('fall_cleared', T0 + 30 * S), T0 + 30 * S);
    const eventFirst = new RuleHarness(fallRule);
    eventFirst.send(event('fall', T0));
    const beforeTick = eventFirst.sendBeforeDue(event('fall_cleared', T0 + 30 * S), T0 + 30 * S);
    expect(afterTick.map((a) => a.kind)).toEqual(['raise', 'clear']);
    expect(beforeTick.map((a) => a.kind)).toEqual(['raise', 'clear']);
  });

  it('when presence, absence or motion follow a fall, they are not a recovery', () => {
    const h = new RuleHarness(fallRule);
    h.send(event('fall', T0));
    for (const type of ['presence', 'absence', 'motion'] as const) h.send(event(type, T0 + 5 * S));
    expect(h.advanceBy(MINUTE_MS).map((a) => a.kind)).toEqual(['raise']);
  });

  it('when the elder gets up after the alert, it is cleared and the operator decides', () => {
    const h = new RuleHarness(fallRule);
    h.send(event('fall', T0));
    h.advanceTo(T0 + MINUTE_MS);
    expect(h.send(event('fall_cleared', T0 + 2 * MINUTE_MS))).toEqual([
      expect.objectContaining({ kind: 'clear', dedupeKey: 'el-1:fall' }),
    ]);
  });

  it('when a recovery observed after the grace arrives before the tick ran, the fall is raised and cleared at once', () => {
    const h = new RuleHarness(fallRule);
    h.send(event('fall', T0));
    // The engine's clock has not reached the wake-up, but the device says the elder lay for 40 s.
    const actions = h.send(event('fall_cleared', T0 + 40 * S), T0 + 29 * S);
    expect(actions.map((a) => a.kind)).toEqual(['raise', 'clear']);
  });

  it('when the fall arrives older than its grace (late delivery), it is raised at once with its own time', () => {
    const h = new RuleHarness(fallRule);
    const [action] = h.send(event('fall', T0, { id: 'ev-late' }), T0 + 5 * MINUTE_MS);
    expect(action).toMatchObject({ kind: 'raise', alert: { eventId: 'ev-late', occurredAt: T0 } });
  });

  it('when the fall and its recovery are both delivered late, in order, nothing is raised', () => {
    const h = new RuleHarness(fallRule);
    // The gateway was offline; it drains its outbox 10 minutes later, but the fall is raised on arrival.
    expect(h.send(event('fall', T0), T0 + 10 * MINUTE_MS).map((a) => a.kind)).toEqual(['raise']);
    expect(h.send(event('fall_cleared', T0 + 10 * S), T0 + 10 * MINUTE_MS).map((a) => a.kind)).toEqual([
      'clear',
    ]);
  });

  it('when the recovery is delivered before its fall, the fall is cancelled', () => {
    const h = new RuleHarness(fallRule);
    h.send(event('fall_cleared', T0 + 10 * S), T0 + 11 * S);
    expect(h.send(event('fall', T0), T0 + 12 * S)).toEqual([]);
    expect(h.advanceBy(MINUTE_MS)).toEqual([]);
  });

  it('when a fall_cleared observed before the fall arrives after it, it does not cancel the fall', () => {
    const h = new RuleHarness(fallRule);
    h.send(event('fall', T0 + 10 * S));
    expect(h.send(event('fall_cleared', T0), T0 + 11 * S)).toEqual([]);
    expect(h.advanceBy(MINUTE_MS).map((a) => a.kind)).toEqual(['raise']);
  });

  it('when a second fall comes inside the grace, the first one’s time and deadline are kept', () => {
    const h = new RuleHarness(fallRule);
    h.send(event('fall', T0, { id: 'ev-first' }));
    h.send(event('fall', T0 + 20 * S, { id: 'ev-second' }));
    const [action] = h.advanceTo(T0 + 30 * S);
    expect(action).toMatchObject({ kind: 'raise', alert: { eventId: 'ev-first', occurredAt: T0 } });
  });

  it('when the gateway resends the fall, no second grace starts', () => {
    const h = new RuleHarness(fallRule);
    h.send(event('fall', T0, { id: 'ev-f' }));
    h.send(event('fall_cleared', T0 + 5 * S));
    expect(h.send(event('fall', T0, { id: 'ev-f' }), T0 + 6 * S)).toEqual([]);
    expect(h.advanceBy(MINUTE_MS)).toEqual([]);
  });

  it('when the cloud restarts mid-grace, the restored state still fires at the wake-up', () => {
    const h = new RuleHarness(fallRule);
    h.send(event('fall', T0, { id: 'ev-f' }));
    h.advanceTo(T0 + 10 * S);
    const restarted = RuleHarness.restore(fallRule, h.snapshot());
    expect(restarted.advanceTo(T0 + 2 * MINUTE_MS)).toEqual([
      expect.objectContaining({ kind: 'raise', alert: expect.objectContaining({ eventId: 'ev-f' }) }),
    ]);
    expect(restarted.log[0]?.now).toBe(T0 + 30 * S);
  });

  it('when FALL_GRACE_S is 0, a fall is raised at once', () => {
    const h = new RuleHarness(fallRule, { config: { graceS: 0 } });
    expect(h.send(event('fall', T0)).map((a) => a.kind)).toEqual(['raise']);
  });

  it('when an elder has a longer grace, the alert waits for it', () => {
    const h = new RuleHarness(fallRule, { elders: { 'el-1': { graceS: 120 } } });
    h.send(event('fall', T0));
    expect(h.advanceTo(T0 + 120 * S - 1)).toEqual([]);
    expect(h.advanceBy(1)).toHaveLength(1);
  });

  it('when the gateway clock runs ahead, the grace still ends on the cloud’s clock', () => {
    const h = new RuleHarness(fallRule);
    h.send(event('fall', T0 + 60 * MINUTE_MS), T0);
    expect(h.advanceTo(T0 + 31 * S).map((a) => a.kind)).toEqual(['raise']);
  });

  it('for any sequence of falls, recoveries and waits, clears follow raises and no fall event raises twice', () => {
    const step = fc.oneof(
      fc.record({
        type: fc.constantFrom('fall', 'fall_cleared', 'sos_cancel', 'motion'),
        dt: fc.integer({ min: 0, max: 60 }),
      }),
      fc.record({ type: fc.constant('wait'), dt: fc.integer({ min: 0, max: 120 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const h = new RuleHarness(fallRule);
        let t = T0;
        for (const s of steps) {
          t += s.dt * S;
          if (s.type === 'wait') h.advanceTo(t);
          else h.send(event(s.type as Extract<RuleInput, { kind: 'event' }>['type'], t));
        }
        h.advanceBy(MINUTE_MS);
        expect(lifecycleViolation(h.log.map((l) => l.action))).toBeNull();
        const raisedEvents = h.actions('raise').map((a) => a.alert.eventId);
        expect(new Set(raisedEvents).size).toBe(raisedEvents.length);
      }),
    );
  });
});
