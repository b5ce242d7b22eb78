/**
 * Parsers for the Bluetooth SIG health characteristics our wearables notify or indicate
 * (DEVICE-PROTOCOLS §4.2–4.6). Each parser returns a GattResult and never throws; `parseGatt`
 * dispatches on the 16-bit characteristic UUID. Trailing bytes after the last flagged field are
 * ignored, so a device that appends newer optional fields still parses.
 */
import {
  attempt,
  ByteReader,
  GATT_CHARACTERISTIC,
  type GattDateTime,
  GattParseError,
  type GattResult,
} from './gatt-common.ts';
import {
  type BpStatus,
  decodeBpStatus,
  decodeDeviceSensorStatus,
  decodePlxMeasurementStatus,
  type PlxDeviceSensorStatus,
  type PlxMeasurementStatus,
  TEMPERATURE_TYPES,
  type TemperatureTypeName,
} from './gatt-fields.ts';
import { type IeeeNumber, mapIeee } from './ieee11073.ts';

export type SensorContact = 'unsupported' | 'notDetected' | 'detected';

export interface HeartRateMeasurement {
  kind: 'heartRate';
  bpm: number;
  sensorContact: SensorContact;
  energyExpendedKj?: number;
  /** RR intervals, oldest first, in seconds. */
  rrIntervals: number[];
  /** The same intervals as sent, in units of 1/1024 s. */
  rrIntervals1024: number[];
}

export interface PlxPair {
  spo2: IeeeNumber;
  pulseRate: IeeeNumber;
}

export interface PlxSpotCheck extends PlxPair {
  kind: 'plxSpotCheck';
  timestamp?: GattDateTime;
  measurementStatus?: PlxMeasurementStatus;
  deviceSensorStatus?: PlxDeviceSensorStatus;
  pulseAmplitudeIndex?: IeeeNumber;
  deviceClockNotSet: boolean;
}

export interface PlxContinuous extends PlxPair {
  kind: 'plxContinuous';
  fast?: PlxPair;
  slow?: PlxPair;
  measurementStatus?: PlxMeasurementStatus;
  deviceSensorStatus?: PlxDeviceSensorStatus;
  pulseAmplitudeIndex?: IeeeNumber;
}

export interface TemperatureMeasurement {
  kind: 'temperature';
  /** As sent, in `unit`. */
  value: IeeeNumber;
  unit: 'C' | 'F';
  /** The value in °C, rounded to 0.01. */
  celsius: IeeeNumber;
  timestamp?: GattDateTime;
  /** Where it was measured; name null for a reserved code. */
  temperatureType?: { code: number; name: TemperatureTypeName | null };
}

export interface BloodPressureMeasurement {
  kind: 'bloodPressure';
  /** systolic, diastolic and meanArterial are as sent, in `unit`. */
  unit: 'mmHg' | 'kPa';
  systolic: IeeeNumber;
  diastolic: IeeeNumber;
  meanArterial: IeeeNumber;
  /** The three pressures in mmHg (converted from kPa when needed, rounded to 0.1). */
  mmHg: { systolic: IeeeNumber; diastolic: IeeeNumber; meanArterial: IeeeNumber };
  timestamp?: GattDateTime;
  pulseRate?: IeeeNumber;
  /** 255 means "unknown user". */
  userId?: number;
  status?: BpStatus;
}

export interface BatteryLevel {
  kind: 'battery';
  percent: number;
}

export type GattReading =
  | HeartRateMeasurement
  | PlxSpotCheck
  | PlxContinuous
  | TemperatureMeasurement
  | BloodPressureMeasurement
  | BatteryLevel;

const CONTACT: readonly SensorContact[] = ['unsupported', 'unsupported', 'notDetected', 'detected'];

/** Heart Rate Measurement, 0x2A37. */
export function parseHeartRate(bytes: Uint8Array): GattResult<HeartRateMeasurement> {
  return attempt(() => {
    const r = new ByteReader(bytes);
    const flags = r.u8('flags');
    const bpm = flags & 0x01 ? r.u16('heart rate') : r.u8('heart rate');
    const m: HeartRateMeasurement = {
      kind: 'heartRate',
      bpm,
      sensorContact: CONTACT[(flags >> 1) & 0x03] ?? 'unsupported',
      rrIntervals: [],
      rrIntervals1024: [],
    };
    if (flags & 0x08) m.energyExpendedKj = r.u16('energy expended');
    while (flags & 0x10 && r.remaining > 0) m.rrIntervals1024.push(r.u16('RR interval'));
    m.rrIntervals = m.rrIntervals1024.map((rr) => rr / 1024);
    return m;
  });
}

/** PLX Spot-check Measurement, 0x2A5E. */
export function parsePlxSpotCheck(bytes: Uint8Array): GattResult<PlxSpotCheck> {
  return attempt(() => {
    const r = new ByteReader(bytes);
    const flags = r.u8('flags');
    const m: PlxSpotCheck = {
      kind: 'plxSpotCheck',
      spo2: r.sfloat('SpO2'),
      pulseRate: r.sfloat('pulse rate'),
      deviceClockNotSet: (flags & 0x10) !== 0,
    };
    if (flags & 0x01) m.timestamp = r.dateTime('timestamp');
    if (flags & 0x02) m.measurementStatus = decodePlxMeasurementStatus(r.u16('measurement status'));
    if (flags & 0x04) m.deviceSensorStatus = decodeDeviceSensorStatus(r.u24('device and sensor status'));
    if (flags & 0x08) m.pulseAmplitudeIndex = r.sfloat('pulse amplitude index');
    return m;
  });
}

