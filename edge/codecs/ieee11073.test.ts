import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeFloat,
  decodeSfloat,
  encodeFloat,
  encodeSfloat,
  floatRaw,
  type IeeeNumber,
  type IeeeSpecialKind,
  ieeeValue,
  sfloatRaw,
} from './ieee11073.ts';
import { hex, toHex } from './test-support.ts';

const sfloatOf = (bytes: string) => decodeSfloat(hex(bytes).readUInt16LE(0));
const floatOf = (bytes: string) => decodeFloat(hex(bytes).readUInt32LE(0));

describe('IEEE-11073 numbers: the examples of DEVICE-PROTOCOLS §4.1', () => {
  it.each([
    { value: 97, exponent: 0, bytes: '61 00' },
    { value: 97.5, exponent: -1, bytes: 'CF F3' },
    { value: -1.5, exponent: -1, bytes: 'F1 FF' },
  ])('SFLOAT $value is $bytes both ways', ({ value, exponent, bytes }) => {
    expect(sfloatOf(bytes)).toEqual({ kind: 'value', value });
    expect(toHex(encodeSfloat(value, exponent))).toBe(bytes);
    expect(toHex(encodeSfloat(value))).toBe(bytes);
  });

  it('FLOAT 36.6 (366, exponent −1) is 6E 01 00 FF both ways', () => {
    expect(floatOf('6E 01 00 FF')).toEqual({ kind: 'value', value: 36.6 });
    expect(toHex(encodeFloat(36.6, -1))).toBe('6E 01 00 FF');
    expect(toHex(encodeFloat(36.6))).toBe('6E 01 00 FF');
  });

  const specials: { kind: IeeeSpecialKind; sfloat: string; float: string }[] = [
    { kind: 'nan', sfloat: 'FF 07', float: 'FF FF 7F 00' },
    { kind: 'nres', sfloat: '00 08', float: '00 00 80 00' },
    { kind: '+inf', sfloat: 'FE 07', float: 'FE FF 7F 00' },
    { kind: '-inf', sfloat: '02 08', float: '02 00 80 00' },
    { kind: 'reserved', sfloat: '01 08', float: '01 00 80 00' },
  ];

  it.each(specials)(
    'the special $kind is $sfloat as SFLOAT and $float as FLOAT, both ways',
    ({ kind, sfloat, float }) => {
      expect(sfloatOf(sfloat)).toEqual({ kind });
      expect(floatOf(float)).toEqual({ kind });
      expect(toHex(encodeSfloat({ kind }))).toBe(sfloat);
      expect(toHex(encodeFloat({ kind }))).toBe(float);
    },
  );

  it('a special mantissa is special whatever the exponent', () => {
    expect(decodeSfloat(0xf7ff)).toEqual({ kind: 'nan' });
    expect(decodeSfloat(0x2802)).toEqual({ kind: '-inf' });
    expect(decodeFloat(0xff800000)).toEqual({ kind: 'nres' });
  });

  it('JavaScript NaN and the infinities encode as the matching specials', () => {
    expect(toHex(encodeSfloat(Number.NaN))).toBe('FF 07');
    expect(toHex(encodeSfloat(Number.POSITIVE_INFINITY))).toBe('FE 07');
    expect(toHex(encodeFloat(Number.NEGATIVE_INFINITY))).toBe('02 00 80 00');
  });

  it('the largest ordinary mantissas sit just below the specials', () => {
    expect(decodeSfloat(0x07fd)).toEqual({ kind: 'value', value: 2045 });
    expect(decodeSfloat(0x0803)).toEqual({ kind: 'value', value: -2045 });
    expect(() => encodeSfloat(2046, 0)).toThrow(RangeError);
    expect(toHex(encodeSfloat(2046))).toBe('CD 10');
  });

  it('values that cannot be represented throw a RangeError', () => {
    expect(() => encodeSfloat(1e12)).toThrow(RangeError);
    expect(() => encodeSfloat(5, 8)).toThrow(RangeError);
    expect(() => encodeFloat(1, 0.5)).toThrow(RangeError);
  });

  it('ieeeValue gives the number or null for a special', () => {
    expect(ieeeValue({ kind: 'value', value: 3 })).toBe(3);
    expect(ieeeValue({ kind: 'nres' })).toBeNull();
  });
});

describe('IEEE-11073 numbers, for any input', () => {
  it('every 16-bit pattern decodes without throwing and an ordinary one re-encodes to itself', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), (raw) => {
        const n = decodeSfloat(raw);
        const exponent = raw >> 12 >= 8 ? (raw >> 12) - 16 : raw >> 12;
        if (n.kind === 'value') expect(sfloatRaw(n.value, exponent)).toBe(raw);
        else expect(sfloatRaw(n) & 0x0fff).toBe(raw & 0x0fff);
      }),
      { numRuns: 1000 },
    );
  });

  it('every 32-bit pattern decodes without throwing and an ordinary one re-encodes to itself', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (raw) => {
        const n = decodeFloat(raw);
        const exponent = raw >>> 24 >= 128 ? (raw >>> 24) - 256 : raw >>> 24;
        if (n.kind === 'value') expect(floatRaw(n.value, exponent)).toBe(raw);
        else expect(floatRaw(n) % 2 ** 24).toBe(raw % 2 ** 24);
      }),
      { numRuns: 1000 },
    );
  });

  it('a value with up to eight decimals survives encode and decode with the chosen exponent', () => {
    const value = fc
      .tuple(fc.integer({ min: -2045, max: 2045 }), fc.integer({ min: 0, max: 8 }))
      .map(([m, k]) => m / 10 ** k);
    fc.assert(
      fc.property(value, (v) => {
        const back: IeeeNumber = decodeSfloat(sfloatRaw(v));
        expect(back).toEqual({ kind: 'value', value: v });
        const backFloat = decodeFloat(floatRaw(v));
        expect(backFloat).toEqual({ kind: 'value', value: v });
      }),
      { numRuns: 1000 },
    );
  });
});
