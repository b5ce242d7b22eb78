import { describe, expect, it } from 'vitest';
import {
  parseBattery,
  parseBloodPressure,
  parseGatt,
  parseHeartRate,
  parsePlxContinuous,
  parsePlxSpotCheck,
  parseTemperature,
} from './gatt.ts';
import { type GattDateTime, GattParseError, type GattResult } from './gatt-common.ts';
import {
  encodeBattery,
  encodeBloodPressure,
  encodeHeartRate,
  encodePlxContinuous,
  encodePlxSpot,
  encodeTemperature,
} from './gatt-encode.ts';
import { bpStatusRaw, plxMeasurementStatusRaw } from './gatt-fields.ts';
import { hex, toHex } from './test-support.ts';

const v = (value: number) => ({ kind: 'value' as const, value });
const STAMP: GattDateTime = { year: 2024, month: 5, day: 6, hours: 7, minutes: 8, seconds: 9 };

function ok<T>(result: GattResult<T>): T {
  if (!result.ok) throw result.error;
  return result.value;
}

function errorOf<T>(result: GattResult<T>): GattParseError {
  if (result.ok) throw new Error('expected a parse error');
  return result.error;
}

describe('Heart Rate Measurement 0x2A37: the examples of DEVICE-PROTOCOLS §4.2', () => {
  it('00 48 is 72 bpm', () => {
    expect(ok(parseHeartRate(hex('00 48')))).toEqual({
      kind: 'heartRate',
      bpm: 72,
      sensorContact: 'unsupported',
      rrIntervals: [],
      rrIntervals1024: [],
    });
    expect(toHex(encodeHeartRate({ bpm: 72 }))).toBe('00 48');
  });

  it('07 48 00 is 72 bpm sent as u16 with skin contact detected', () => {
    expect(ok(parseHeartRate(hex('07 48 00')))).toMatchObject({ bpm: 72, sensorContact: 'detected' });
    expect(toHex(encodeHeartRate({ bpm: 72, sensorContact: 'detected', wideFormat: true }))).toBe('07 48 00');
  });

  it('10 48 34 03 is 72 bpm with one RR interval of 820/1024 s', () => {
    const m = ok(parseHeartRate(hex('10 48 34 03')));
    expect(m).toMatchObject({ bpm: 72, rrIntervals1024: [820] });
    expect(m.rrIntervals[0]).toBeCloseTo(0.801, 3);
    expect(toHex(encodeHeartRate({ bpm: 72, rrIntervals1024: [820] }))).toBe('10 48 34 03');
  });

  it('18 4B D2 04 20 03 2C 03 is 75 bpm, 1234 kJ, RR 800 and 812', () => {
    expect(ok(parseHeartRate(hex('18 4B D2 04 20 03 2C 03')))).toMatchObject({
      bpm: 75,
      energyExpendedKj: 1234,
      rrIntervals1024: [800, 812],
    });
    const bytes = encodeHeartRate({ bpm: 75, energyExpendedKj: 1234, rrIntervals1024: [800, 812] });
    expect(toHex(bytes)).toBe('18 4B D2 04 20 03 2C 03');
  });

  it('sensor contact "supported, not detected" is flag bits 1–2 = 2', () => {
    expect(ok(parseHeartRate(hex('04 48'))).sensorContact).toBe('notDetected');
  });

  it('a heart rate flagged u16 but sent as one byte is TRUNCATED, naming the field', () => {
    const error = errorOf(parseHeartRate(hex('01 48')));
    expect(error).toBeInstanceOf(GattParseError);
    expect(error.code).toBe('TRUNCATED');
    expect(error.message).toContain('heart rate');
  });

  it('an RR interval cut in half is TRUNCATED', () => {
    expect(errorOf(parseHeartRate(hex('10 48 34'))).code).toBe('TRUNCATED');
  });

  it('an empty notification is TRUNCATED', () => {
    expect(errorOf(parseHeartRate(new Uint8Array(0))).code).toBe('TRUNCATED');
  });
});

