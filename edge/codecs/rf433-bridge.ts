import { appendChunk, drain, type FrameStep, skipTo, WAIT } from './frame-stream.ts';

/**
 * Sonoff RF Bridge (EFM8BB1) UART protocol, DEVICE-PROTOCOLS §5.1(a): 433 MHz EV1527 / PT2262
 * codes as the bridge reports them. Every frame is `AA <command> … 55`; there is no checksum, so
 * the start byte, the command's fixed length and the tail are all there is to check.
 */

export const RF_BRIDGE_BAUD = 19200;

export const RF_START = 0xaa;
export const RF_END = 0x55;
/** Length of the frames that carry a code: `AA cmd sync(2) low(2) high(2) code(3) 55`. */
export const RF_CODE_FRAME_LENGTH = 12;
/** A held pendant button repeats its frame; repeats closer than this are one press. */
export const RF_REPEAT_WINDOW_MS = 1000;

export const RF_COMMAND = {
  ack: 0xa0,
  learnStart: 0xa1,
  learnTimeout: 0xa2,
  learnOk: 0xa3,
  received: 0xa4,
  transmit: 0xa5,
} as const;

/** The host acknowledges every received frame with this. */
export const RF_ACK = Uint8Array.of(RF_START, RF_COMMAND.ack, RF_END);
/** Puts the bridge in learn mode. */
export const RF_LEARN = Uint8Array.of(RF_START, RF_COMMAND.learnStart, RF_END);
/** The bridge's answer when learn mode timed out. */
export const RF_LEARN_TIMEOUT = Uint8Array.of(RF_START, RF_COMMAND.learnTimeout, RF_END);

export interface RfCode {
  /** Sync pulse length, µs. */
  sync: number;
  /** Short pulse, µs. */
  low: number;
  /** Long pulse, µs. */
  high: number;
  /** The 24-bit code as six uppercase hex digits, e.g. `511451`. */
  code: string;
}

export type RfCodeKind = 'learnOk' | 'received' | 'transmit';
export type RfBridgeFrame = { kind: 'ack' | 'learnStart' | 'learnTimeout' } | ({ kind: RfCodeKind } & RfCode);

export interface RfBridgeStats {
  frames: number;
  badTail: number;
  /** Every byte dropped while hunting for a frame, including the start byte of a rejected one. */
  garbageBytes: number;
  /** `AA` followed by a command this codec does not know (e.g. Portisch `B1` bucket frames). */
  unknownCommands: number;
}

const SHORT_FRAMES: Record<number, 'ack' | 'learnStart' | 'learnTimeout'> = {
  [RF_COMMAND.ack]: 'ack',
  [RF_COMMAND.learnStart]: 'learnStart',
  [RF_COMMAND.learnTimeout]: 'learnTimeout',
};
const CODE_FRAMES: Record<number, RfCodeKind> = {
  [RF_COMMAND.learnOk]: 'learnOk',
  [RF_COMMAND.received]: 'received',
  [RF_COMMAND.transmit]: 'transmit',
};

const CODE_RE = /^[0-9A-F]{6}$/;

/** A received-code frame, as a bridge would send it; simulators use it. Throws RangeError on bad fields. */
export function encodeRfReceived(code: RfCode): Buffer {
  return encodeRfFrame({ kind: 'received', ...code });
}

/** Any frame of the bridge protocol. Throws RangeError on bad fields. */
export function encodeRfFrame(frame: RfBridgeFrame): Buffer {
  if (!('code' in frame)) return Buffer.of(RF_START, RF_COMMAND[frame.kind], RF_END);
  const code = frame.code.toUpperCase();
  if (!CODE_RE.test(code)) throw new RangeError(`RF code ${frame.code} is not six hex digits`);
  const out = Buffer.alloc(RF_CODE_FRAME_LENGTH);
  out[0] = RF_START;
  out[1] = RF_COMMAND[frame.kind];
  out.writeUInt16BE(frame.sync, 2);
  out.writeUInt16BE(frame.low, 4);
  out.writeUInt16BE(frame.high, 6);
  out.write(code, 8, 'hex');
  out[11] = RF_END;
  return out;
}

