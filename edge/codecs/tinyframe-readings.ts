/**
 * Meaning of MR60FDA2 / MR60BHA2 TinyFrame messages (DEVICE-PROTOCOLS §2.2): `interpretTinyFrame`
 * for the drivers and `encodeTinyReading` for the simulators. DATA values are little-endian.
 */
import { encodeTinyFrame, TF_TYPE, type TinyFrame, type TinyFrameEncodeOptions } from './tinyframe.ts';

export interface FallAlarmArea {
  xl: number;
  xr: number;
  zf: number;
  zb: number;
}

export type TinyReading =
  | { kind: 'presence'; present: boolean }
  | { kind: 'fall'; fallen: boolean }
  | { kind: 'heartRate'; bpm: number }
  | { kind: 'breathRate'; perMinute: number }
  /** Null when the radar flags the distance as not valid. */
  | { kind: 'distance'; cm: number | null }
  | { kind: 'phases'; total: number; breath: number; heart: number }
  | { kind: 'firmware'; version: number }
  /** The reply to 0x0E06; the alarm area only when the reply carries all seven fields. */
  | {
      kind: 'fallParameters';
      installHeightM: number;
      fallThresholdM: number;
      sensitivity: number;
      area?: FallAlarmArea;
    }
  /** A command's acknowledgement: empty (Hi-Link ACK) or one byte, 1 = ok. */
  | { kind: 'commandAck'; type: number; ok: boolean };

const ACKED_COMMANDS: ReadonlySet<number> = new Set<number>([
  TF_TYPE.setInstallHeight,
  TF_TYPE.getParameters,
  TF_TYPE.setFallThreshold,
  TF_TYPE.setSensitivity,
  TF_TYPE.setAlarmArea,
  TF_TYPE.resetSettings,
]);

/** The typed reading of a frame, or null for unknown types (debug text, point clouds) and malformed data. */
export function interpretTinyFrame(frame: TinyFrame): TinyReading | null {
  const { type, data } = frame;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  switch (type) {
    case TF_TYPE.presence:
      // ESPHome publishes the byte as a boolean: any non-zero value is a person.
      return data.length === 1 ? { kind: 'presence', present: data[0] !== 0 } : null;
    case TF_TYPE.fall:
      return data.length === 1 ? { kind: 'fall', fallen: data[0] !== 0 } : null;
    case TF_TYPE.heartRate: {
      const bpm = singleFloat(view);
      return bpm === null ? null : { kind: 'heartRate', bpm };
    }
    case TF_TYPE.breathRate: {
      const perMinute = singleFloat(view);
      return perMinute === null ? null : { kind: 'breathRate', perMinute };
    }
    case TF_TYPE.distance:
      return distanceReading(view);
    case TF_TYPE.phases:
      return phasesReading(view);
    case TF_TYPE.firmware:
      return data.length === 4 ? { kind: 'firmware', version: view.getUint32(0, true) } : null;
    default:
      return commandReply(type, view);
  }
}

function singleFloat(view: DataView): number | null {
  if (view.byteLength !== 4) return null;
  const value = view.getFloat32(0, true);
  return Number.isFinite(value) ? value : null;
}

function distanceReading(view: DataView): TinyReading | null {
  if (view.byteLength !== 8) return null;
  const cm = view.getFloat32(4, true);
  const valid = view.getUint32(0, true) !== 0 && Number.isFinite(cm);
  return { kind: 'distance', cm: valid ? cm : null };
}

function phasesReading(view: DataView): TinyReading | null {
  if (view.byteLength !== 12) return null;
  const [total, breath, heart] = [0, 4, 8].map((at) => view.getFloat32(at, true));
  if (total === undefined || breath === undefined || heart === undefined) return null;
  return { kind: 'phases', total, breath, heart };
}

function commandReply(type: number, view: DataView): TinyReading | null {
  if (!ACKED_COMMANDS.has(type)) return null;
  if (view.byteLength === 0) return { kind: 'commandAck', type, ok: true };
  if (type === TF_TYPE.getParameters) return parametersReading(view);
  return view.byteLength === 1 ? { kind: 'commandAck', type, ok: view.getUint8(0) === 1 } : null;
}

function parametersReading(view: DataView): TinyReading | null {
  if (view.byteLength !== 12 && view.byteLength !== 28) return null;
  const f = (at: number) => view.getFloat32(at, true);
  const reading: Extract<TinyReading, { kind: 'fallParameters' }> = {
    kind: 'fallParameters',
    installHeightM: f(0),
    fallThresholdM: f(4),
    sensitivity: view.getUint32(8, true),
  };
  if (view.byteLength === 28) reading.area = { xl: f(12), xr: f(16), zf: f(20), zb: f(24) };
  return reading;
}

/**
 * The frame a radar sends for a reading; simulators use it. Floats are stored as float32, so a
 * value like 72.1 comes back as the nearest float32. Throws RangeError for unencodable values.
 */
export function encodeTinyReading(
  reading: TinyReading,
  id = 0,
  options: TinyFrameEncodeOptions = {},
): Buffer {
  const [type, data] = tinyReadingParts(reading);
  return encodeTinyFrame(type, data, id, options);
}

function tinyReadingParts(r: TinyReading): [number, Uint8Array] {
  switch (r.kind) {
    case 'presence':
      return [TF_TYPE.presence, Uint8Array.of(r.present ? 1 : 0)];
    case 'fall':
      return [TF_TYPE.fall, Uint8Array.of(r.fallen ? 1 : 0)];
    case 'heartRate':
      return [TF_TYPE.heartRate, f32(r.bpm)];
    case 'breathRate':
      return [TF_TYPE.breathRate, f32(r.perMinute)];
    case 'distance':
      return [TF_TYPE.distance, Buffer.concat([u32(r.cm === null ? 0 : 1), f32(r.cm ?? 0)])];
    case 'phases':
      return [TF_TYPE.phases, f32(r.total, r.breath, r.heart)];
    case 'firmware':
      return [TF_TYPE.firmware, u32(r.version)];
    case 'fallParameters': {
      const area = r.area ? f32(r.area.xl, r.area.xr, r.area.zf, r.area.zb) : new Uint8Array(0);
      return [
        TF_TYPE.getParameters,
        Buffer.concat([f32(r.installHeightM, r.fallThresholdM), u32(r.sensitivity), area]),
      ];
    }
    case 'commandAck':
      return [r.type, Uint8Array.of(r.ok ? 1 : 0)];
  }
}

/** Little-endian float32s. */
function f32(...values: number[]): Buffer {
  const out = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => {
    out.writeFloatLE(v, i * 4);
  });
  return out;
}

/** A little-endian u32; throws RangeError outside 0..2^32-1. */
function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32LE(value, 0);
  return out;
}

/** Host→radar commands the FDA2 driver sends (DEVICE-PROTOCOLS §2.2–2.3). */
export const tinyCommands = {
  getParameters: (id = 0): Buffer => encodeTinyFrame(TF_TYPE.getParameters, new Uint8Array(0), id),
  resetSettings: (id = 0): Buffer => encodeTinyFrame(TF_TYPE.resetSettings, new Uint8Array(0), id),
  setInstallHeight: (metres: number, id = 0): Buffer =>
    encodeTinyFrame(TF_TYPE.setInstallHeight, f32(metres), id),
  setFallThreshold: (metres: number, id = 0): Buffer =>
    encodeTinyFrame(TF_TYPE.setFallThreshold, f32(metres), id),
  setSensitivity: (level: number, id = 0): Buffer => encodeTinyFrame(TF_TYPE.setSensitivity, u32(level), id),
} as const;
