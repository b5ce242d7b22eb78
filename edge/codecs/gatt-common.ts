/**
 * Shared pieces of the GATT codecs (DEVICE-PROTOCOLS §4): UUIDs, the error and result types, a
 * bounds-checked little-endian reader and writer, and the 7-byte Date Time characteristic.
 */
import {
  decodeFloat,
  decodeSfloat,
  encodeFloat,
  encodeSfloat,
  type IeeeInput,
  type IeeeNumber,
} from './ieee11073.ts';

export const GATT_SERVICE = {
  heartRate: 0x180d,
  pulseOximeter: 0x1822,
  healthThermometer: 0x1809,
  bloodPressure: 0x1810,
  battery: 0x180f,
} as const;

export const GATT_CHARACTERISTIC = {
  heartRateMeasurement: 0x2a37,
  plxSpotCheck: 0x2a5e,
  plxContinuous: 0x2a5f,
  temperatureMeasurement: 0x2a1c,
  bloodPressureMeasurement: 0x2a35,
  batteryLevel: 0x2a19,
  dateTime: 0x2a08,
} as const;

const BASE_UUID_SUFFIX = '-0000-1000-8000-00805f9b34fb';
const UUID128_RE = /^0000([0-9a-f]{4})-0000-1000-8000-00805f9b34fb$/;
const UUID16_RE = /^(?:0x)?([0-9a-f]{4})$/;

/** `0x2a37` → `00002a37-0000-1000-8000-00805f9b34fb` (lower case, as BlueZ prints it). */
export function gattUuid128(uuid16: number): string {
  return `0000${uuid16.toString(16).padStart(4, '0')}${BASE_UUID_SUFFIX}`;
}

/** The 16-bit form of a SIG UUID given as `2A37`, `0x2a37` or the full 128-bit string; null otherwise. */
export function gattUuid16(uuid: string): number | null {
  const text = uuid.trim().toLowerCase();
  const match = UUID128_RE.exec(text) ?? UUID16_RE.exec(text);
  return match?.[1] === undefined ? null : Number.parseInt(match[1], 16);
}

export type GattErrorCode = 'TRUNCATED' | 'RESERVED_VALUE' | 'UNSUPPORTED_CHARACTERISTIC' | 'INTERNAL';

/** Why a characteristic value could not be parsed; `code` is stable, `message` names the field. */
export class GattParseError extends Error {
  readonly code: GattErrorCode;

  constructor(code: GattErrorCode, message: string) {
    super(message);
    this.name = 'GattParseError';
    this.code = code;
  }
}

export type GattResult<T> = { ok: true; value: T } | { ok: false; error: GattParseError };

/** Runs a parser that signals failure by throwing GattParseError; never throws itself. */
export function attempt<T>(parse: () => T): GattResult<T> {
  try {
    return { ok: true, value: parse() };
  } catch (err) {
    if (err instanceof GattParseError) return { ok: false, error: err };
    return {
      ok: false,
      error: new GattParseError('INTERNAL', err instanceof Error ? err.message : String(err)),
    };
  }
}

/** Little-endian reader that throws GattParseError('TRUNCATED') instead of reading past the end. */
export class ByteReader {
  private readonly bytes: Uint8Array;
  private offset = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  u8(field: string): number {
    return this.uint(1, field);
  }

  u16(field: string): number {
    return this.uint(2, field);
  }

  u24(field: string): number {
    return this.uint(3, field);
  }

  sfloat(field: string): IeeeNumber {
    return decodeSfloat(this.uint(2, field));
  }

  float(field: string): IeeeNumber {
    return decodeFloat(this.uint(4, field));
  }

  dateTime(field: string): GattDateTime {
    this.need(7, field);
    const value = readDateTime(this.bytes, this.offset);
    this.offset += 7;
    return value;
  }

  private uint(size: number, field: string): number {
    this.need(size, field);
    let value = 0;
    for (let i = size - 1; i >= 0; i--) value = value * 256 + (this.bytes[this.offset + i] ?? 0);
    this.offset += size;
    return value;
  }

  private need(size: number, field: string): void {
    if (this.remaining < size) {
      const msg = `${field} needs ${size} bytes at offset ${this.offset}, ${this.remaining} left`;
      throw new GattParseError('TRUNCATED', msg);
    }
  }
}

/** Little-endian writer for the simulators' encoders; throws RangeError on values that do not fit. */
export class ByteWriter {
  private readonly bytes: number[] = [];

  u8(value: number): this {
    return this.uint(value, 1);
  }

  u16(value: number): this {
    return this.uint(value, 2);
  }

  u24(value: number): this {
    return this.uint(value, 3);
  }

  sfloat(value: IeeeInput): this {
    this.bytes.push(...encodeSfloat(value));
    return this;
  }

  float(value: IeeeInput): this {
    this.bytes.push(...encodeFloat(value));
    return this;
  }

  dateTime(value: GattDateTime): this {
    this.bytes.push(...encodeDateTime(value));
    return this;
  }

  toBytes(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }

  private uint(value: number, size: number): this {
    if (!Number.isInteger(value) || value < 0 || value >= 256 ** size) {
      throw new RangeError(`${value} does not fit in ${size} byte(s)`);
    }
    for (let i = 0; i < size; i++) this.bytes.push(Math.floor(value / 256 ** i) % 256);
    return this;
  }
}

/** Date Time (0x2A08). A zero year, month or day means "not known". Times are the device's local time. */
export interface GattDateTime {
  year: number;
  month: number;
  day: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const DATE_LIMITS: ReadonlyArray<[keyof GattDateTime, number, number]> = [
  ['month', 0, 12],
  ['day', 0, 31],
  ['hours', 0, 23],
  ['minutes', 0, 59],
  ['seconds', 0, 59],
];

function readDateTime(bytes: Uint8Array, at: number): GattDateTime {
  const b = (i: number) => bytes[at + i] ?? 0;
  const dt = { year: b(0) | (b(1) << 8), month: b(2), day: b(3), hours: b(4), minutes: b(5), seconds: b(6) };
  if (dt.year !== 0 && (dt.year < 1582 || dt.year > 9999)) {
    throw new GattParseError('RESERVED_VALUE', `Date Time year ${dt.year} is outside 1582..9999`);
  }
  for (const [field, min, max] of DATE_LIMITS) {
    if (dt[field] < min || dt[field] > max) {
      throw new GattParseError('RESERVED_VALUE', `Date Time ${field} ${dt[field]} is outside ${min}..${max}`);
    }
  }
  return dt;
}

/** Decodes a 7-byte Date Time: u16 year, then month, day, hours, minutes, seconds. Never throws. */
export function parseDateTime(bytes: Uint8Array): GattResult<GattDateTime> {
  return attempt(() => new ByteReader(bytes).dateTime('Date Time'));
}

export function encodeDateTime(dt: GattDateTime): Uint8Array {
  const w = new ByteWriter().u16(dt.year);
  for (const value of [dt.month, dt.day, dt.hours, dt.minutes, dt.seconds]) w.u8(value);
  return w.toBytes();
}

/** `2024-05-06T07:08:09` (no zone: the device's local time), or null when the date is not known. */
export function formatDateTime(dt: GattDateTime): string | null {
  if (dt.year === 0 || dt.month === 0 || dt.day === 0) return null;
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(dt.year, 4)}-${p(dt.month)}-${p(dt.day)}T${p(dt.hours)}:${p(dt.minutes)}:${p(dt.seconds)}`;
}
