/**
 * Property tests shared by the three UART stream decoders: whatever the serial port delivers, in
 * whatever chunks, a decoder never throws, never invents a frame, and finds every real one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRfFrame, RF_START, RfBridgeDecoder, type RfBridgeFrame } from './rf433-bridge.ts';
import { encodeSyFrame, SY_HEAD_0, SyDecoder, type SyFrame } from './seeed-sy.ts';
import { chunked, concat, contains, noiseWithout, noisyStream } from './test-support.ts';
import { encodeTinyFrame, TF_SOF, type TinyFrame, TinyFrameDecoder } from './tinyframe.ts';

const RUNS = { numRuns: 1000 };

interface Decoder<F> {
  push(chunk: Uint8Array): F[];
  readonly stats: { frames: number; garbageBytes: number };
  readonly pending: number;
}

interface Harness<F> {
  name: string;
  make(): Decoder<F>;
  /** The canonical bytes of a decoded frame. */
  encode(frame: F): Uint8Array;
  /** An independent check of a frame's integrity, not using the codec's own checksum code. */
  verifies(bytes: Uint8Array): boolean;
  /** A frame and one valid way of putting it on the wire. */
  arbitrary: fc.Arbitrary<{ frame: F; bytes: Uint8Array }>;
  startByte: number;
  /** Every byte pushed is in a frame, counted as garbage, or pending (TinyFrame may swallow an 0xFF). */
  conservesBytes: boolean;
}

const bytesOf = (b: Uint8Array) => [...b];

const syHarness: Harness<SyFrame> = {
  name: 'SY',
  make: () => new SyDecoder(),
  encode: (f) => encodeSyFrame(f.ctrl, f.cmd, f.data),
  verifies: (b) => {
    const n = b.length - 9;
    const sum = bytesOf(b.subarray(0, 6 + n)).reduce((a, x) => a + x, 0) & 0xff;
    return b[0] === 0x53 && b[1] === 0x59 && b[6 + n] === sum && b[7 + n] === 0x54 && b[8 + n] === 0x43;
  },
  arbitrary: fc
    .record({
      ctrl: fc.integer({ min: 0, max: 255 }),
      cmd: fc.integer({ min: 0, max: 255 }),
      data: fc.uint8Array({ maxLength: 64 }),
    })
    .map((frame) => ({ frame, bytes: encodeSyFrame(frame.ctrl, frame.cmd, frame.data) })),
  startByte: SY_HEAD_0,
  conservesBytes: true,
};

const xorNot = (b: Uint8Array) => ~bytesOf(b).reduce((a, x) => a ^ x, 0) & 0xff;

const tinyHarness: Harness<TinyFrame> = {
  name: 'TinyFrame',
  make: () => new TinyFrameDecoder(),
  encode: (f) => encodeTinyFrame(f.type, f.data, f.id),
  verifies: (b) => {
    const headOk = b[0] === 0x01 && xorNot(b.subarray(0, 7)) === b[7];
    const n = b.length - 8;
    return headOk && (n === 0 || xorNot(b.subarray(8, b.length - 1)) === b[b.length - 1]);
  },
  arbitrary: fc
    .record({
      id: fc.integer({ min: 0, max: 0xffff }),
      type: fc.integer({ min: 0, max: 0xffff }),
      data: fc.uint8Array({ maxLength: 64 }),
      emptyChecksum: fc.boolean(),
    })
    .map(({ emptyChecksum, ...frame }) => ({
      frame,
      bytes: encodeTinyFrame(frame.type, frame.data, frame.id, { emptyChecksum }),
    })),
  startByte: TF_SOF,
  conservesBytes: false,
};

const hexCode = fc
  .integer({ min: 0, max: 0xffffff })
  .map((n) => n.toString(16).toUpperCase().padStart(6, '0'));
const u16 = fc.integer({ min: 0, max: 0xffff });

