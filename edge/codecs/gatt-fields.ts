/**
 * Bit fields and code tables of the GATT health characteristics (DEVICE-PROTOCOLS §4.3–4.5).
 * Each decoded bit field keeps its raw value next to the names of the bits that are set.
 */

/** PLX Measurement Status bits 5–15 (bits 0–4 are reserved). */
const PLX_MEASUREMENT_BITS = [
  [5, 'measurementOngoing'],
  [6, 'earlyEstimatedData'],
  [7, 'validatedData'],
  [8, 'fullyQualifiedData'],
  [9, 'dataFromStorage'],
  [10, 'dataForDemonstration'],
  [11, 'dataForTesting'],
  [12, 'calibrationOngoing'],
  [13, 'measurementUnavailable'],
  [14, 'questionableMeasurement'],
  [15, 'invalidMeasurement'],
] as const;

/** PLX Device and Sensor Status bits 0–15 (bits 16–23 are reserved). */
const PLX_DEVICE_SENSOR_BITS = [
  [0, 'extendedDisplayUpdateOngoing'],
  [1, 'equipmentMalfunction'],
  [2, 'signalProcessingIrregularity'],
  [3, 'inadequateSignal'],
  [4, 'poorSignal'],
  [5, 'lowPerfusion'],
  [6, 'erraticSignal'],
  [7, 'nonpulsatileSignal'],
  [8, 'questionablePulse'],
  [9, 'signalAnalysisOngoing'],
  [10, 'sensorInterference'],
  [11, 'sensorUnconnectedToUser'],
  [12, 'unknownSensorConnected'],
  [13, 'sensorDisplaced'],
  [14, 'sensorMalfunctioning'],
  [15, 'sensorDisconnected'],
] as const;

export type PlxMeasurementFlag = (typeof PLX_MEASUREMENT_BITS)[number][1];
export type PlxDeviceSensorFlag = (typeof PLX_DEVICE_SENSOR_BITS)[number][1];

export interface PlxMeasurementStatus {
  raw: number;
  flags: PlxMeasurementFlag[];
}

export interface PlxDeviceSensorStatus {
  raw: number;
  flags: PlxDeviceSensorFlag[];
}

function namesOf<N extends string>(raw: number, table: ReadonlyArray<readonly [number, N]>): N[] {
  return table.filter(([bit]) => Math.floor(raw / 2 ** bit) % 2 === 1).map(([, name]) => name);
}

function rawOf<N extends string>(names: readonly N[], table: ReadonlyArray<readonly [number, N]>): number {
  return table.reduce((raw, [bit, name]) => (names.includes(name) ? raw + 2 ** bit : raw), 0);
}

export function decodePlxMeasurementStatus(raw: number): PlxMeasurementStatus {
  return { raw, flags: namesOf(raw, PLX_MEASUREMENT_BITS) };
}

export function decodeDeviceSensorStatus(raw: number): PlxDeviceSensorStatus {
  return { raw, flags: namesOf(raw, PLX_DEVICE_SENSOR_BITS) };
}

/** The raw u16 for a set of measurement-status names, for the simulators. */
export function plxMeasurementStatusRaw(flags: readonly PlxMeasurementFlag[]): number {
  return rawOf(flags, PLX_MEASUREMENT_BITS);
}

/** The raw u24 for a set of device-and-sensor-status names, for the simulators. */
export function deviceSensorStatusRaw(flags: readonly PlxDeviceSensorFlag[]): number {
  return rawOf(flags, PLX_DEVICE_SENSOR_BITS);
}

export type PulseRange = 'inRange' | 'aboveUpperLimit' | 'belowLowerLimit' | 'reserved';
const PULSE_RANGES: readonly PulseRange[] = ['inRange', 'aboveUpperLimit', 'belowLowerLimit', 'reserved'];

/** Blood Pressure Measurement Status (u16). */
export interface BpStatus {
  raw: number;
  bodyMovement: boolean;
  cuffTooLoose: boolean;
  irregularPulse: boolean;
  pulseRange: PulseRange;
  improperPosition: boolean;
}

export function decodeBpStatus(raw: number): BpStatus {
  return {
    raw,
    bodyMovement: (raw & 0x01) !== 0,
    cuffTooLoose: (raw & 0x02) !== 0,
    irregularPulse: (raw & 0x04) !== 0,
    pulseRange: PULSE_RANGES[(raw >> 3) & 0x03] ?? 'reserved',
    improperPosition: (raw & 0x20) !== 0,
  };
}

/** The raw u16 for a blood-pressure status, for the simulators. */
export function bpStatusRaw(status: Omit<BpStatus, 'raw'>): number {
  const range = Math.max(0, PULSE_RANGES.indexOf(status.pulseRange));
  return (
    (status.bodyMovement ? 0x01 : 0) |
    (status.cuffTooLoose ? 0x02 : 0) |
    (status.irregularPulse ? 0x04 : 0) |
    (range << 3) |
    (status.improperPosition ? 0x20 : 0)
  );
}

/** Temperature Type codes 1–9, in order. */
export const TEMPERATURE_TYPES = [
  'armpit',
  'body',
  'earLobe',
  'finger',
  'giTract',
  'mouth',
  'rectum',
  'toe',
  'tympanum',
] as const;

export type TemperatureTypeName = (typeof TEMPERATURE_TYPES)[number];
