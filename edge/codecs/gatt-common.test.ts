import { describe, expect, it } from 'vitest';
import {
  encodeDateTime,
  formatDateTime,
  GATT_CHARACTERISTIC,
  GATT_SERVICE,
  type GattDateTime,
  type GattParseError,
  type GattResult,
  gattUuid16,
  gattUuid128,
  parseDateTime,
} from './gatt-common.ts';
import { hex, toHex } from './test-support.ts';

const STAMP: GattDateTime = { year: 2024, month: 5, day: 6, hours: 7, minutes: 8, seconds: 9 };

function ok<T>(result: GattResult<T>): T {
  if (!result.ok) throw result.error;
  return result.value;
}

function errorOf<T>(result: GattResult<T>): GattParseError {
  if (result.ok) throw new Error('expected a parse error');
  return result.error;
}

describe('Date Time and UUIDs', () => {
  it('E8 07 05 06 07 08 09 is 2024-05-06 07:08:09 both ways', () => {
    expect(ok(parseDateTime(hex('E8 07 05 06 07 08 09')))).toEqual(STAMP);
    expect(toHex(encodeDateTime(STAMP))).toBe('E8 07 05 06 07 08 09');
    expect(formatDateTime(STAMP)).toBe('2024-05-06T07:08:09');
  });

  it('a date with month 13 is a RESERVED_VALUE', () => {
    expect(errorOf(parseDateTime(hex('E8 07 0D 06 07 08 09'))).code).toBe('RESERVED_VALUE');
  });

  it('a zero date means "not known" and formats as null', () => {
    const unknown = ok(parseDateTime(hex('00 00 00 00 00 00 00')));
    expect(formatDateTime(unknown)).toBeNull();
  });

  it('a six-byte date is TRUNCATED', () => {
    expect(errorOf(parseDateTime(hex('E8 07 05 06 07 08'))).code).toBe('TRUNCATED');
  });

  it('16-bit UUIDs expand onto the Bluetooth base UUID and back', () => {
    expect(gattUuid128(GATT_SERVICE.heartRate)).toBe('0000180d-0000-1000-8000-00805f9b34fb');
    expect(gattUuid16('00002A37-0000-1000-8000-00805F9B34FB')).toBe(GATT_CHARACTERISTIC.heartRateMeasurement);
    expect(gattUuid16('0x2a5f')).toBe(0x2a5f);
    expect(gattUuid16('2A19')).toBe(0x2a19);
    expect(gattUuid16('6e400001-b5a3-f393-e0a9-e50e24dcca9e')).toBeNull();
  });

  it('the service UUIDs are the ones the protocol doc lists', () => {
    expect(GATT_SERVICE).toEqual({
      heartRate: 0x180d,
      pulseOximeter: 0x1822,
      healthThermometer: 0x1809,
      bloodPressure: 0x1810,
      battery: 0x180f,
    });
  });
});
