import { appendChunk, drain, type FrameStep, skipTo, WAIT } from './frame-stream.ts';

/**
 * TinyFrame framing of the MR60FDA2 / MR60BHA2 kits (Hi-Link LD6002 family), DEVICE-PROTOCOLS §2.1:
 * `01 | id u16 BE | len u16 BE | type u16 BE | ~xor(head) | data (LE values) | ~xor(data)`.
 * Stock TinyFrame leaves the data checksum out when len = 0; Seeed's codec appends 0xFF (the
 * checksum of no data). Both forms are accepted.
 */

export { SEEED_RADAR_BAUD } from './seeed-sy.ts';

export const TF_SOF = 0x01;
export const TF_HEAD_LENGTH = 8;
/** Hi-Link's limit on a frame's data; the Seeed library stops at 512. */
export const TF_MAX_DATA = 1024;
/** The checksum of an empty data field. */
export const TF_EMPTY_CHECKSUM = 0xff;

export interface TinyFrame {
  /** Sequence number; the top bit marks the peer. Receivers ignore it. */
  id: number;
  type: number;
  data: Uint8Array;
}

export interface TinyFrameStats {
  frames: number;
  badHeaderChecksum: number;
  badChecksum: number;
  /** Every byte dropped while hunting for a frame, including the SOF of a rejected one. */
  garbageBytes: number;
  oversized: number;
  /** Headers given up while incomplete because a complete, valid frame followed them. */
  abandoned: number;
  /** Frames decoded correctly whose type this codec does not interpret (e.g. 0x0100 debug text). */
  unknownTypes: number;
}

export interface TinyFrameEncodeOptions {
  /** For an empty frame, append the 0xFF empty-data checksum (Seeed form, 9 bytes). Default false (8 bytes). */
  emptyChecksum?: boolean;
}

export interface TinyFrameDecoderOptions {
  maxDataLength?: number;
  /** Types counted as known; by default the ones `interpretTinyFrame` understands. */
  knownTypes?: ReadonlySet<number>;
}

/** `~(XOR of bytes[start..end)) & 0xFF`. */
export function tfChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let x = 0;
  for (let i = start; i < end; i++) x ^= bytes[i] ?? 0;
  return ~x & 0xff;
}

/** Builds one frame. Throws RangeError for a type or id outside u16 or data over 65535 bytes. */
export function encodeTinyFrame(
  type: number,
  data: Uint8Array = new Uint8Array(0),
  id = 0,
  options: TinyFrameEncodeOptions = {},
): Buffer {
  assertU16('type', type);
  assertU16('id', id);
  assertU16('data length', data.length);
  const withChecksum = data.length > 0 || options.emptyChecksum === true;
  const frame = Buffer.alloc(TF_HEAD_LENGTH + data.length + (withChecksum ? 1 : 0));
  frame[0] = TF_SOF;
  frame.writeUInt16BE(id, 1);
  frame.writeUInt16BE(data.length, 3);
  frame.writeUInt16BE(type, 5);
  frame[7] = tfChecksum(frame, 0, 7);
  frame.set(data, TF_HEAD_LENGTH);
  if (withChecksum) frame[TF_HEAD_LENGTH + data.length] = tfChecksum(data);
  return frame;
}

function assertU16(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new RangeError(`${name} ${value} is not a u16`);
  }
}

/** Message types (DEVICE-PROTOCOLS §2.2). */
export const TF_TYPE = {
  phases: 0x0a13,
  breathRate: 0x0a14,
  heartRate: 0x0a15,
  distance: 0x0a16,
  presence: 0x0f09,
  fall: 0x0e02,
  setInstallHeight: 0x0e04,
  getParameters: 0x0e06,
  setFallThreshold: 0x0e08,
  setSensitivity: 0x0e0a,
  setAlarmArea: 0x0e0c,
  resetSettings: 0x2110,
  targetInfo: 0x0a04,
  pointCloud: 0x0a08,
  debugLog: 0x0100,
  firmware: 0xffff,
} as const;

export const TF_KNOWN_TYPES: ReadonlySet<number> = new Set<number>([
  TF_TYPE.phases,
  TF_TYPE.breathRate,
  TF_TYPE.heartRate,
  TF_TYPE.distance,
  TF_TYPE.presence,
  TF_TYPE.fall,
  TF_TYPE.setInstallHeight,
  TF_TYPE.getParameters,
  TF_TYPE.setFallThreshold,
  TF_TYPE.setSensitivity,
  TF_TYPE.setAlarmArea,
  TF_TYPE.resetSettings,
  TF_TYPE.firmware,
]);

