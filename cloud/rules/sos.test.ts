import { describe, expect, it } from 'vitest';
import { sosRule } from './sos.ts';
import { event, RuleHarness, SECOND_MS, T0 } from './test-harness.ts';

describe('sos rule', () => {
  it('when the elder presses SOS, a critical sos alert is raised at once with the event as its cause', () => {
    const h = new RuleHarness(sosRule);
    const actions = h.send(event('sos', T0, { id: 'ev-sos-1' }));
    expect(actions).toEqual([
      {
        kind: 'raise',
        alert: expect.objectContaining({
          type: 'sos',
          severity: 'critical',
          dedupeKey: 'el-1:sos',
          eventId: 'ev-sos-1',
          occurredAt: T0,
        }),
      },
    ]);
  });

  it('when the device belongs to no elder, the household is the dedupe key', () => {
    const h = new RuleHarness(sosRule);
    const [action] = h.send(event('sos', T0, { subject: { elderId: '' } }));
    expect(action?.kind === 'raise' && action.alert.dedupeKey).toBe('hh-1:sos');
  });

  it('when the gateway resends the same SOS event, nothing more happens', () => {
    const h = new RuleHarness(sosRule);
    h.send(event('sos', T0, { id: 'ev-sos-1' }));
    expect(h.send(event('sos', T0, { id: 'ev-sos-1' }), T0 + 5 * SECOND_MS)).toEqual([]);
  });

  it('when the elder presses SOS twice, the open alert is raised again under the same key', () => {
    const h = new RuleHarness(sosRule);
    h.send(event('sos', T0));
    h.send(event('sos', T0 + 10 * SECOND_MS));
    expect(h.actions('raise').map((a) => a.alert.dedupeKey)).toEqual(['el-1:sos', 'el-1:sos']);
  });

  it('when the elder cancels within the window, the alert resolves as a false alarm and the record stays', () => {
    const h = new RuleHarness(sosRule);
    h.send(event('sos', T0));
    const actions = h.send(event('sos_cancel', T0 + 60 * SECOND_MS));
    expect(actions).toEqual([
      {
        kind: 'resolve',
        dedupeKey: 'el-1:sos',
        outcome: 'false_alarm',
        note: 'cancelled by the elder at the button',
      },
    ]);
    expect(h.state('el-1')).toMatchObject({ openSince: null, lastCancelAt: T0 + 60 * SECOND_MS });
  });

  it('the cancel window is half-open: 1 ms before cancelWindowS is a false alarm, at exactly it the operator decides', () => {
    const cancelAfter = (ms: number) => {
      const h = new RuleHarness(sosRule);
      h.send(event('sos', T0));
      return h.send(event('sos_cancel', T0 + ms))[0]?.kind;
    };
    expect(cancelAfter(120 * SECOND_MS - 1)).toBe('resolve');
    expect(cancelAfter(120 * SECOND_MS)).toBe('clear');
  });

  it('when the elder cancels after the window, the alert is only cleared and the operator decides', () => {
    const h = new RuleHarness(sosRule);
    h.send(event('sos', T0));
    const [action] = h.send(event('sos_cancel', T0 + 121 * SECOND_MS));
    expect(action).toMatchObject({ kind: 'clear', dedupeKey: 'el-1:sos' });
    expect(action?.kind === 'clear' && action.note).toMatch(/late|later/);
    expect(action?.kind === 'clear' && action.note).toContain('operator decides');
  });

  it('when the elder pressed again, the cancel window still runs from the first press', () => {
    const h = new RuleHarness(sosRule);
    h.send(event('sos', T0));
    h.send(event('sos', T0 + 100 * SECOND_MS));
    expect(h.send(event('sos_cancel', T0 + 150 * SECOND_MS))[0]?.kind).toBe('clear');
  });

  it('when a cancel comes with no SOS open, or twice, it does nothing', () => {
    const h = new RuleHarness(sosRule);
    expect(h.send(event('sos_cancel', T0))).toEqual([]);
    h.send(event('sos', T0 + 60 * SECOND_MS));
    h.send(event('sos_cancel', T0 + 70 * SECOND_MS));
    expect(h.send(event('sos_cancel', T0 + 80 * SECOND_MS))).toEqual([]);
  });

  it('when the cancel is delivered before its SOS, the late SOS is raised and resolved at once', () => {
    const h = new RuleHarness(sosRule);
    h.send(event('sos_cancel', T0 + 30 * SECOND_MS), T0 + 31 * SECOND_MS);
    const actions = h.send(event('sos', T0), T0 + 32 * SECOND_MS);
    expect(actions.map((a) => a.kind)).toEqual(['raise', 'resolve']);
  });

  it('when a cancel pressed before the SOS arrives after it, the SOS stays open', () => {
    const h = new RuleHarness(sosRule);
    h.send(event('sos', T0 + 60 * SECOND_MS));
    expect(h.send(event('sos_cancel', T0), T0 + 61 * SECOND_MS)).toEqual([]);
    expect(h.state('el-1')?.openSince).toBe(T0 + 60 * SECOND_MS);
  });

  it('when an elder has a longer cancel window, their late-looking cancel is a false alarm', () => {
    const h = new RuleHarness(sosRule, { elders: { 'el-1': { cancelWindowS: 300 } } });
    h.send(event('sos', T0));
    expect(h.send(event('sos_cancel', T0 + 200 * SECOND_MS))[0]?.kind).toBe('resolve');
  });
});