/** PLX Continuous Measurement, 0x2A5F. */
export function parsePlxContinuous(bytes: Uint8Array): GattResult<PlxContinuous> {
  return attempt(() => {
    const r = new ByteReader(bytes);
    const flags = r.u8('flags');
    const m: PlxContinuous = {
      kind: 'plxContinuous',
      spo2: r.sfloat('SpO2'),
      pulseRate: r.sfloat('pulse rate'),
    };
    if (flags & 0x01) m.fast = { spo2: r.sfloat('fast SpO2'), pulseRate: r.sfloat('fast pulse rate') };
    if (flags & 0x02) m.slow = { spo2: r.sfloat('slow SpO2'), pulseRate: r.sfloat('slow pulse rate') };
    if (flags & 0x04) m.measurementStatus = decodePlxMeasurementStatus(r.u16('measurement status'));
    if (flags & 0x08) m.deviceSensorStatus = decodeDeviceSensorStatus(r.u24('device and sensor status'));
    if (flags & 0x10) m.pulseAmplitudeIndex = r.sfloat('pulse amplitude index');
    return m;
  });
}

export function fahrenheitToCelsius(f: number): number {
  return ((f - 32) * 5) / 9;
}

/** 1 kPa = 760 / 101.325 mmHg. */
export function kpaToMmHg(kpa: number): number {
  return (kpa * 760) / 101.325;
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/** Temperature Measurement, 0x2A1C. */
export function parseTemperature(bytes: Uint8Array): GattResult<TemperatureMeasurement> {
  return attempt(() => {
    const r = new ByteReader(bytes);
    const flags = r.u8('flags');
    const value = r.float('temperature');
    const unit = flags & 0x01 ? 'F' : 'C';
    const celsius = unit === 'F' ? mapIeee(value, (f) => round(fahrenheitToCelsius(f), 2)) : value;
    const m: TemperatureMeasurement = { kind: 'temperature', value, unit, celsius };
    if (flags & 0x02) m.timestamp = r.dateTime('timestamp');
    if (flags & 0x04) {
      const code = r.u8('temperature type');
      m.temperatureType = { code, name: TEMPERATURE_TYPES[code - 1] ?? null };
    }
    return m;
  });
}

/** Blood Pressure Measurement, 0x2A35. */
export function parseBloodPressure(bytes: Uint8Array): GattResult<BloodPressureMeasurement> {
  return attempt(() => {
    const r = new ByteReader(bytes);
    const flags = r.u8('flags');
    const unit = flags & 0x01 ? 'kPa' : 'mmHg';
    const [systolic, diastolic, meanArterial] = [
      r.sfloat('systolic'),
      r.sfloat('diastolic'),
      r.sfloat('MAP'),
    ];
    const toMmHg = (p: IeeeNumber) => (unit === 'kPa' ? mapIeee(p, (v) => round(kpaToMmHg(v), 1)) : p);
    const m: BloodPressureMeasurement = {
      kind: 'bloodPressure',
      unit,
      systolic,
      diastolic,
      meanArterial,
      mmHg: { systolic: toMmHg(systolic), diastolic: toMmHg(diastolic), meanArterial: toMmHg(meanArterial) },
    };
    if (flags & 0x02) m.timestamp = r.dateTime('timestamp');
    if (flags & 0x04) m.pulseRate = r.sfloat('pulse rate');
    if (flags & 0x08) m.userId = r.u8('user ID');
    if (flags & 0x10) m.status = decodeBpStatus(r.u16('measurement status'));
    return m;
  });
}

/** Battery Level, 0x2A19: 0–100 %; 101–255 are reserved. */
export function parseBattery(bytes: Uint8Array): GattResult<BatteryLevel> {
  return attempt(() => {
    const percent = new ByteReader(bytes).u8('battery level');
    if (percent > 100) throw new GattParseError('RESERVED_VALUE', `battery level ${percent} is above 100`);
    return { kind: 'battery', percent };
  });
}

const PARSERS: ReadonlyMap<number, (bytes: Uint8Array) => GattResult<GattReading>> = new Map<
  number,
  (bytes: Uint8Array) => GattResult<GattReading>
>([
  [GATT_CHARACTERISTIC.heartRateMeasurement, parseHeartRate],
  [GATT_CHARACTERISTIC.plxSpotCheck, parsePlxSpotCheck],
  [GATT_CHARACTERISTIC.plxContinuous, parsePlxContinuous],
  [GATT_CHARACTERISTIC.temperatureMeasurement, parseTemperature],
  [GATT_CHARACTERISTIC.bloodPressureMeasurement, parseBloodPressure],
  [GATT_CHARACTERISTIC.batteryLevel, parseBattery],
]);

/** Parses a characteristic value by its 16-bit UUID. Never throws. */
export function parseGatt(uuid16: number, bytes: Uint8Array): GattResult<GattReading> {
  const parser = PARSERS.get(uuid16);
  if (parser === undefined) {
    const hex = `0x${uuid16.toString(16).padStart(4, '0')}`;
    return { ok: false, error: new GattParseError('UNSUPPORTED_CHARACTERISTIC', `no parser for ${hex}`) };
  }
  return attempt(() => {
    const result = parser(bytes);
    if (!result.ok) throw result.error;
    return result.value;
  });
}