type Step = FrameStep<TinyFrame, 'badHeaderChecksum' | 'badChecksum' | 'oversized' | 'abandoned'>;

/** What the bytes at `pos` are, judged on the bytes present; pure, so it can also probe ahead. */
function parseTinyAt(buf: Buffer, pos: number, maxDataLength: number): Step {
  const start = buf.indexOf(TF_SOF, pos);
  if (start !== pos) return skipTo(start, buf.length, pos);
  if (buf.length - pos < TF_HEAD_LENGTH) return WAIT;
  if (tfChecksum(buf, pos, pos + 7) !== buf[pos + 7]) {
    return { kind: 'skip', length: 1, reason: 'badHeaderChecksum' };
  }
  const len = buf.readUInt16BE(pos + 3);
  if (len > maxDataLength) return { kind: 'skip', length: 1, reason: 'oversized' };
  const head = { id: buf.readUInt16BE(pos + 1), type: buf.readUInt16BE(pos + 5) };
  if (len === 0)
    return { kind: 'frame', frame: { ...head, data: new Uint8Array(0) }, length: TF_HEAD_LENGTH };
  const dataStart = pos + TF_HEAD_LENGTH;
  if (buf.length < dataStart + len + 1) return WAIT;
  if (tfChecksum(buf, dataStart, dataStart + len) !== buf[dataStart + len]) {
    return { kind: 'skip', length: 1, reason: 'badChecksum' };
  }
  const data = new Uint8Array(buf.subarray(dataStart, dataStart + len));
  return { kind: 'frame', frame: { ...head, data }, length: TF_HEAD_LENGTH + len + 1 };
}

/**
 * Streaming decoder with the same guarantees as `SyDecoder`: never throws, a rejected frame costs
 * one byte, the buffer stays bounded. A zero-length frame is delivered as soon as its 8 bytes are
 * in; a 0xFF right after it is swallowed as its optional checksum, which is safe because the next
 * frame must start with 0x01.
 */
export class TinyFrameDecoder {
  readonly stats: TinyFrameStats = {
    frames: 0,
    badHeaderChecksum: 0,
    badChecksum: 0,
    garbageBytes: 0,
    oversized: 0,
    abandoned: 0,
    unknownTypes: 0,
  };
  private readonly maxDataLength: number;
  private readonly knownTypes: ReadonlySet<number>;
  private buffer: Buffer = Buffer.alloc(0);
  private afterEmptyFrame = false;

  constructor(options: TinyFrameDecoderOptions = {}) {
    this.maxDataLength = options.maxDataLength ?? TF_MAX_DATA;
    this.knownTypes = options.knownTypes ?? TF_KNOWN_TYPES;
  }

  /** Bytes held back waiting for the rest of a frame. */
  get pending(): number {
    return this.buffer.length;
  }

  push(chunk: Uint8Array): TinyFrame[] {
    if (chunk.length === 0) return [];
    const { frames, rest } = drain(
      appendChunk(this.buffer, chunk),
      (buf, pos) => this.step(buf, pos),
      this.stats,
    );
    this.buffer = rest;
    for (const frame of frames) if (!this.knownTypes.has(frame.type)) this.stats.unknownTypes++;
    return frames;
  }

  /** Drops any partial frame, e.g. after the port was reopened. */
  reset(): void {
    this.buffer = Buffer.alloc(0);
    this.afterEmptyFrame = false;
  }

  private step(buf: Buffer, pos: number): Step {
    if (this.afterEmptyFrame && pos < buf.length) {
      // The optional checksum of the empty frame just delivered; a real frame would start with 0x01.
      this.afterEmptyFrame = false;
      if (buf[pos] === TF_EMPTY_CHECKSUM) return { kind: 'pad', length: 1 };
    }
    const step = parseTinyAt(buf, pos, this.maxDataLength);
    if (step.kind === 'frame' && step.frame.data.length === 0) this.afterEmptyFrame = true;
    if (step.kind !== 'wait' || !this.completeFrameAfter(buf, pos + 1)) return step;
    return { kind: 'skip', length: 1, reason: 'abandoned' };
  }

  /** See SyDecoder: a header in noise must not hold back the frames behind it until its length is in. */
  private completeFrameAfter(buf: Buffer, from: number): boolean {
    for (let at = buf.indexOf(TF_SOF, from); at !== -1; at = buf.indexOf(TF_SOF, at + 1)) {
      if (parseTinyAt(buf, at, this.maxDataLength).kind === 'frame') return true;
    }
    return false;
  }
}
