import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodePayload,
  EVENT_TYPES,
  isId,
  isTimestamp,
  MAX_PAYLOAD_BYTES,
  parseJournalAck,
  parseTopic,
  regionAncestors,
  regionWithin,
  type TopicKind,
  topics,
} from './index.ts';

const idChar = fc.constantFrom(...'ABCXYZabcxyz0189_-'.split(''));
const id = (min: number, max: number) => fc.string({ unit: idChar, minLength: min, maxLength: max });
const ts = fc
  .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) })
  .map((ms) => new Date(ms).toISOString());
const KINDS: TopicKind[] = ['gateway-state', 'device-event', 'device-vitals', 'device-state', 'feedback'];

describe('topics', () => {
  it('every built topic parses back to its kind and ids', () => {
    fc.assert(
      fc.property(id(1, 64), id(1, 64), (gw, dev) => {
        expect(parseTopic(topics.gatewayState(gw))).toEqual({ kind: 'gateway-state', gatewayId: gw });
        expect(parseTopic(topics.deviceEvent(gw, dev))).toEqual({
          kind: 'device-event',
          gatewayId: gw,
          deviceId: dev,
        });
        expect(parseTopic(topics.deviceVitals(gw, dev))).toEqual({
          kind: 'device-vitals',
          gatewayId: gw,
          deviceId: dev,
        });
        expect(parseTopic(topics.deviceState(gw, dev))).toEqual({
          kind: 'device-state',
          gatewayId: gw,
          deviceId: dev,
        });
        expect(parseTopic(topics.feedback(gw))).toEqual({ kind: 'feedback', gatewayId: gw });
      }),
      { numRuns: 2000 },
    );
  });

  it('an arbitrary string never throws and parses only when it is a contract topic with valid ids', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (topic) => {
        const parsed = parseTopic(topic);
        if (parsed) expect(topic.startsWith(`eldercare/v1/${parsed.gatewayId}/`)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('ids that are too long, empty or hold other characters are refused', () => {
    expect(parseTopic(`eldercare/v1/${'a'.repeat(65)}/state`)).toBeNull();
    expect(parseTopic('eldercare/v1//state')).toBeNull();
    expect(parseTopic('eldercare/v1/gw 1/state')).toBeNull();
    expect(parseTopic('eldercare/v1/gw+/state')).toBeNull();
  });
});

describe('payload decoding', () => {
  it('random bytes never throw and always give a reason', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KINDS), fc.uint8Array({ maxLength: 512 }), (kind, bytes) => {
        const result = decodePayload(kind, bytes);
        if (!result.ok) expect(['not_json', 'schema', 'too_large']).toContain(result.reason);
      }),
      { numRuns: 5000 },
    );
  });

  it('a payload that is not JSON is refused with a detail that never quotes it (the detail is logged)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 6 }), (text) => {
        const result = decodePayload('device-event', `{{"name": "${text}"}`);
        expect(result).toMatchObject({ ok: false, reason: 'not_json' });
        if (!result.ok) expect(result.detail).toMatch(/^not JSON( at position \d+)?$/);
      }),
    );
  });

  it('arbitrary JSON values never throw, and objects missing a required field are refused with the field named', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KINDS), fc.json({ maxDepth: 3 }), (kind, text) => {
        decodePayload(kind, text);
      }),
      { numRuns: 3000 },
    );
    const missing = decodePayload('device-event', JSON.stringify({ id: 'abcdefgh', type: 'sos' }));
    expect(missing).toMatchObject({ ok: false, reason: 'schema' });
    if (!missing.ok) expect(missing.detail).toMatch(/ts/);
  });

  it('every valid event envelope is accepted as it was sent', () => {
    fc.assert(
      fc.property(id(8, 64), ts, fc.constantFrom(...EVENT_TYPES), (eventId, t, type) => {
        const envelope = { id: eventId, ts: t, type };
        expect(decodePayload('device-event', JSON.stringify(envelope))).toEqual({
          ok: true,
          value: envelope,
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('event ids shorter than 8 or longer than 64 characters are refused', () => {
    for (const bad of ['abcdefg', 'a'.repeat(65), 'abc defgh']) {
      expect(
        decodePayload('device-event', JSON.stringify({ id: bad, ts: new Date().toISOString(), type: 'sos' }))
          .ok,
      ).toBe(false);
    }
  });

  it('a payload over 64 KiB is refused as too large before it is parsed', () => {
    const big = JSON.stringify({
      id: 'abcdefgh',
      ts: new Date().toISOString(),
      type: 'sos',
      data: { x: 'y'.repeat(MAX_PAYLOAD_BYTES) },
    });
    expect(decodePayload('device-event', big)).toMatchObject({ ok: false, reason: 'too_large' });
  });

  it('vitals out of physical range and device states with a bad battery are refused', () => {
    const t = new Date().toISOString();
    expect(
      decodePayload('device-vitals', JSON.stringify({ id: 'abcdefgh', ts: t, hr: 72, spo2: 97 })).ok,
    ).toBe(true);
    expect(decodePayload('device-vitals', JSON.stringify({ id: 'abcdefgh', ts: t, spo2: 101 })).ok).toBe(
      false,
    );
    expect(
      decodePayload('device-state', JSON.stringify({ ts: t, online: true, battery: 80, rssi: -70 })).ok,
    ).toBe(true);
    expect(decodePayload('device-state', JSON.stringify({ ts: t, online: true, battery: 120 })).ok).toBe(
      false,
    );
    expect(decodePayload('device-state', JSON.stringify({ ts: t, online: true, rssi: -70.5 })).ok).toBe(
      false,
    );
  });
});

describe('timestamps and regions', () => {
  it('T strings must be real instants in UTC with milliseconds', () => {
    expect(isTimestamp('2026-11-22T09:15:02.123Z')).toBe(true);
    expect(isTimestamp('2026-11-22T09:15:02Z')).toBe(false);
    expect(isTimestamp('2026-11-22T09:15:02.123+08:00')).toBe(false);
    expect(isTimestamp('2026-02-30T09:15:02.123Z')).toBe(false);
    expect(isTimestamp('2026-13-01T00:00:00.000Z')).toBe(false);
  });

  it('a region lies within itself and its ancestors, never within a sibling that shares a prefix', () => {
    expect(regionWithin('ziyang.yanjiang.shizishan', 'ziyang')).toBe(true);
    expect(regionWithin('ziyang.yanjiang.shizishan', 'ziyang.yanjiang.shizishan')).toBe(true);
    expect(regionWithin('ziyang.yanjiang2', 'ziyang.yanjiang')).toBe(false);
    expect(regionWithin('ziyang', 'ziyang.yanjiang')).toBe(false);
    expect(regionAncestors('a.b.c')).toEqual(['a', 'a.b', 'a.b.c']);
  });
});

describe('journal acknowledgements from the cloud', () => {
  it('a well-formed acknowledgement reads back as its pairs', () => {
    expect(parseJournalAck(JSON.stringify({ acks: [['gw-0001', 'evt-00000001']] }))).toEqual([
      ['gw-0001', 'evt-00000001'],
    ]);
    expect(parseJournalAck('{"acks":[]}')).toEqual([]);
  });

  it('any other bytes are refused with null, never an exception', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.uint8Array().map((b) => Buffer.from(b)),
        ),
        (payload) => {
          const acks = parseJournalAck(payload);
          if (acks === null) return;
          for (const [gw, ev] of acks) {
            expect(isId(gw)).toBe(true);
            expect(ev).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
          }
        },
      ),
      { numRuns: 2000 },
    );
    for (const bad of [
      '',
      'null',
      '[]',
      '{"acks":{}}',
      '{"acks":[["gw 1","evt-00000001"]]}',
      '{"acks":[["gw-1"]]}',
    ])
      expect(parseJournalAck(bad)).toBeNull();
  });
});
