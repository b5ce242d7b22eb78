/**
 * IEEE-11073-20601 SFLOAT (16-bit) and FLOAT (32-bit) medical numbers, as carried by the
 * Bluetooth SIG health characteristics (DEVICE-PROTOCOLS §4.1). Values are mantissa × 10^exponent.
 */

export type IeeeSpecialKind = 'nan' | 'nres' | '+inf' | '-inf' | 'reserved';

/** A decoded medical number: a finite value, or one of the five reserved special codes. */
export type IeeeNumber = { kind: 'value'; value: number } | { kind: IeeeSpecialKind };

/** What the encoders accept: a plain number (NaN and ±Infinity map to specials) or a decoded result. */
export type IeeeInput = number | IeeeNumber;

interface Layout {
  readonly mantissaBits: number;
  readonly exponentBits: number;
  readonly specials: ReadonlyMap<number, IeeeSpecialKind>;
  readonly codes: Readonly<Record<IeeeSpecialKind, number>>;
  readonly minExponent: number;
  readonly maxExponent: number;
  /** The largest magnitude a real value may have: the codes above it are the specials. */
  readonly maxMantissa: number;
}

function layout(mantissaBits: number, exponentBits: number): Layout {
  const top = 2 ** (mantissaBits - 1);
  // Unsigned mantissa codes: SFLOAT NaN 0x07FF, +INF 0x07FE, NRes 0x0800, reserved 0x0801, -INF 0x0802.
  const codes = { nan: top - 1, '+inf': top - 2, nres: top, reserved: top + 1, '-inf': top + 2 };
  const specials = new Map<number, IeeeSpecialKind>();
  for (const [kind, code] of Object.entries(codes)) specials.set(code, kind as IeeeSpecialKind);
  return {
    mantissaBits,
    exponentBits,
    specials,
    codes,
    minExponent: -(2 ** (exponentBits - 1)),
    maxExponent: 2 ** (exponentBits - 1) - 1,
    maxMantissa: top - 3,
  };
}

const SFLOAT = layout(12, 4);
const FLOAT = layout(24, 8);

function signExtend(raw: number, bits: number): number {
  const top = 2 ** (bits - 1);
  return raw >= top ? raw - 2 * top : raw;
}

function scale(mantissa: number, exponent: number): number {
  // Dividing by an exact power of ten gives the nearest double (366 / 10 is exactly the double 36.6).
  const value = exponent < 0 ? mantissa / 10 ** -exponent : mantissa * 10 ** exponent;
  return value === 0 ? 0 : value;
}

function decode(raw: number, l: Layout): IeeeNumber {
  const mantissaRaw = raw % 2 ** l.mantissaBits;
  // The specials are defined with exponent 0, but devices send them with any exponent: test the mantissa alone.
  const special = l.specials.get(mantissaRaw);
  if (special !== undefined) return { kind: special };
  const exponent = signExtend(Math.floor(raw / 2 ** l.mantissaBits), l.exponentBits);
  return { kind: 'value', value: scale(signExtend(mantissaRaw, l.mantissaBits), exponent) };
}

/** Decodes a raw 16-bit SFLOAT (read little-endian from the wire). */
export function decodeSfloat(raw: number): IeeeNumber {
  return decode(raw & 0xffff, SFLOAT);
}

/** Decodes a raw 32-bit FLOAT (read little-endian from the wire). */
export function decodeFloat(raw: number): IeeeNumber {
  return decode(raw >>> 0, FLOAT);
}

function specialOf(input: IeeeInput): IeeeSpecialKind | null {
  if (typeof input !== 'number') return input.kind === 'value' ? specialOf(input.value) : input.kind;
  if (Number.isNaN(input)) return 'nan';
  if (input === Number.POSITIVE_INFINITY) return '+inf';
  if (input === Number.NEGATIVE_INFINITY) return '-inf';
  return null;
}

function mantissaAt(value: number, exponent: number): number {
  return Math.round(exponent < 0 ? value * 10 ** -exponent : value / 10 ** exponent);
}

function isExact(value: number, exponent: number): boolean {
  const m = exponent < 0 ? value * 10 ** -exponent : value / 10 ** exponent;
  return Math.abs(m - Math.round(m)) <= 1e-9 * Math.max(1, Math.abs(m));
}

/** The exponent that represents `value` exactly with the smallest magnitude, or else most precisely. */
function chooseExponent(value: number, l: Layout): number {
  let best: number | null = null;
  for (let e = 0; e >= l.minExponent; e--) {
    if (Math.abs(mantissaAt(value, e)) > l.maxMantissa) break;
    best = e;
    if (isExact(value, e)) return e;
  }
  if (best !== null) return best;
  for (let e = 1; e <= l.maxExponent; e++) {
    if (Math.abs(mantissaAt(value, e)) <= l.maxMantissa) return e;
  }
  throw new RangeError(
    `${value} is too large for a ${l.mantissaBits + l.exponentBits}-bit IEEE-11073 number`,
  );
}

function encodeRaw(input: IeeeInput, exponent: number | undefined, l: Layout): number {
  const mantissaMod = 2 ** l.mantissaBits;
  const special = specialOf(input);
  if (special !== null) return l.codes[special];
  const value = typeof input === 'number' ? input : input.kind === 'value' ? input.value : 0;
  const e = exponent ?? chooseExponent(value, l);
  if (!Number.isInteger(e) || e < l.minExponent || e > l.maxExponent) {
    throw new RangeError(`exponent ${e} is outside ${l.minExponent}..${l.maxExponent}`);
  }
  const m = mantissaAt(value, e);
  if (Math.abs(m) > l.maxMantissa) throw new RangeError(`${value} does not fit with exponent ${e}`);
  const eRaw = (e + 2 ** l.exponentBits) % 2 ** l.exponentBits;
  return eRaw * mantissaMod + ((m + mantissaMod) % mantissaMod);
}

/** The raw 16-bit SFLOAT for a value; without an exponent the most compact exact one is chosen. */
export function sfloatRaw(input: IeeeInput, exponent?: number): number {
  return encodeRaw(input, exponent, SFLOAT);
}

/** The raw 32-bit FLOAT for a value; without an exponent the most compact exact one is chosen. */
export function floatRaw(input: IeeeInput, exponent?: number): number {
  return encodeRaw(input, exponent, FLOAT);
}

/** SFLOAT wire bytes (little-endian), e.g. `encodeSfloat(97.5, -1)` → `CF F3`. Throws RangeError if it cannot fit. */
export function encodeSfloat(input: IeeeInput, exponent?: number): Uint8Array {
  const raw = sfloatRaw(input, exponent);
  return Uint8Array.of(raw & 0xff, raw >>> 8);
}

/** FLOAT wire bytes (little-endian), e.g. `encodeFloat(36.6, -1)` → `6E 01 00 FF`. Throws RangeError if it cannot fit. */
export function encodeFloat(input: IeeeInput, exponent?: number): Uint8Array {
  const raw = floatRaw(input, exponent);
  return Uint8Array.of(raw & 0xff, (raw >>> 8) & 0xff, (raw >>> 16) & 0xff, raw >>> 24);
}

/** The finite value, or null for any special (NaN, NRes, ±INF, reserved). */
export function ieeeValue(n: IeeeNumber): number | null {
  return n.kind === 'value' ? n.value : null;
}

/** Applies `f` to a finite value and passes a special through unchanged. */
export function mapIeee(n: IeeeNumber, f: (value: number) => number): IeeeNumber {
  return n.kind === 'value' ? { kind: 'value', value: f(n.value) } : n;
}
