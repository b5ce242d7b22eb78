/**
 * Meaning of MR60FDA1 / MR60BHA1 frames (DEVICE-PROTOCOLS §1.2): `interpretSy` for the edge drivers,
 * `encodeSyReading` for the simulators, so both sides share one table of control and command words.
 */
import { encodeSyFrame, SY_QUERY_DATA, type SyFrame } from './seeed-sy.ts';

export const SY_CTRL = {
  system: 0x01,
  product: 0x02,
  human: 0x80,
  breath: 0x81,
  fall: 0x83,
  heart: 0x85,
} as const;

export type SyMotion = 'none' | 'stationary' | 'active';
export type SyBreathState = 'normal' | 'tooFast' | 'tooSlow' | 'none';
export type SyProductField = 'model' | 'productId' | 'hardware';

export type SyReading =
  | { kind: 'heartbeat' }
  | { kind: 'resetAck' }
  | { kind: 'productInfo'; field: SyProductField; text: string }
  | { kind: 'firmware'; version: string }
  | { kind: 'presence'; present: boolean }
  | { kind: 'motion'; motion: SyMotion }
  | { kind: 'bodyMovement'; value: number }
  | { kind: 'distance'; cm: number }
  /** Metres; x and y are signed. */
  | { kind: 'position'; x: number; y: number; z: number }
  | { kind: 'fallDetectionEnabled'; enabled: boolean }
  | { kind: 'fall'; fallen: boolean }
  /** The stationary-residence ("stay-still") alarm. */
  | { kind: 'residence'; stationary: boolean }
  | { kind: 'breathState'; state: SyBreathState }
  | { kind: 'breathRate'; perMinute: number }
  | { kind: 'breathWaveform'; samples: number[] }
  | { kind: 'heartRate'; bpm: number }
  | { kind: 'heartWaveform'; samples: number[] };

const MOTIONS: readonly SyMotion[] = ['none', 'stationary', 'active'];
const BREATH_STATES: readonly SyBreathState[] = ['normal', 'tooFast', 'tooSlow', 'none'];
const PRODUCT_FIELDS: readonly SyProductField[] = ['model', 'productId', 'hardware'];
const WAVEFORM_SAMPLES = 5;

/**
 * The typed reading a module→host frame carries, or null for anything unknown or malformed.
 * In the report groups (0x80 and up) a reply to a query carries `cmd | 0x80` and means the same.
 */
export function interpretSy(frame: SyFrame): SyReading | null {
  const { ctrl, data } = frame;
  const cmd = ctrl >= 0x80 ? frame.cmd & 0x7f : frame.cmd;
  switch (ctrl) {
    case SY_CTRL.system:
      return cmd === 0x01 ? { kind: 'heartbeat' } : cmd === 0x02 ? { kind: 'resetAck' } : null;
    case SY_CTRL.product:
      return productReading(cmd, data);
    case SY_CTRL.human:
      return humanReading(cmd, data);
    case SY_CTRL.breath:
      return breathReading(cmd, data);
    case SY_CTRL.fall:
      return fallReading(cmd, data);
    case SY_CTRL.heart:
      if (cmd === 0x02 && data.length === 1) return { kind: 'heartRate', bpm: data[0] ?? 0 };
      if (cmd === 0x05 && data.length === WAVEFORM_SAMPLES) {
        return { kind: 'heartWaveform', samples: [...data] };
      }
      return null;
    default:
      return null;
  }
}

function productReading(cmd: number, data: Uint8Array): SyReading | null {
  const text = asciiText(data);
  if (text === null) return null;
  if (cmd === 0xa4) return { kind: 'firmware', version: text };
  const field = PRODUCT_FIELDS[cmd - 0xa1];
  return field === undefined ? null : { kind: 'productInfo', field, text };
}

function humanReading(cmd: number, data: Uint8Array): SyReading | null {
  const b = data.length === 1 ? (data[0] ?? 0) : null;
  switch (cmd) {
    case 0x01:
      return b === 0 || b === 1 ? { kind: 'presence', present: b === 1 } : null;
    case 0x02: {
      const motion = b === null ? undefined : MOTIONS[b];
      return motion === undefined ? null : { kind: 'motion', motion };
    }
    case 0x03:
      return b !== null && b <= 100 ? { kind: 'bodyMovement', value: b } : null;
    case 0x04:
      return data.length === 2 ? { kind: 'distance', cm: u16(data, 0) } : null;
    case 0x05:
      if (data.length !== 6) return null;
      return {
        kind: 'position',
        x: signMagnitude(data, 0),
        y: signMagnitude(data, 2),
        z: signMagnitude(data, 4),
      };
    default:
      return null;
  }
}

function breathReading(cmd: number, data: Uint8Array): SyReading | null {
  if (cmd === 0x01 && data.length === 1) {
    const state = BREATH_STATES[(data[0] ?? 0) - 1];
    return state === undefined ? null : { kind: 'breathState', state };
  }
  if (cmd === 0x02 && data.length === 1) return { kind: 'breathRate', perMinute: data[0] ?? 0 };
  if (cmd === 0x05 && data.length === WAVEFORM_SAMPLES) return { kind: 'breathWaveform', samples: [...data] };
  return null;
}