/** EV1527: 20-bit address (five hex digits) and 4 key bits. */
export function splitEv1527(code: string): { address: string; key: number } {
  const value = Number.parseInt(code, 16);
  return { address: (value >>> 4).toString(16).toUpperCase().padStart(5, '0'), key: value & 0x0f };
}

type Step = FrameStep<RfBridgeFrame, 'badTail' | 'unknownCommands'>;

/**
 * Streaming decoder for what the bridge sends. Never throws; a frame with a wrong tail or an
 * unknown command costs one byte and the search resumes at the next `AA`.
 */
export class RfBridgeDecoder {
  readonly stats: RfBridgeStats = { frames: 0, badTail: 0, garbageBytes: 0, unknownCommands: 0 };
  private buffer: Buffer = Buffer.alloc(0);

  get pending(): number {
    return this.buffer.length;
  }

  push(chunk: Uint8Array): RfBridgeFrame[] {
    if (chunk.length === 0) return [];
    const { frames, rest } = drain(
      appendChunk(this.buffer, chunk),
      (buf, pos) => this.step(buf, pos),
      this.stats,
    );
    this.buffer = rest;
    return frames;
  }

  reset(): void {
    this.buffer = Buffer.alloc(0);
  }

  private step(buf: Buffer, pos: number): Step {
    const start = buf.indexOf(RF_START, pos);
    if (start !== pos) return skipTo(start, buf.length, pos);
    const command = buf[pos + 1];
    if (command === undefined) return WAIT;
    const short = SHORT_FRAMES[command];
    const long = CODE_FRAMES[command];
    const length = short !== undefined ? 3 : long !== undefined ? RF_CODE_FRAME_LENGTH : 0;
    if (length === 0) return { kind: 'skip', length: 1, reason: 'unknownCommands' };
    if (buf.length - pos < length) return WAIT;
    if (buf[pos + length - 1] !== RF_END) return { kind: 'skip', length: 1, reason: 'badTail' };
    if (short !== undefined) return { kind: 'frame', frame: { kind: short }, length };
    const frame = { kind: long ?? 'received', ...readCode(buf, pos) };
    return { kind: 'frame', frame, length };
  }
}

function readCode(buf: Buffer, pos: number): RfCode {
  return {
    sync: buf.readUInt16BE(pos + 2),
    low: buf.readUInt16BE(pos + 4),
    high: buf.readUInt16BE(pos + 6),
    code: buf.toString('hex', pos + 8, pos + 11).toUpperCase(),
  };
}

/**
 * Folds the repeats of a held button into one press: `accept` is true for the first frame of a
 * code and false while the same code keeps arriving less than `windowMs` after its previous frame.
 * Time comes in as an argument (a monotonic clock, e.g. `performance.now()`); nothing here reads a clock.
 */
export class RepeatFolder {
  private readonly windowMs: number;
  private readonly lastSeen = new Map<string, number>();

  constructor(windowMs = RF_REPEAT_WINDOW_MS) {
    this.windowMs = windowMs;
  }

  accept(codeHex: string, nowMs: number): boolean {
    const code = codeHex.toUpperCase();
    const last = this.lastSeen.get(code);
    this.forgetOlderThan(nowMs);
    this.lastSeen.set(code, nowMs);
    // A clock that went backwards is a new press: a duplicate alert is better than a lost one.
    return last === undefined || nowMs - last >= this.windowMs || nowMs < last;
  }

  /** Codes currently remembered; stays small because stale ones are dropped on every call. */
  get size(): number {
    return this.lastSeen.size;
  }

  private forgetOlderThan(nowMs: number): void {
    for (const [code, at] of this.lastSeen) {
      if (nowMs - at >= this.windowMs || nowMs < at) this.lastSeen.delete(code);
    }
  }
}
