import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseBloodPressure,
  parseGatt,
  parseHeartRate,
  parsePlxContinuous,
  parsePlxSpotCheck,
  parseTemperature,
} from './gatt.ts';
import { GATT_CHARACTERISTIC, type GattDateTime, GattParseError, type GattResult } from './gatt-common.ts';
import {
  encodeBattery,
  encodeBloodPressure,
  encodeHeartRate,
  encodePlxContinuous,
  encodePlxSpot,
  encodeTemperature,
} from './gatt-encode.ts';
import type { IeeeNumber } from './ieee11073.ts';

const RUNS = { numRuns: 1000 };

function ok<T>(result: GattResult<T>): T {
  if (!result.ok) throw result.error;
  return result.value;
}

/** Values with at most three decimals that fit an SFLOAT, plus the five specials. */
const sfloat: fc.Arbitrary<IeeeNumber> = fc.oneof(
  fc
    .tuple(fc.integer({ min: -2045, max: 2045 }), fc.integer({ min: 0, max: 3 }))
    .map(([m, k]) => ({ kind: 'value' as const, value: m / 10 ** k })),
  fc.constantFrom<IeeeNumber>(
    { kind: 'nan' },
    { kind: 'nres' },
    { kind: '+inf' },
    { kind: '-inf' },
    { kind: 'reserved' },
  ),
);

const float: fc.Arbitrary<IeeeNumber> = fc.oneof(
  fc
    .tuple(fc.integer({ min: -8_388_605, max: 8_388_605 }), fc.integer({ min: 0, max: 3 }))
    .map(([m, k]) => ({ kind: 'value' as const, value: m / 10 ** k })),
  fc.constantFrom<IeeeNumber>({ kind: 'nan' }, { kind: '+inf' }),
);

const dateTime: fc.Arbitrary<GattDateTime> = fc.record({
  year: fc.oneof(fc.constant(0), fc.integer({ min: 1582, max: 9999 })),
  month: fc.integer({ min: 0, max: 12 }),
  day: fc.integer({ min: 0, max: 31 }),
  hours: fc.integer({ min: 0, max: 23 }),
  minutes: fc.integer({ min: 0, max: 59 }),
  seconds: fc.integer({ min: 0, max: 59 }),
});

const u16 = fc.integer({ min: 0, max: 0xffff });
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

/** Drops the keys whose value is undefined, as a parser leaves absent fields out. */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as Partial<T>;
}

describe('GATT parsers under random input', () => {
  it('parseGatt on random bytes never throws and fails only with a known, non-internal code', () => {
    const uuid = fc.oneof(fc.constantFrom(...Object.values(GATT_CHARACTERISTIC)), u16);
    fc.assert(
      fc.property(uuid, fc.uint8Array({ maxLength: 40 }), (id, bytes) => {
        const result = parseGatt(id, bytes);
        if (!result.ok) {
          expect(result.error).toBeInstanceOf(GattParseError);
          expect(['TRUNCATED', 'RESERVED_VALUE', 'UNSUPPORTED_CHARACTERISTIC']).toContain(result.error.code);
        }
      }),
      RUNS,
    );
  });
});

describe('GATT encode → parse round trips', () => {
  it('any heart-rate measurement survives encode and parse', () => {
    const input = fc.record({
      bpm: u16,
      sensorContact: fc.constantFrom('unsupported' as const, 'notDetected' as const, 'detected' as const),
      energyExpendedKj: opt(u16),
      rrIntervals1024: fc.array(u16, { maxLength: 9 }),
    });
    fc.assert(
      fc.property(input, (m) => {
        expect(ok(parseHeartRate(encodeHeartRate(m)))).toEqual({
          kind: 'heartRate',
          ...defined(m),
          rrIntervals: m.rrIntervals1024.map((rr) => rr / 1024),
        });
      }),
      RUNS,
    );
  });

  it('any PLX spot-check survives encode and parse', () => {
    const input = fc.record({
      spo2: sfloat,
      pulseRate: sfloat,
      timestamp: opt(dateTime),
      pulseAmplitudeIndex: opt(sfloat),
      deviceClockNotSet: fc.boolean(),
    });
    fc.assert(
      fc.property(input, (m) => {
        expect(ok(parsePlxSpotCheck(encodePlxSpot(m)))).toEqual({ kind: 'plxSpotCheck', ...defined(m) });
      }),
      RUNS,
    );
  });

  it('any PLX continuous measurement survives encode and parse', () => {
    const pair = fc.record({ spo2: sfloat, pulseRate: sfloat });
    const input = fc.record({
      spo2: sfloat,
      pulseRate: sfloat,
      fast: opt(pair),
      slow: opt(pair),
      measurementStatus: opt(u16),
      deviceSensorStatus: opt(fc.integer({ min: 0, max: 0xffffff })),
    });
    fc.assert(
      fc.property(input, (m) => {
        const parsed = ok(parsePlxContinuous(encodePlxContinuous(m)));
        expect(parsed).toMatchObject(
          defined({ spo2: m.spo2, pulseRate: m.pulseRate, fast: m.fast, slow: m.slow }),
        );
        expect(parsed.measurementStatus?.raw).toBe(m.measurementStatus);
        expect(parsed.deviceSensorStatus?.raw).toBe(m.deviceSensorStatus);
      }),
      RUNS,
    );
  });

  it('any temperature measurement survives encode and parse', () => {
    const input = fc.record({
      value: float,
      unit: fc.constantFrom('C' as const, 'F' as const),
      timestamp: opt(dateTime),
      temperatureType: opt(fc.integer({ min: 0, max: 255 })),
    });
    fc.assert(
      fc.property(input, (m) => {
        const parsed = ok(parseTemperature(encodeTemperature(m)));
        expect(parsed).toMatchObject(defined({ value: m.value, unit: m.unit, timestamp: m.timestamp }));
        expect(parsed.temperatureType?.code).toBe(m.temperatureType);
        if (m.unit === 'C') expect(parsed.celsius).toEqual(m.value);
      }),
      RUNS,
    );
  });

  it('any blood-pressure measurement survives encode and parse', () => {
    const input = fc.record({
      systolic: sfloat,
      diastolic: sfloat,
      meanArterial: sfloat,
      unit: fc.constantFrom('mmHg' as const, 'kPa' as const),
      timestamp: opt(dateTime),
      pulseRate: opt(sfloat),
      userId: opt(fc.integer({ min: 0, max: 255 })),
      status: opt(u16),
    });
    fc.assert(
      fc.property(input, (m) => {
        const parsed = ok(parseBloodPressure(encodeBloodPressure(m)));
        const { status, ...rest } = m;
        expect(parsed).toMatchObject(defined(rest));
        expect(parsed.status?.raw).toBe(status);
      }),
      RUNS,
    );
  });

  it('any battery level 0–100 survives encode and parse', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), (percent) => {
        expect(ok(parseGatt(0x2a19, encodeBattery(percent)))).toEqual({ kind: 'battery', percent });
      }),
      { numRuns: 101 },
    );
  });
});
