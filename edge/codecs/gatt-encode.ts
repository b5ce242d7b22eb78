/**
 * Encoders for the GATT health characteristics, used by the wearable simulators. They accept the
 * parsers' own results, so `parse(encode(m))` gives `m` back. SFLOAT/FLOAT exponents are chosen
 * to represent each value exactly (97 → exponent 0, 36.6 → −1). Out-of-range input throws RangeError.
 */

import type { SensorContact } from './gatt.ts';
import { ByteWriter, type GattDateTime } from './gatt-common.ts';
import { TEMPERATURE_TYPES, type TemperatureTypeName } from './gatt-fields.ts';
import type { IeeeInput } from './ieee11073.ts';

/** A bit field as a raw number, or a decoded status (only its `raw` is used). */
export type RawBits = number | { raw: number };

const rawBits = (bits: RawBits): number => (typeof bits === 'number' ? bits : bits.raw);
const flag = (present: unknown, bit: number): number => (present === undefined ? 0 : bit);

export interface HeartRateInput {
  bpm: number;
  sensorContact?: SensorContact;
  energyExpendedKj?: number;
  /** RR intervals in 1/1024 s, oldest first. */
  rrIntervals1024?: readonly number[];
  /** Send the heart rate as u16 even when it fits in a byte. */
  wideFormat?: boolean;
}

const CONTACT_BITS: Record<SensorContact, number> = { unsupported: 0, notDetected: 0x04, detected: 0x06 };

export function encodeHeartRate(m: HeartRateInput): Uint8Array {
  const wide = m.wideFormat === true || m.bpm > 0xff;
  const rr = m.rrIntervals1024 ?? [];
  const flags =
    (wide ? 0x01 : 0) |
    CONTACT_BITS[m.sensorContact ?? 'unsupported'] |
    flag(m.energyExpendedKj, 0x08) |
    (rr.length > 0 ? 0x10 : 0);
  const w = new ByteWriter().u8(flags);
  if (wide) w.u16(m.bpm);
  else w.u8(m.bpm);
  if (m.energyExpendedKj !== undefined) w.u16(m.energyExpendedKj);
  for (const interval of rr) w.u16(interval);
  return w.toBytes();
}

export interface PlxPairInput {
  spo2: IeeeInput;
  pulseRate: IeeeInput;
}

export interface PlxSpotCheckInput extends PlxPairInput {
  timestamp?: GattDateTime;
  measurementStatus?: RawBits;
  deviceSensorStatus?: RawBits;
  pulseAmplitudeIndex?: IeeeInput;
  deviceClockNotSet?: boolean;
}

export function encodePlxSpot(m: PlxSpotCheckInput): Uint8Array {
  const flags =
    flag(m.timestamp, 0x01) |
    flag(m.measurementStatus, 0x02) |
    flag(m.deviceSensorStatus, 0x04) |
    flag(m.pulseAmplitudeIndex, 0x08) |
    (m.deviceClockNotSet === true ? 0x10 : 0);
  const w = new ByteWriter().u8(flags).sfloat(m.spo2).sfloat(m.pulseRate);
  if (m.timestamp !== undefined) w.dateTime(m.timestamp);
  if (m.measurementStatus !== undefined) w.u16(rawBits(m.measurementStatus));
  if (m.deviceSensorStatus !== undefined) w.u24(rawBits(m.deviceSensorStatus));
  if (m.pulseAmplitudeIndex !== undefined) w.sfloat(m.pulseAmplitudeIndex);
  return w.toBytes();
}

export interface PlxContinuousInput extends PlxPairInput {
  fast?: PlxPairInput;
  slow?: PlxPairInput;
  measurementStatus?: RawBits;
  deviceSensorStatus?: RawBits;
  pulseAmplitudeIndex?: IeeeInput;
}

export function encodePlxContinuous(m: PlxContinuousInput): Uint8Array {
  const flags =
    flag(m.fast, 0x01) |
    flag(m.slow, 0x02) |
    flag(m.measurementStatus, 0x04) |
    flag(m.deviceSensorStatus, 0x08) |
    flag(m.pulseAmplitudeIndex, 0x10);
  const w = new ByteWriter().u8(flags).sfloat(m.spo2).sfloat(m.pulseRate);
  if (m.fast !== undefined) w.sfloat(m.fast.spo2).sfloat(m.fast.pulseRate);
  if (m.slow !== undefined) w.sfloat(m.slow.spo2).sfloat(m.slow.pulseRate);
  if (m.measurementStatus !== undefined) w.u16(rawBits(m.measurementStatus));
  if (m.deviceSensorStatus !== undefined) w.u24(rawBits(m.deviceSensorStatus));
  if (m.pulseAmplitudeIndex !== undefined) w.sfloat(m.pulseAmplitudeIndex);
  return w.toBytes();
}

export interface TemperatureInput {
  /** In `unit`; default °C. */
  value: IeeeInput;
  unit?: 'C' | 'F';
  timestamp?: GattDateTime;
  /** A code 1–9, a name, or a decoded `{ code }`. */
  temperatureType?: number | TemperatureTypeName | { code: number };
}

function temperatureTypeCode(t: NonNullable<TemperatureInput['temperatureType']>): number {
  if (typeof t === 'number') return t;
  if (typeof t === 'string') return TEMPERATURE_TYPES.indexOf(t) + 1;
  return t.code;
}

export function encodeTemperature(m: TemperatureInput): Uint8Array {
  const flags = (m.unit === 'F' ? 0x01 : 0) | flag(m.timestamp, 0x02) | flag(m.temperatureType, 0x04);
  const w = new ByteWriter().u8(flags).float(m.value);
  if (m.timestamp !== undefined) w.dateTime(m.timestamp);
  if (m.temperatureType !== undefined) w.u8(temperatureTypeCode(m.temperatureType));
  return w.toBytes();
}

export interface BloodPressureInput {
  /** In `unit`; default mmHg. */
  systolic: IeeeInput;
  diastolic: IeeeInput;
  meanArterial: IeeeInput;
  unit?: 'mmHg' | 'kPa';
  timestamp?: GattDateTime;
  pulseRate?: IeeeInput;
  userId?: number;
  status?: RawBits;
}

export function encodeBloodPressure(m: BloodPressureInput): Uint8Array {
  const flags =
    (m.unit === 'kPa' ? 0x01 : 0) |
    flag(m.timestamp, 0x02) |
    flag(m.pulseRate, 0x04) |
    flag(m.userId, 0x08) |
    flag(m.status, 0x10);
  const w = new ByteWriter().u8(flags).sfloat(m.systolic).sfloat(m.diastolic).sfloat(m.meanArterial);
  if (m.timestamp !== undefined) w.dateTime(m.timestamp);
  if (m.pulseRate !== undefined) w.sfloat(m.pulseRate);
  if (m.userId !== undefined) w.u8(m.userId);
  if (m.status !== undefined) w.u16(rawBits(m.status));
  return w.toBytes();
}

export function encodeBattery(percent: number | { percent: number }): Uint8Array {
  const value = typeof percent === 'number' ? percent : percent.percent;
  if (!Number.isInteger(value) || value < 0 || value > 100) {
    throw new RangeError(`battery ${value} is not 0..100`);
  }
  return Uint8Array.of(value);
}