function fallReading(cmd: number, data: Uint8Array): SyReading | null {
  const b = data.length === 1 ? data[0] : undefined;
  if (b !== 0 && b !== 1) return null;
  if (cmd === 0x00) return { kind: 'fallDetectionEnabled', enabled: b === 1 };
  if (cmd === 0x01) return { kind: 'fall', fallen: b === 1 };
  if (cmd === 0x05) return { kind: 'residence', stationary: b === 1 };
  return null;
}

function u16(data: Uint8Array, at: number): number {
  return ((data[at] ?? 0) << 8) | (data[at + 1] ?? 0);
}

/** Bit 15 is the sign, the rest the magnitude in centimetres; returns metres. */
function signMagnitude(data: Uint8Array, at: number): number {
  const raw = u16(data, at);
  const magnitude = (raw & 0x7fff) / 100;
  return raw & 0x8000 && magnitude !== 0 ? -magnitude : magnitude;
}

/** Printable ASCII with trailing NULs removed; null if empty or anything else (e.g. the 0x0F query byte). */
function asciiText(data: Uint8Array): string | null {
  let end = data.length;
  while (end > 0 && data[end - 1] === 0) end--;
  if (end === 0) return null;
  const bytes = data.subarray(0, end);
  if (!bytes.every((b) => b >= 0x20 && b <= 0x7e)) return null;
  return String.fromCharCode(...bytes);
}

/** The frame a module sends for a reading; simulators use it. Throws RangeError for unencodable values. */
export function encodeSyReading(reading: SyReading): Buffer {
  const [ctrl, cmd, data] = syReadingParts(reading);
  return encodeSyFrame(ctrl, cmd, data);
}

function syReadingParts(r: SyReading): [number, number, Uint8Array] {
  switch (r.kind) {
    case 'heartbeat':
      return [SY_CTRL.system, 0x01, Uint8Array.of(SY_QUERY_DATA)];
    case 'resetAck':
      return [SY_CTRL.system, 0x02, Uint8Array.of(SY_QUERY_DATA)];
    case 'firmware':
      return [SY_CTRL.product, 0xa4, asciiBytes(r.version)];
    case 'productInfo':
      return [SY_CTRL.product, 0xa1 + PRODUCT_FIELDS.indexOf(r.field), asciiBytes(r.text)];
    case 'presence':
      return [SY_CTRL.human, 0x01, Uint8Array.of(r.present ? 1 : 0)];
    case 'motion':
      return [SY_CTRL.human, 0x02, Uint8Array.of(MOTIONS.indexOf(r.motion))];
    case 'bodyMovement':
      return [SY_CTRL.human, 0x03, Uint8Array.of(byte(r.value, 100))];
    case 'distance':
      return [SY_CTRL.human, 0x04, u16Bytes(r.cm)];
    case 'position':
      return [SY_CTRL.human, 0x05, Uint8Array.from([...smBytes(r.x), ...smBytes(r.y), ...smBytes(r.z)])];
    default:
      return vitalParts(r);
  }
}

function vitalParts(r: SyReading): [number, number, Uint8Array] {
  switch (r.kind) {
    case 'fallDetectionEnabled':
      return [SY_CTRL.fall, 0x00, Uint8Array.of(r.enabled ? 1 : 0)];
    case 'fall':
      return [SY_CTRL.fall, 0x01, Uint8Array.of(r.fallen ? 1 : 0)];
    case 'residence':
      return [SY_CTRL.fall, 0x05, Uint8Array.of(r.stationary ? 1 : 0)];
    case 'breathState':
      return [SY_CTRL.breath, 0x01, Uint8Array.of(BREATH_STATES.indexOf(r.state) + 1)];
    case 'breathRate':
      return [SY_CTRL.breath, 0x02, Uint8Array.of(byte(r.perMinute, 0xff))];
    case 'breathWaveform':
      return [SY_CTRL.breath, 0x05, waveform(r.samples)];
    case 'heartRate':
      return [SY_CTRL.heart, 0x02, Uint8Array.of(byte(r.bpm, 0xff))];
    case 'heartWaveform':
      return [SY_CTRL.heart, 0x05, waveform(r.samples)];
    default:
      throw new RangeError(`cannot encode SY reading ${r.kind}`);
  }
}

function byte(value: number, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${value} is outside 0..${max}`);
  }
  return value;
}

function u16Bytes(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new RangeError(`${value} is not a u16`);
  return Uint8Array.of(value >> 8, value & 0xff);
}

function smBytes(metres: number): Uint8Array {
  const magnitude = Math.round(Math.abs(metres) * 100);
  if (magnitude > 0x7fff) throw new RangeError(`${metres} m is out of the position range`);
  return u16Bytes(metres < 0 && magnitude !== 0 ? 0x8000 | magnitude : magnitude);
}

function waveform(samples: readonly number[]): Uint8Array {
  if (samples.length !== WAVEFORM_SAMPLES) throw new RangeError(`a waveform has ${WAVEFORM_SAMPLES} samples`);
  return Uint8Array.from(samples, (s) => byte(s, 0xff));
}

function asciiBytes(text: string): Uint8Array {
  if (!/^[\x20-\x7e]+$/.test(text)) throw new RangeError('product text must be printable ASCII');
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}
