import { describe, expect, it } from 'vitest';
import { concat, hex, toHex } from './test-support.ts';
import { encodeTinyFrame, TF_TYPE, type TinyFrame, TinyFrameDecoder } from './tinyframe.ts';
import { interpretTinyFrame } from './tinyframe-readings.ts';

const HEART_72 = hex('01 00 00 00 04 0A 15 E5 00 00 90 42 2D');
const FALL = hex('01 00 00 00 01 0E 02 F3 01 FE');
const GET_PARAMETERS = hex('01 00 00 00 00 0E 06 F6');

function decodeOne(bytes: Uint8Array): TinyFrame {
  const frames = new TinyFrameDecoder().push(bytes);
  expect(frames).toHaveLength(1);
  const [frame] = frames;
  if (frame === undefined) throw new Error('no frame');
  return frame;
}

describe('the TinyFrame stream decoder', () => {
  it('a fall frame split across two writes decodes as one fall', () => {
    const decoder = new TinyFrameDecoder();
    expect(decoder.push(FALL.subarray(0, 6))).toEqual([]);
    expect(decoder.push(FALL.subarray(6)).map(interpretTinyFrame)).toEqual([{ kind: 'fall', fallen: true }]);
  });

  it('frames run together all decode in order', () => {
    const frames = new TinyFrameDecoder().push(concat([HEART_72, FALL, GET_PARAMETERS, HEART_72]));
    expect(frames.map((f) => f.type)).toEqual([
      TF_TYPE.heartRate,
      TF_TYPE.fall,
      TF_TYPE.getParameters,
      TF_TYPE.heartRate,
    ]);
  });

  it('garbage before and between frames is skipped and counted', () => {
    const decoder = new TinyFrameDecoder();
    const frames = decoder.push(concat([hex('FF 00 42'), HEART_72, hex('55 AA'), FALL]));
    expect(frames.map(interpretTinyFrame)).toEqual([
      { kind: 'heartRate', bpm: 72 },
      { kind: 'fall', fallen: true },
    ]);
    expect(decoder.stats.garbageBytes).toBe(5);
  });

  it('a data byte equal to the start byte 0x01 is just data', () => {
    const frame = encodeTinyFrame(TF_TYPE.heartRate, hex('01 01 01 01'));
    expect(decodeOne(frame).data).toEqual(Uint8Array.of(1, 1, 1, 1));
  });

  it('a bad data checksum is counted and the next good frame still decodes', () => {
    const corrupt = Buffer.from(FALL);
    corrupt[9] = 0xfd;
    const decoder = new TinyFrameDecoder();
    expect(decoder.push(concat([corrupt, HEART_72])).map(interpretTinyFrame)).toEqual([
      { kind: 'heartRate', bpm: 72 },
    ]);
    expect(decoder.stats).toMatchObject({ frames: 1, badChecksum: 1, garbageBytes: 10 });
  });

  it('a fall byte flipped on the line is caught by the data checksum, so no fall is invented', () => {
    const corrupt = Buffer.from(hex('01 00 00 00 01 0E 02 F3 00 FF'));
    corrupt[8] = 0x01;
    const decoder = new TinyFrameDecoder();
    expect(decoder.push(corrupt)).toEqual([]);
    expect(decoder.stats.badChecksum).toBe(1);
  });

  it('a bad header checksum is counted and the next good frame still decodes', () => {
    const corrupt = Buffer.from(HEART_72);
    corrupt[7] = 0x00;
    const decoder = new TinyFrameDecoder();
    expect(decoder.push(concat([corrupt, FALL])).map(interpretTinyFrame)).toEqual([
      { kind: 'fall', fallen: true },
    ]);
    expect(decoder.stats.badHeaderChecksum).toBe(1);
  });

  it('a declared length over the cap is a resync', () => {
    const decoder = new TinyFrameDecoder({ maxDataLength: 512 });
    const frames = decoder.push(concat([encodeTinyFrame(0x0a08, new Uint8Array(600)), FALL]));
    expect(frames.map(interpretTinyFrame)).toEqual([{ kind: 'fall', fallen: true }]);
    expect(decoder.stats.oversized).toBe(1);
  });

  it('a zero-length frame is accepted with or without the trailing 0xFF', () => {
    const decoder = new TinyFrameDecoder();
    const frames = decoder.push(concat([GET_PARAMETERS, FALL, GET_PARAMETERS, hex('FF'), FALL]));
    expect(frames.map((f) => f.type)).toEqual([
      TF_TYPE.getParameters,
      TF_TYPE.fall,
      TF_TYPE.getParameters,
      TF_TYPE.fall,
    ]);
    expect(decoder.stats.garbageBytes).toBe(0);
  });

  it('the optional 0xFF of a zero-length frame may arrive in the next write', () => {
    const decoder = new TinyFrameDecoder();
    expect(
      decoder.push(
        encodeTinyFrame(TF_TYPE.resetSettings, new Uint8Array(0), 0, { emptyChecksum: true }).subarray(0, 8),
      ),
    ).toHaveLength(1);
    expect(decoder.push(concat([hex('FF'), FALL]))).toHaveLength(1);
    expect(decoder.stats.garbageBytes).toBe(0);
  });

  it('the 9-byte Seeed form of an empty frame ends in 0xFF', () => {
    expect(toHex(encodeTinyFrame(TF_TYPE.getParameters, new Uint8Array(0), 0, { emptyChecksum: true }))).toBe(
      '01 00 00 00 00 0E 06 F6 FF',
    );
  });

  it('only one 0xFF after an empty frame is taken as its checksum', () => {
    const decoder = new TinyFrameDecoder();
    decoder.push(concat([GET_PARAMETERS, hex('FF FF')]));
    expect(decoder.stats.garbageBytes).toBe(1);
  });

  it('an endless stream of garbage never grows the buffer', () => {
    const decoder = new TinyFrameDecoder();
    for (let i = 0; i < 100; i++) decoder.push(Buffer.alloc(1000, 0x42));
    expect(decoder.pending).toBe(0);
  });

  it('reset drops a partial frame', () => {
    const decoder = new TinyFrameDecoder();
    decoder.push(HEART_72.subarray(0, 9));
    decoder.reset();
    expect(decoder.push(HEART_72.subarray(9))).toEqual([]);
  });
});

describe('a false TinyFrame header in line noise', () => {
  it('does not hold back a fall frame that arrives after it', () => {
    const decoder = new TinyFrameDecoder();
    const falseHeader = encodeTinyFrame(0x0a08, new Uint8Array(900)).subarray(0, 8);
    expect(decoder.push(falseHeader)).toEqual([]);
    expect(decoder.push(FALL).map(interpretTinyFrame)).toEqual([{ kind: 'fall', fallen: true }]);
    expect(decoder.stats.abandoned).toBe(1);
  });
});
