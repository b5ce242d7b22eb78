import { describe, expect, it } from 'vitest';
import { encodeSyFrame, SyDecoder } from './seeed-sy.ts';
import { encodeSyReading, interpretSy } from './seeed-sy-readings.ts';
import { concat, hex } from './test-support.ts';

const FALL = hex('53 59 83 01 00 01 01 32 54 43');
const FALL_CLEARED = hex('53 59 83 01 00 01 00 31 54 43');
const HEART_89 = hex('53 59 85 02 00 01 59 8D 54 43');
const PRESENCE = hex('53 59 80 01 00 01 01 2F 54 43');

describe('the SY stream decoder', () => {
  it('a fall frame split across two writes decodes as one fall', () => {
    const decoder = new SyDecoder();
    expect(decoder.push(FALL.subarray(0, 4))).toEqual([]);
    expect(decoder.pending).toBe(4);
    const frames = decoder.push(FALL.subarray(4));
    expect(frames.map(interpretSy)).toEqual([{ kind: 'fall', fallen: true }]);
    expect(decoder.pending).toBe(0);
  });

  it('a header split between 0x53 and 0x59 is still found', () => {
    const decoder = new SyDecoder();
    expect(decoder.push(concat([hex('00 11'), FALL.subarray(0, 1)]))).toEqual([]);
    expect(decoder.push(FALL.subarray(1))).toHaveLength(1);
    expect(decoder.stats.garbageBytes).toBe(2);
  });

  it('frames run together (…54 43 53 59…) all decode in order', () => {
    const frames = new SyDecoder().push(concat([PRESENCE, FALL, HEART_89, FALL_CLEARED]));
    expect(frames.map(interpretSy)).toEqual([
      { kind: 'presence', present: true },
      { kind: 'fall', fallen: true },
      { kind: 'heartRate', bpm: 89 },
      { kind: 'fall', fallen: false },
    ]);
  });

  it('garbage before and between frames is skipped and counted', () => {
    const decoder = new SyDecoder();
    const frames = decoder.push(concat([hex('00 FF 54 43 59'), FALL, hex('53 00 12'), HEART_89]));
    expect(frames.map(interpretSy)).toEqual([
      { kind: 'fall', fallen: true },
      { kind: 'heartRate', bpm: 89 },
    ]);
    expect(decoder.stats).toMatchObject({ frames: 2, garbageBytes: 8, badChecksum: 0, badTail: 0 });
  });

  it('a data byte equal to 0x43 does not end the frame early', () => {
    const heart67 = encodeSyReading({ kind: 'heartRate', bpm: 0x43 });
    const distanceTc = encodeSyReading({ kind: 'distance', cm: 0x5443 });
    const frames = new SyDecoder().push(concat([heart67, distanceTc]));
    expect(frames.map(interpretSy)).toEqual([
      { kind: 'heartRate', bpm: 0x43 },
      { kind: 'distance', cm: 0x5443 },
    ]);
  });

  it('a bad checksum is counted and the next good frame still decodes', () => {
    const corrupt = Buffer.from(FALL);
    corrupt[7] = 0x33;
    const decoder = new SyDecoder();
    const frames = decoder.push(concat([corrupt, HEART_89]));
    expect(frames.map(interpretSy)).toEqual([{ kind: 'heartRate', bpm: 89 }]);
    expect(decoder.stats).toMatchObject({ frames: 1, badChecksum: 1, garbageBytes: 10 });
  });

  it('a corrupted data byte is caught by the checksum and no fall is invented', () => {
    const corrupt = Buffer.from(FALL_CLEARED);
    corrupt[6] = 0x01;
    const decoder = new SyDecoder();
    expect(decoder.push(corrupt)).toEqual([]);
    expect(decoder.stats.badChecksum).toBe(1);
  });

  it('a bad tail is counted and the next good frame still decodes', () => {
    const corrupt = Buffer.from(FALL);
    corrupt[9] = 0x44;
    const decoder = new SyDecoder();
    expect(decoder.push(concat([corrupt, FALL_CLEARED])).map(interpretSy)).toEqual([
      { kind: 'fall', fallen: false },
    ]);
    expect(decoder.stats.badTail).toBe(1);
  });

  it('a false header in the noise does not swallow the real frame after it', () => {
    const decoder = new SyDecoder();
    const frames = decoder.push(concat([hex('53 59 01 01 00 03'), FALL]));
    expect(frames.map(interpretSy)).toEqual([{ kind: 'fall', fallen: true }]);
    expect(decoder.stats.badTail + decoder.stats.badChecksum).toBe(1);
  });

  it('a declared length over the cap is a resync, so the next frame is not held back', () => {
    const decoder = new SyDecoder();
    const frames = decoder.push(concat([hex('53 59 80 01 FF FF'), FALL]));
    expect(frames.map(interpretSy)).toEqual([{ kind: 'fall', fallen: true }]);
    expect(decoder.stats.oversized).toBe(1);
  });

  it('a smaller cap can be configured', () => {
    const decoder = new SyDecoder({ maxDataLength: 4 });
    expect(decoder.push(encodeSyFrame(0x02, 0xa1, Buffer.from('MR60FDA1')))).toEqual([]);
    expect(decoder.stats.oversized).toBe(1);
  });

  it('a firmware string with "SY" (53 59) inside its data still decodes as one frame', () => {
    const decoder = new SyDecoder();
    const frames = decoder.push(
      concat([encodeSyReading({ kind: 'firmware', version: 'G60FD1SYv010104' }), FALL]),
    );
    expect(frames.map(interpretSy)).toEqual([
      { kind: 'firmware', version: 'G60FD1SYv010104' },
      { kind: 'fall', fallen: true },
    ]);
    expect(decoder.stats.garbageBytes).toBe(0);
  });

  it('an endless stream of garbage never grows the buffer', () => {
    const decoder = new SyDecoder();
    for (let i = 0; i < 100; i++) decoder.push(Buffer.alloc(1000, 0x59));
    expect(decoder.pending).toBe(0);
    expect(decoder.stats.garbageBytes).toBe(100_000);
  });

  it('a header that never completes holds back at most one maximal frame', () => {
    const decoder = new SyDecoder();
    decoder.push(hex('53 59 80 01 04 00'));
    for (let i = 0; i < 10; i++) decoder.push(Buffer.alloc(200, 0x00));
    expect(decoder.pending).toBeLessThanOrEqual(1024 + 9);
    expect(decoder.stats.badTail).toBe(1);
  });

  it('reset drops a partial frame', () => {
    const decoder = new SyDecoder();
    decoder.push(FALL.subarray(0, 5));
    decoder.reset();
    expect(decoder.push(FALL.subarray(5))).toEqual([]);
    expect(decoder.pending).toBe(0);
  });

  it('an empty chunk yields nothing', () => {
    expect(new SyDecoder().push(new Uint8Array(0))).toEqual([]);
  });

  it('a decoded frame does not change when the caller reuses its read buffer', () => {
    const readBuffer = Buffer.from(FALL);
    const [frame] = new SyDecoder().push(readBuffer);
    readBuffer.fill(0);
    expect(frame?.data).toEqual(Uint8Array.of(1));
  });
});

describe('a false SY header in line noise', () => {
  it('does not hold back a fall frame that arrives after it', () => {
    const decoder = new SyDecoder();
    expect(decoder.push(hex('53 59 80 01 03 00'))).toEqual([]);
    expect(decoder.push(FALL).map(interpretSy)).toEqual([{ kind: 'fall', fallen: true }]);
    expect(decoder.stats.abandoned).toBe(1);
    expect(decoder.pending).toBe(0);
  });

  it('still lets a long real frame arrive in pieces', () => {
    const decoder = new SyDecoder();
    const long = encodeSyFrame(0x84, 0x0c, new Uint8Array(300).fill(0x10));
    expect(decoder.push(long.subarray(0, 100))).toEqual([]);
    expect(decoder.push(long.subarray(100, 200))).toEqual([]);
    expect(decoder.push(long.subarray(200))).toHaveLength(1);
    expect(decoder.stats.abandoned).toBe(0);
  });
});