const rfHarness: Harness<RfBridgeFrame> = {
  name: 'RF bridge',
  make: () => new RfBridgeDecoder(),
  encode: encodeRfFrame,
  verifies: (b) => b[0] === 0xaa && b[b.length - 1] === 0x55 && (b.length === 3 || b.length === 12),
  arbitrary: fc
    .oneof(
      fc.record({ kind: fc.constantFrom('ack' as const, 'learnStart' as const, 'learnTimeout' as const) }),
      fc.record({
        kind: fc.constantFrom('learnOk' as const, 'received' as const, 'transmit' as const),
        sync: u16,
        low: u16,
        high: u16,
        code: hexCode,
      }),
    )
    .map((frame: RfBridgeFrame) => ({ frame, bytes: encodeRfFrame(frame) })),
  startByte: RF_START,
  conservesBytes: true,
};

/** Frames, garbage, unknown types and the number of rejected headers, whatever the reasons. */
function summary(stats: Decoder<unknown>['stats']): Record<string, number | undefined> {
  const { frames, garbageBytes, unknownTypes, ...reasons } = stats as Record<string, number>;
  return { frames, garbageBytes, unknownTypes, rejected: Object.values(reasons).reduce((a, b) => a + b, 0) };
}

function pushAll<F>(decoder: Decoder<F>, chunks: readonly Uint8Array[]): F[] {
  return chunks.flatMap((chunk) => decoder.push(chunk));
}

/** Valid frames run together, then hit by a few byte errors: what a noisy line delivers. */
function corrupted<F>(h: Harness<F>): fc.Arbitrary<{ bytes: Uint8Array; cuts: number[] }> {
  return fc
    .record({
      parts: fc.array(
        h.arbitrary.map((x) => x.bytes),
        { maxLength: 6 },
      ),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
      cuts: fc.array(fc.nat(), { maxLength: 30 }),
    })
    .map(({ parts, flips, cuts }) => {
      const bytes = Buffer.from(concat(parts));
      for (const [at, x] of flips) {
        const i = at % Math.max(1, bytes.length);
        if (i < bytes.length) bytes[i] = (bytes[i] ?? 0) ^ x;
      }
      return { bytes, cuts };
    });
}

/** Random or corrupted input never throws and every frame delivered was on the wire, intact. */
function itNeverInventsAFrame<F>(h: Harness<F>): void {
  it('random or corrupted bytes in random chunks never throw and never yield a frame that was not sent intact', () => {
    fc.assert(
      fc.property(fc.oneof(noisyStream, corrupted(h)), ({ bytes, cuts }) => {
        const decoder = h.make();
        const frames = pushAll(decoder, chunked(bytes, cuts));
        for (const frame of frames) {
          const encoded = h.encode(frame);
          expect(h.verifies(encoded)).toBe(true);
          expect(contains(bytes, encoded)).toBe(true);
        }
        expect(decoder.stats.frames).toBe(frames.length);
      }),
      RUNS,
    );
  });
}

/** One push or many: same frames, same counters. */
function itIgnoresChunking<F>(h: Harness<F>): void {
  it('the frames found do not depend on how the bytes were chunked', () => {
    const stream = fc.record({
      parts: fc.array(
        fc.oneof(
          h.arbitrary.map((x) => x.bytes),
          fc.uint8Array({ maxLength: 20 }),
        ),
        { maxLength: 8 },
      ),
      cuts: fc.array(fc.nat(), { maxLength: 30 }),
    });
    fc.assert(
      fc.property(stream, ({ parts, cuts }) => {
        const bytes = concat(parts);
        const whole = h.make();
        const pieces = h.make();
        expect(pushAll(pieces, chunked(bytes, cuts))).toEqual(whole.push(bytes));
        // A false header may be rejected for a different reason (abandoned early instead of a bad
        // tail once complete), so compare how many were rejected, not why.
        expect(summary(pieces.stats)).toEqual(summary(whole.stats));
        expect(pieces.pending).toBe(whole.pending);
      }),
      RUNS,
    );
  });
}

