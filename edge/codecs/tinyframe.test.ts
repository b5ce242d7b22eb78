import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, hex, toHex } from './test-support.ts';
import {
  encodeTinyFrame,
  SEEED_RADAR_BAUD,
  TF_TYPE,
  type TinyFrame,
  TinyFrameDecoder,
  tfChecksum,
} from './tinyframe.ts';
import {
  encodeTinyReading,
  interpretTinyFrame,
  type TinyReading,
  tinyCommands,
} from './tinyframe-readings.ts';

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

interface Worked {
  name: string;
  frame: string;
  reading: TinyReading;
  id?: number;
}

/** DEVICE-PROTOCOLS §2.3, the frames a radar sends. */
const REPORTS: Worked[] = [
  {
    name: 'heart rate 72.0',
    frame: '01 00 00 00 04 0A 15 E5 00 00 90 42 2D',
    reading: { kind: 'heartRate', bpm: 72 },
  },
  {
    name: 'breath rate 16.0',
    frame: '01 00 00 00 04 0A 14 E4 00 00 80 41 3E',
    reading: { kind: 'breathRate', perMinute: 16 },
  },
  {
    name: 'presence = 1',
    frame: '01 00 00 00 01 0F 09 F9 01 FE',
    reading: { kind: 'presence', present: true },
  },
  { name: 'FDA2 fall = 1', frame: '01 00 00 00 01 0E 02 F3 01 FE', reading: { kind: 'fall', fallen: true } },
  {
    name: 'a valid distance of 50.0 cm',
    frame: '01 00 00 00 08 0A 16 EA 01 00 00 00 00 00 48 42 F4',
    reading: { kind: 'distance', cm: 50 },
  },
  {
    name: 'heart rate 72 with ID 0x0123',
    frame: '01 01 23 00 04 0A 15 C7 00 00 90 42 2D',
    reading: { kind: 'heartRate', bpm: 72 },
    id: 0x0123,
  },
];

describe('TinyFrame: the worked examples of DEVICE-PROTOCOLS §2.3', () => {
  it.each(REPORTS)(
    '$name decodes to its meaning and re-encodes byte for byte',
    ({ frame, reading, id = 0 }) => {
      const decoded = decodeOne(hex(frame));
      expect(decoded.id).toBe(id);
      expect(interpretTinyFrame(decoded)).toEqual(reading);
      expect(toHex(encodeTinyFrame(decoded.type, decoded.data, decoded.id))).toBe(frame);
      expect(toHex(encodeTinyReading(reading, id))).toBe(frame);
    },
  );

  it('the ESPHome get-parameters command is the 8-byte zero-length form', () => {
    expect(toHex(tinyCommands.getParameters())).toBe('01 00 00 00 00 0E 06 F6');
    expect(decodeOne(GET_PARAMETERS)).toEqual({
      id: 0,
      type: TF_TYPE.getParameters,
      data: new Uint8Array(0),
    });
  });

  it('the ESPHome reset command is the 8-byte zero-length form', () => {
    expect(toHex(tinyCommands.resetSettings())).toBe('01 00 00 00 00 21 10 CF');
    expect(decodeOne(hex('01 00 00 00 00 21 10 CF')).type).toBe(TF_TYPE.resetSettings);
  });

  it('setting the install height to 2.4 m gives the documented frame', () => {
    const frame = hex('01 00 00 00 04 0E 04 F0 9A 99 19 40 A5');
    expect(toHex(tinyCommands.setInstallHeight(2.4))).toBe(toHex(frame));
    const data = decodeOne(frame).data;
    expect(new DataView(data.buffer, data.byteOffset).getFloat32(0, true)).toBeCloseTo(2.4, 6);
  });

  it('the Hi-Link LD6002 command 0x0201 with data 1 is built byte for byte and is an unknown type', () => {
    const frame = hex('01 00 00 00 04 02 01 F9 01 00 00 00 FE');
    expect(toHex(encodeTinyFrame(0x0201, Uint8Array.of(1, 0, 0, 0)))).toBe(toHex(frame));
    const decoder = new TinyFrameDecoder();
    const [decoded] = decoder.push(frame);
    expect(decoded && interpretTinyFrame(decoded)).toBeNull();
    expect(decoder.stats.unknownTypes).toBe(1);
  });

  it('the header checksum of the heart-rate frame is ~0x1A and the data checksum ~0xD2', () => {
    expect(tfChecksum(HEART_72, 0, 7)).toBe(0xe5);
    expect(tfChecksum(HEART_72, 8, 12)).toBe(0x2d);
  });

  it('the radar talks at 115200 baud', () => {
    expect(SEEED_RADAR_BAUD).toBe(115200);
  });
});

