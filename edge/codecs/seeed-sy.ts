import { appendChunk, drain, type FrameStep, WAIT } from './frame-stream.ts';

/**
 * "SY…TC" framing of the first-generation Seeed 60 GHz radars, MR60FDA1 (fall) and MR60BHA1
 * (breathing/heart), DEVICE-PROTOCOLS §1.1:
 * `53 59 | ctrl | cmd | len u16 BE | data | sum | 54 43`, where sum is the low byte of the
 * arithmetic sum of every byte before it.
 */

/** Both Seeed radar generations talk 115200 8N1. */
export const SEEED_RADAR_BAUD = 115200;

export const SY_HEAD_0 = 0x53;
export const SY_HEAD_1 = 0x59;
export const SY_TAIL_0 = 0x54;
export const SY_TAIL_1 = 0x43;
/** Header (2) + ctrl + cmd + length (2) + checksum + tail (2). */
export const SY_OVERHEAD = 9;
/** Default cap on a frame's declared data length; a longer one is taken as a false header. */
export const SY_MAX_DATA = 1024;
/** The data byte of every query frame. */
export const SY_QUERY_DATA = 0x0f;

export interface SyFrame {
  ctrl: number;
  cmd: number;
  data: Uint8Array;
}

export interface SyStats {
  /** Frames that passed the tail and checksum checks. */
  frames: number;
  badChecksum: number;
  badTail: number;
  /** Every byte dropped while hunting for a frame, including the header byte of a rejected one. */
  garbageBytes: number;
  /** Headers whose declared length exceeded the cap. */
  oversized: number;
  /** Headers given up while incomplete because a complete, valid frame followed them. */
  abandoned: number;
}

export interface SyDecoderOptions {
  /** Longest data field accepted; default {@link SY_MAX_DATA}. */
  maxDataLength?: number;
}

/** Low byte of the sum of `bytes[start..end)`. */
export function sySum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += bytes[i] ?? 0;
  return sum & 0xff;
}

/** Builds one complete frame. Throws RangeError for a ctrl/cmd outside a byte or data over 65535 bytes. */
export function encodeSyFrame(ctrl: number, cmd: number, data: Uint8Array = new Uint8Array(0)): Buffer {
  assertByte('ctrl', ctrl);
  assertByte('cmd', cmd);
  if (data.length > 0xffff) throw new RangeError(`SY data of ${data.length} bytes exceeds 65535`);
  const frame = Buffer.alloc(data.length + SY_OVERHEAD);
  frame[0] = SY_HEAD_0;
  frame[1] = SY_HEAD_1;
  frame[2] = ctrl;
  frame[3] = cmd;
  frame.writeUInt16BE(data.length, 4);
  frame.set(data, 6);
  frame[6 + data.length] = sySum(frame, 0, 6 + data.length);
  frame[7 + data.length] = SY_TAIL_0;
  frame[8 + data.length] = SY_TAIL_1;
  return frame;
}

/** A query (or heartbeat / reset) frame: one data byte 0x0F, e.g. `syQuery(0x02, 0xa4)` asks the firmware version. */
export function syQuery(ctrl: number, cmd: number): Buffer {
  return encodeSyFrame(ctrl, cmd, Uint8Array.of(SY_QUERY_DATA));
}

function assertByte(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) {
    throw new RangeError(`${name} ${value} is not a byte`);
  }
}

type Step = FrameStep<SyFrame, 'badChecksum' | 'badTail' | 'oversized' | 'abandoned'>;

/** Index of the next `53 59` at or after `from`; a lone trailing 0x53 counts (its 0x59 may be in the next chunk). */
function findHeader(buf: Buffer, from: number): number {
  let i = from;
  for (;;) {
    const at = buf.indexOf(SY_HEAD_0, i);
    if (at === -1) return buf.length;
    if (at + 1 >= buf.length || buf[at + 1] === SY_HEAD_1) return at;
    i = at + 1;
  }
}

/** What the bytes at `pos` are, judged on the bytes present; pure, so it can also probe ahead. */
function parseSyAt(buf: Buffer, pos: number, maxDataLength: number): Step {
  const start = findHeader(buf, pos);
  if (start > pos) return { kind: 'skip', length: start - pos, reason: null };
  if (buf.length - pos < 6) return WAIT;
  const len = buf.readUInt16BE(pos + 4);
  if (len > maxDataLength) return { kind: 'skip', length: 1, reason: 'oversized' };
  if (buf.length - pos < len + SY_OVERHEAD) return WAIT;
  const end = pos + 6 + len;
  if (buf[end + 1] !== SY_TAIL_0 || buf[end + 2] !== SY_TAIL_1) {
    return { kind: 'skip', length: 1, reason: 'badTail' };
  }
  if (sySum(buf, pos, end) !== buf[end]) return { kind: 'skip', length: 1, reason: 'badChecksum' };
  const frame = {
    ctrl: buf[pos + 2] ?? 0,
    cmd: buf[pos + 3] ?? 0,
    data: new Uint8Array(buf.subarray(pos + 6, end)),
  };
  return { kind: 'frame', frame, length: len + SY_OVERHEAD };
}

/**
 * Streaming decoder: push whatever the serial port delivers, get back the complete frames.
 * It never throws; a bad frame costs one byte and the search resumes at the next `53 59`, so a
 * corrupted frame never hides the good one behind it. The buffer never holds more than one
 * maximal frame between pushes.
 *
 * SY headers carry no checksum, so a `53 59` in line noise can declare up to 1024 data bytes. An
 * MR60FDA1 may send only a 10-byte heartbeat a minute, so waiting for them could hold a fall report
 * back for over an hour; instead, a header whose frame is still incomplete is abandoned as soon as a complete,
 * valid frame is seen after it.
 */
export class SyDecoder {
  readonly stats: SyStats = {
    frames: 0,
    badChecksum: 0,
    badTail: 0,
    garbageBytes: 0,
    oversized: 0,
    abandoned: 0,
  };
  private readonly maxDataLength: number;
  private buffer: Buffer = Buffer.alloc(0);

  constructor(options: SyDecoderOptions = {}) {
    this.maxDataLength = options.maxDataLength ?? SY_MAX_DATA;
  }

  /** Bytes held back waiting for the rest of a frame. */
  get pending(): number {
    return this.buffer.length;
  }

  push(chunk: Uint8Array): SyFrame[] {
    if (chunk.length === 0) return [];
    const step = (buf: Buffer, pos: number) => this.step(buf, pos);
    const { frames, rest } = drain(appendChunk(this.buffer, chunk), step, this.stats);
    this.buffer = rest;
    return frames;
  }

  /** Drops any partial frame, e.g. after the port was reopened. */
  reset(): void {
    this.buffer = Buffer.alloc(0);
  }

  private step(buf: Buffer, pos: number): Step {
    const step = parseSyAt(buf, pos, this.maxDataLength);
    if (step.kind !== 'wait' || !this.completeFrameAfter(buf, pos + 1)) return step;
    return { kind: 'skip', length: 1, reason: 'abandoned' };
  }

  private completeFrameAfter(buf: Buffer, from: number): boolean {
    for (let at = findHeader(buf, from); at < buf.length; at = findHeader(buf, at + 1)) {
      if (parseSyAt(buf, at, this.maxDataLength).kind === 'frame') return true;
    }
    return false;
  }
}