describe('PLX Spot-check 0x2A5E and Continuous 0x2A5F: the examples of DEVICE-PROTOCOLS §4.3', () => {
  it('spot-check 00 61 00 48 00 is SpO2 97 % and pulse 72', () => {
    expect(ok(parsePlxSpotCheck(hex('00 61 00 48 00')))).toEqual({
      kind: 'plxSpotCheck',
      spo2: v(97),
      pulseRate: v(72),
      deviceClockNotSet: false,
    });
    expect(toHex(encodePlxSpot({ spo2: 97, pulseRate: 72 }))).toBe('00 61 00 48 00');
  });

  it('spot-check with a timestamp reads 2024-05-06 07:08:09', () => {
    const bytes = '01 61 00 48 00 E8 07 05 06 07 08 09';
    expect(ok(parsePlxSpotCheck(hex(bytes)))).toMatchObject({
      spo2: v(97),
      pulseRate: v(72),
      timestamp: STAMP,
    });
    expect(toHex(encodePlxSpot({ spo2: 97, pulseRate: 72, timestamp: STAMP }))).toBe(bytes);
  });

  it('continuous 00 62 00 41 00 is 98 % and 65 bpm', () => {
    expect(ok(parsePlxContinuous(hex('00 62 00 41 00')))).toEqual({
      kind: 'plxContinuous',
      spo2: v(98),
      pulseRate: v(65),
    });
    expect(toHex(encodePlxContinuous({ spo2: 98, pulseRate: 65 }))).toBe('00 62 00 41 00');
  });

  it('continuous 04 62 00 41 00 80 00 carries the "validated" status bit', () => {
    expect(ok(parsePlxContinuous(hex('04 62 00 41 00 80 00')))).toMatchObject({
      spo2: v(98),
      measurementStatus: { raw: 0x0080, flags: ['validatedData'] },
    });
    const status = plxMeasurementStatusRaw(['validatedData']);
    expect(toHex(encodePlxContinuous({ spo2: 98, pulseRate: 65, measurementStatus: status }))).toBe(
      '04 62 00 41 00 80 00',
    );
  });

  it('continuous 00 FF 07 41 00 is SpO2 NaN (finger out) and pulse 65', () => {
    expect(ok(parsePlxContinuous(hex('00 FF 07 41 00')))).toMatchObject({
      spo2: { kind: 'nan' },
      pulseRate: v(65),
    });
    expect(toHex(encodePlxContinuous({ spo2: Number.NaN, pulseRate: 65 }))).toBe('00 FF 07 41 00');
  });

  it('device-and-sensor status is three bytes and names its bits', () => {
    const m = ok(parsePlxSpotCheck(hex('04 61 00 48 00 00 80 00')));
    expect(m.deviceSensorStatus).toEqual({ raw: 0x8000, flags: ['sensorDisconnected'] });
  });

  it('a spot-check cut inside the pulse rate is TRUNCATED', () => {
    expect(errorOf(parsePlxSpotCheck(hex('00 61 00 48'))).code).toBe('TRUNCATED');
  });
});

describe('Temperature Measurement 0x2A1C: the examples of DEVICE-PROTOCOLS §4.4', () => {
  it('00 6E 01 00 FF is 36.6 °C', () => {
    expect(ok(parseTemperature(hex('00 6E 01 00 FF')))).toEqual({
      kind: 'temperature',
      value: v(36.6),
      unit: 'C',
      celsius: v(36.6),
    });
    expect(toHex(encodeTemperature({ value: 36.6 }))).toBe('00 6E 01 00 FF');
  });

  it('the Fahrenheit example is 98.6 °F = 37 °C, measured on the body at 2024-05-06 07:08:09', () => {
    const bytes = '07 DA 03 00 FF E8 07 05 06 07 08 09 02';
    expect(ok(parseTemperature(hex(bytes)))).toEqual({
      kind: 'temperature',
      value: v(98.6),
      unit: 'F',
      celsius: v(37),
      timestamp: STAMP,
      temperatureType: { code: 2, name: 'body' },
    });
    const encoded = encodeTemperature({ value: 98.6, unit: 'F', timestamp: STAMP, temperatureType: 'body' });
    expect(toHex(encoded)).toBe(bytes);
  });

  it('a reserved temperature type keeps its code and has no name', () => {
    expect(ok(parseTemperature(hex('04 6E 01 00 FF 0A'))).temperatureType).toEqual({ code: 10, name: null });
  });

  it('a FLOAT cut short is TRUNCATED', () => {
    expect(errorOf(parseTemperature(hex('00 6E 01 00'))).code).toBe('TRUNCATED');
  });
});

