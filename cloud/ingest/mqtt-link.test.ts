import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topics } from '../../protocol/index.ts';
import { cameOnline } from './mqtt-link.ts';

const NOW = Date.parse('2026-11-22T12:00:00.000Z');
const stateTopic = topics.gatewayState('gw-0001');
const online = (ts: number) =>
  Buffer.from(JSON.stringify({ state: 'online', ts: new Date(ts).toISOString() }));

describe('when a gateway counts as coming online (feedback is resent then)', () => {
  it('a live online state does, whatever its clock says; an offline state never does', () => {
    fc.assert(
      fc.property(fc.integer({ min: -86_400_000, max: 86_400_000 }), (skew) => {
        expect(cameOnline(stateTopic, online(NOW + skew), false, NOW)).toBe(true);
        const offline = Buffer.from(JSON.stringify({ state: 'offline', ts: new Date(NOW).toISOString() }));
        expect(cameOnline(stateTopic, offline, false, NOW)).toBe(false);
      }),
    );
  });

  it('a retained online state does only when stamped within two minutes of now', () => {
    fc.assert(
      fc.property(fc.integer({ min: -86_400_000, max: 86_400_000 }), (age) => {
        expect(cameOnline(stateTopic, online(NOW - age), true, NOW)).toBe(Math.abs(age) < 120_000);
      }),
    );
  });

  it('any payload bytes on any topic answer a boolean without throwing, true only for an online state', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(stateTopic, topics.deviceEvent('gw-0001', 'sos-1'), 'x/y', ''),
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.json().map((j) => new TextEncoder().encode(j)),
        ),
        fc.boolean(),
        (topic, bytes, retained) => {
          const payload = Buffer.from(bytes);
          const answer = cameOnline(topic, payload, retained, NOW);
          if (answer) expect(payload.toString()).toContain('online');
          if (topic !== stateTopic) expect(answer).toBe(false);
        },
      ),
    );
  });
});