/** Noise without the start byte cannot hide or fake a frame. */
function itFindsFramesInCleanNoise<F>(h: Harness<F>): void {
  it('valid frames embedded in noise that cannot start a frame are all found, in order', () => {
    const stream = fc.record({
      items: fc.array(fc.tuple(noiseWithout(h.startByte), h.arbitrary), { maxLength: 6 }),
      tail: noiseWithout(h.startByte),
      cuts: fc.array(fc.nat(), { maxLength: 30 }),
    });
    fc.assert(
      fc.property(stream, ({ items, tail, cuts }) => {
        const bytes = concat([...items.flatMap(([noise, x]) => [noise, x.bytes]), tail]);
        const found = pushAll(h.make(), chunked(bytes, cuts));
        expect(found).toEqual(items.map(([, x]) => x.frame));
      }),
      RUNS,
    );
  });
}

/** Noise with false headers may delay a frame, never lose it. */
function itFindsFramesInAnyNoise<F>(h: Harness<F>): void {
  it('valid frames embedded in arbitrary noise are found at least once each', () => {
    const stream = fc.record({
      items: fc.array(fc.tuple(fc.uint8Array({ maxLength: 30 }), h.arbitrary), {
        minLength: 1,
        maxLength: 4,
      }),
      cuts: fc.array(fc.nat(), { maxLength: 20 }),
    });
    fc.assert(
      fc.property(stream, ({ items, cuts }) => {
        // A false header in the noise may declare up to 1024 bytes and hold the frames behind it until
        // that many have arrived; on a live port more bytes always come, here a filler flushes it.
        const flush = Buffer.alloc(1100, h.startByte ^ 0x80);
        const bytes = concat([...items.flatMap(([noise, x]) => [noise, x.bytes]), flush]);
        const found = pushAll(h.make(), chunked(bytes, cuts)).map((f) =>
          Buffer.from(h.encode(f)).toString('hex'),
        );
        // A frame is lost only if a false frame that checks out overlaps it: below 1e-8 per run here.
        const wanted = items.map(([, x]) => Buffer.from(h.encode(x.frame)).toString('hex'));
        for (const w of wanted) expect(found).toContain(w);
      }),
      RUNS,
    );
  });
}

/** Frames, garbage and pending add up to what was pushed. */
function itAccountsForEveryByte<F>(h: Harness<F>): void {
  it('every byte pushed is accounted for as a frame, garbage or pending', () => {
    fc.assert(
      fc.property(noisyStream, ({ bytes, cuts }) => {
        const decoder = h.make();
        const frames = pushAll(decoder, chunked(bytes, cuts));
        const inFrames = frames.reduce((n, f) => n + h.encode(f).length, 0);
        const accounted = inFrames + decoder.stats.garbageBytes + decoder.pending;
        if (h.conservesBytes) expect(accounted).toBe(bytes.length);
        else expect(accounted).toBeLessThanOrEqual(bytes.length);
      }),
      RUNS,
    );
  });
}

function describeHarness<F>(h: Harness<F>): void {
  describe(`the ${h.name} decoder under random input`, () => {
    itNeverInventsAFrame(h);
    itIgnoresChunking(h);
    itFindsFramesInCleanNoise(h);
    itFindsFramesInAnyNoise(h);
    itAccountsForEveryByte(h);
  });
}

describeHarness(syHarness);
describeHarness(tinyHarness);
describeHarness(rfHarness);

describe('round trips at the size limit', () => {
  it('an SY frame with the full 1024 data bytes survives encode and decode', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1024, maxLength: 1024 }), (data) => {
        expect(new SyDecoder().push(encodeSyFrame(0x85, 0x05, data))).toEqual([
          { ctrl: 0x85, cmd: 0x05, data },
        ]);
      }),
      { numRuns: 50 },
    );
  });

  it('a TinyFrame with the full 1024 data bytes survives encode and decode', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1024, maxLength: 1024 }), (data) => {
        expect(new TinyFrameDecoder().push(encodeTinyFrame(0x0a08, data, 7))).toEqual([
          { id: 7, type: 0x0a08, data },
        ]);
      }),
      { numRuns: 50 },
    );
  });
});
