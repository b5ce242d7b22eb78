import { describe, expect, it } from 'vitest';
import type { SentEvent } from './fleet.ts';
import { passed, type StoredAlert, tally } from './report.ts';

const T0 = Date.parse('2026-11-22T09:00:00.000Z');
const sent = (eventId: string, type: SentEvent['type'] = 'sos', pressedAt = T0): SentEvent => ({
  gatewayId: `gw-${eventId}`,
  eventId,
  type,
  ts: new Date(pressedAt).toISOString(),
  pressedAt,
});
const alert = (eventId: string, raisedAfterMs: number): StoredAlert => ({
  eventId,
  gatewayId: `gw-${eventId}`,
  occurredAt: new Date(T0).toISOString(),
  raisedAt: new Date(T0 + raisedAfterMs).toISOString(),
  state: 'open',
});

describe('counting a chaos scenario', () => {
  it('an SOS with exactly one alert is found, and its delay is press to raisedAt', () => {
    const t = tally([sent('a'), sent('b')], [alert('a', 800), alert('b', 2500)], new Map());
    expect(t).toMatchObject({
      sent: 2,
      expected: 2,
      found: 2,
      duplicated: 0,
      ackedLost: 0,
      worstDelayMs: 2500,
    });
  });

  it('an event id sent twice is expected once, and a second alert for it is a duplicate', () => {
    const t = tally([sent('a'), sent('a')], [alert('a', 100), alert('a', 200)], new Map());
    expect(t).toMatchObject({ sent: 2, expected: 1, found: 1, duplicated: 1 });
  });

  it('a PUBACKed SOS without an alert is counted as acknowledged and lost; one never PUBACKed is only lost', () => {
    const t = tally([sent('a'), sent('b'), sent('c')], [alert('c', 10)], new Map([['a', T0]]));
    expect(t).toMatchObject({ expected: 3, found: 1, ackedLost: 1 });
  });

  it('cancels are sent but expect no alert, and an alert nobody expected is a duplicate', () => {
    const t = tally([sent('a'), sent('x', 'sos_cancel')], [alert('a', 10), alert('x', 10)], new Map());
    expect(t).toMatchObject({ sent: 2, expected: 1, found: 1, duplicated: 1 });
  });

  it('a scenario passes only with nothing lost, nothing doubled and every check true', () => {
    const clean = tally([sent('a')], [alert('a', 10)], new Map());
    expect(passed({ name: 's', tally: clean, checks: [{ what: 'ok', ok: true }], seconds: 1 })).toBe(true);
    expect(passed({ name: 's', tally: clean, checks: [{ what: 'no', ok: false }], seconds: 1 })).toBe(false);
    const lost = tally([sent('a')], [], new Map());
    expect(passed({ name: 's', tally: lost, checks: [], seconds: 1 })).toBe(false);
  });
});