describe('Blood Pressure Measurement 0x2A35: the examples of DEVICE-PROTOCOLS §4.5', () => {
  it('00 78 00 50 00 5D 00 is 120/80 mmHg, MAP 93', () => {
    expect(ok(parseBloodPressure(hex('00 78 00 50 00 5D 00')))).toEqual({
      kind: 'bloodPressure',
      unit: 'mmHg',
      systolic: v(120),
      diastolic: v(80),
      meanArterial: v(93),
      mmHg: { systolic: v(120), diastolic: v(80), meanArterial: v(93) },
    });
    expect(toHex(encodeBloodPressure({ systolic: 120, diastolic: 80, meanArterial: 93 }))).toBe(
      '00 78 00 50 00 5D 00',
    );
  });

  it('the same with a timestamp and pulse 72', () => {
    const bytes = '06 78 00 50 00 5D 00 E8 07 05 06 07 08 09 48 00';
    expect(ok(parseBloodPressure(hex(bytes)))).toMatchObject({
      systolic: v(120),
      timestamp: STAMP,
      pulseRate: v(72),
    });
    const encoded = encodeBloodPressure({
      systolic: 120,
      diastolic: 80,
      meanArterial: 93,
      timestamp: STAMP,
      pulseRate: 72,
    });
    expect(toHex(encoded)).toBe(bytes);
  });

  it('the same with irregular pulse detected', () => {
    const m = ok(parseBloodPressure(hex('10 78 00 50 00 5D 00 04 00')));
    expect(m.status).toEqual({
      raw: 4,
      bodyMovement: false,
      cuffTooLoose: false,
      irregularPulse: true,
      pulseRange: 'inRange',
      improperPosition: false,
    });
    const status = bpStatusRaw({
      bodyMovement: false,
      cuffTooLoose: false,
      irregularPulse: true,
      pulseRange: 'inRange',
      improperPosition: false,
    });
    expect(toHex(encodeBloodPressure({ systolic: 120, diastolic: 80, meanArterial: 93, status }))).toBe(
      '10 78 00 50 00 5D 00 04 00',
    );
  });

  it('a reading in kPa is kept in kPa and also given in mmHg', () => {
    const m = ok(
      parseBloodPressure(
        encodeBloodPressure({ unit: 'kPa', systolic: 16, diastolic: 10.7, meanArterial: 12.4 }),
      ),
    );
    expect(m).toMatchObject({ unit: 'kPa', systolic: v(16), diastolic: v(10.7) });
    expect(m.mmHg).toEqual({ systolic: v(120), diastolic: v(80.3), meanArterial: v(93) });
  });

  it('a user id of 255 (unknown user) is passed through', () => {
    expect(ok(parseBloodPressure(hex('08 78 00 50 00 5D 00 FF'))).userId).toBe(255);
  });
});

describe('Battery Level 0x2A19 and the dispatcher', () => {
  it('55 is 85 %', () => {
    expect(ok(parseBattery(hex('55')))).toEqual({ kind: 'battery', percent: 85 });
    expect(toHex(encodeBattery(85))).toBe('55');
  });

  it('a battery level above 100 is a RESERVED_VALUE', () => {
    expect(errorOf(parseBattery(hex('65'))).code).toBe('RESERVED_VALUE');
    expect(() => encodeBattery(101)).toThrow(RangeError);
  });

  it('parseGatt routes each characteristic to its parser', () => {
    expect(ok(parseGatt(0x2a37, hex('00 48'))).kind).toBe('heartRate');
    expect(ok(parseGatt(0x2a5e, hex('00 61 00 48 00'))).kind).toBe('plxSpotCheck');
    expect(ok(parseGatt(0x2a5f, hex('00 62 00 41 00'))).kind).toBe('plxContinuous');
    expect(ok(parseGatt(0x2a1c, hex('00 6E 01 00 FF'))).kind).toBe('temperature');
    expect(ok(parseGatt(0x2a35, hex('00 78 00 50 00 5D 00'))).kind).toBe('bloodPressure');
    expect(ok(parseGatt(0x2a19, hex('55'))).kind).toBe('battery');
  });

  it('parseGatt reports an unknown characteristic instead of throwing', () => {
    const error = errorOf(parseGatt(0x2a00, hex('00')));
    expect(error.code).toBe('UNSUPPORTED_CHARACTERISTIC');
    expect(error.message).toContain('0x2a00');
  });

  it('parseGatt passes a parser error through with its code', () => {
    expect(errorOf(parseGatt(0x2a37, new Uint8Array(0))).code).toBe('TRUNCATED');
  });
});
