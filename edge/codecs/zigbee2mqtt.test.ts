import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseAvailability,
  parseZigbeeState,
  ZIGBEE_FLAGS,
  ZIGBEE_MAX_PAYLOAD_BYTES,
  zigbeeTopics,
} from './zigbee2mqtt.ts';

const RUNS = { numRuns: 1000 };

describe('zigbee2mqtt state messages (DEVICE-PROTOCOLS §5.3 examples)', () => {
  it('a door magnet that opened reads contact false, with its battery and link quality', () => {
    expect(parseZigbeeState('{"contact":false,"battery":91,"linkquality":120}')).toEqual({
      ok: true,
      value: { flags: { contact: false }, battery: 91, linkquality: 120, skipped: [] },
    });
  });

  it('a smoke alarm in alarm reads smoke true with tamper and battery_low false', () => {
    const r = parseZigbeeState('{"smoke":true,"tamper":false,"battery_low":false,"linkquality":87}');
    expect(r.ok && r.value.flags).toEqual({ smoke: true, tamper: false, battery_low: false });
  });

  it('an IAS ACE emergency button reads as the action emergency', () => {
    const r = parseZigbeeState('{"action":"emergency","battery":100,"voltage":3000}');
    expect(r.ok && r.value.action).toBe('emergency');
  });

  it('values not read yet (null) are absent, and a field of the wrong type is skipped by name, not the message', () => {
    const r = parseZigbeeState('{"water_leak":null,"smoke":"yes","gas":true,"battery":180}');
    expect(r).toEqual({ ok: true, value: { flags: { gas: true }, skipped: ['smoke', 'battery'] } });
  });

  it('a message that is not JSON, not an object or too big is refused with a reason', () => {
    expect(parseZigbeeState('smoke')).toMatchObject({ ok: false, error: expect.stringMatching(/not JSON/) });
    expect(parseZigbeeState('[true]')).toMatchObject({ ok: false, error: expect.stringMatching(/object/) });
    expect(parseZigbeeState('null')).toMatchObject({ ok: false });
    const big = `{"smoke":true,"pad":"${'x'.repeat(ZIGBEE_MAX_PAYLOAD_BYTES)}"}`;
    expect(parseZigbeeState(big)).toMatchObject({ ok: false, error: expect.stringMatching(/exceeds/) });
  });

  it('the topics are the base topic, the friendly name and /availability, and bridge/state', () => {
    expect(zigbeeTopics.device('zigbee2mqtt', 'front_door')).toBe('zigbee2mqtt/front_door');
    expect(zigbeeTopics.availability('z2m', 'front_door')).toBe('z2m/front_door/availability');
    expect(zigbeeTopics.bridgeState('zigbee2mqtt')).toBe('zigbee2mqtt/bridge/state');
  });
});

describe('zigbee2mqtt availability', () => {
  it('both the JSON form and the bare strings of older versions are understood', () => {
    expect(parseAvailability('{"state":"online"}')).toEqual({ ok: true, value: 'online' });
    expect(parseAvailability(Buffer.from('{"state":"offline"}'))).toEqual({ ok: true, value: 'offline' });
    expect(parseAvailability('online')).toEqual({ ok: true, value: 'online' });
    expect(parseAvailability('offline\n')).toEqual({ ok: true, value: 'offline' });
  });

  it('anything else is refused with a message that quotes it', () => {
    expect(parseAvailability('{"state":"maybe"}')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/maybe/),
    });
    expect(parseAvailability('ONLINE')).toMatchObject({ ok: false });
  });
});

const flagValue = fc.oneof(fc.boolean(), fc.constant(null));
const goodState = fc.record(
  {
    ...Object.fromEntries(ZIGBEE_FLAGS.map((f) => [f, flagValue])),
    battery: fc.integer({ min: 0, max: 100 }),
    linkquality: fc.integer({ min: 0, max: 255 }),
    voltage: fc.integer({ min: 2000, max: 3300 }),
    action: fc.constantFrom('emergency', 'single', 'double'),
  },
  { requiredKeys: [] },
);

describe('zigbee2mqtt parsers, property-based', () => {
  it('any bytes at all give ok or a clear error, never a throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const s = parseZigbeeState(bytes);
        const a = parseAvailability(bytes);
        for (const r of [s, a]) if (!r.ok) expect(r.error.length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });

  it('any JSON value gives ok or a clear error, never a throw', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = parseZigbeeState(JSON.stringify(v));
        if (!r.ok) expect(r.error).toMatch(/object|JSON|exceeds/);
        else expect(typeof v === 'object' && v !== null && !Array.isArray(v)).toBe(true);
      }),
      RUNS,
    );
  });

  it('every good message keeps every flag it carries, its battery and its action, whatever else it holds', () => {
    fc.assert(
      fc.property(
        goodState,
        fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue(), { maxKeys: 5 }),
        (good, extra) => {
          const known = new Set<string>([...ZIGBEE_FLAGS, 'battery', 'linkquality', 'action']);
          const noise = Object.fromEntries(Object.entries(extra).filter(([k]) => !known.has(k)));
          const r = parseZigbeeState(JSON.stringify({ ...noise, ...good }));
          expect(r.ok).toBe(true);
          if (!r.ok) return;
          for (const f of ZIGBEE_FLAGS) {
            const v = (good as Record<string, unknown>)[f];
            expect(r.value.flags[f]).toBe(typeof v === 'boolean' ? v : undefined);
          }
          expect(r.value.battery).toBe(good.battery);
          expect(r.value.action).toBe(good.action);
          expect(r.value.skipped).toEqual([]);
        },
      ),
      RUNS,
    );
  });

  it('a known field of the wrong type never hides the good fields beside it', () => {
    const wrong = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.array(fc.boolean(), { maxLength: 2 }),
      fc.object({ maxDepth: 1 }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...ZIGBEE_FLAGS), wrong, fc.boolean(), (bad, value, smoke) => {
        fc.pre(bad !== 'smoke');
        const r = parseZigbeeState(JSON.stringify({ [bad]: value, smoke }));
        expect(r).toMatchObject({ ok: true, value: { skipped: [bad] } });
        expect(r.ok && r.value.flags.smoke).toBe(smoke);
      }),
      RUNS,
    );
  });
});