describe('interpreting TinyFrame messages', () => {
  it('a distance flagged invalid reads as no distance', () => {
    const frame = encodeTinyFrame(TF_TYPE.distance, hex('00 00 00 00 00 00 48 42'));
    expect(interpretTinyFrame(decodeOne(frame))).toEqual({ kind: 'distance', cm: null });
  });

  it('a debug-log frame is decoded, skipped by the interpreter and counted as an unknown type', () => {
    const decoder = new TinyFrameDecoder();
    const frames = decoder.push(
      concat([encodeTinyFrame(TF_TYPE.debugLog, Buffer.from('invalid BR = 7082')), FALL]),
    );
    expect(frames.map(interpretTinyFrame)).toEqual([null, { kind: 'fall', fallen: true }]);
    expect(decoder.stats).toMatchObject({ frames: 2, unknownTypes: 1 });
  });

  it('a heart rate that is NaN is not a reading', () => {
    const frame = encodeTinyFrame(TF_TYPE.heartRate, hex('00 00 C0 7F'));
    expect(interpretTinyFrame(decodeOne(frame))).toBeNull();
  });

  it('a heart-rate frame with the wrong data length is not a reading', () => {
    expect(
      interpretTinyFrame({ id: 0, type: TF_TYPE.heartRate, data: Uint8Array.of(0, 0, 0x90) }),
    ).toBeNull();
  });

  it('the firmware version arrives as a u32', () => {
    const frame = encodeTinyReading({ kind: 'firmware', version: 0x01020304 });
    expect(toHex(frame.subarray(8, 12))).toBe('04 03 02 01');
    expect(interpretTinyFrame(decodeOne(frame))).toEqual({ kind: 'firmware', version: 0x01020304 });
  });

  it('the parameters reply gives height, threshold, sensitivity and alarm area', () => {
    const reading: TinyReading = {
      kind: 'fallParameters',
      installHeightM: 2.5,
      fallThresholdM: 0.5,
      sensitivity: 3,
      area: { xl: 0.5, xr: 1.5, zf: 0.25, zb: 2 },
    };
    expect(interpretTinyFrame(decodeOne(encodeTinyReading(reading)))).toEqual(reading);
  });

  it("a setting reply of 1 is an ok acknowledgement and an empty reply is Hi-Link's plain ACK", () => {
    expect(interpretTinyFrame({ id: 0, type: TF_TYPE.setSensitivity, data: Uint8Array.of(1) })).toEqual({
      kind: 'commandAck',
      type: TF_TYPE.setSensitivity,
      ok: true,
    });
    expect(interpretTinyFrame({ id: 0, type: TF_TYPE.resetSettings, data: new Uint8Array(0) })).toEqual({
      kind: 'commandAck',
      type: TF_TYPE.resetSettings,
      ok: true,
    });
  });

  it('sensitivity and fall threshold commands carry a u32 and a float', () => {
    expect(toHex(tinyCommands.setSensitivity(3).subarray(8, 12))).toBe('03 00 00 00');
    expect(toHex(tinyCommands.setFallThreshold(0.5).subarray(8, 12))).toBe('00 00 00 3F');
  });

  it('reading → frame → reading is the identity for float32-exact values', () => {
    const f32 = fc.float({ noNaN: true, noDefaultInfinity: true });
    const reading: fc.Arbitrary<TinyReading> = fc.oneof(
      fc.boolean().map((present) => ({ kind: 'presence' as const, present })),
      fc.boolean().map((fallen) => ({ kind: 'fall' as const, fallen })),
      f32.map((bpm) => ({ kind: 'heartRate' as const, bpm })),
      f32.map((perMinute) => ({ kind: 'breathRate' as const, perMinute })),
      fc.option(f32, { nil: null }).map((cm) => ({ kind: 'distance' as const, cm })),
      fc
        .tuple(f32, f32, f32)
        .map(([total, breath, heart]) => ({ kind: 'phases' as const, total, breath, heart })),
      fc.integer({ min: 0, max: 0xffffffff }).map((version) => ({ kind: 'firmware' as const, version })),
    );
    fc.assert(
      fc.property(reading, fc.integer({ min: 0, max: 0xffff }), (r, id) => {
        expect(interpretTinyFrame(decodeOne(encodeTinyReading(r, id)))).toEqual(r);
      }),
      { numRuns: 1000 },
    );
  });
});
