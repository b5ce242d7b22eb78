import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeSyFrame, SEEED_RADAR_BAUD, SyDecoder, type SyFrame, syQuery, sySum } from './seeed-sy.ts';
import { encodeSyReading, interpretSy, type SyReading } from './seeed-sy-readings.ts';
import { hex, toHex } from './test-support.ts';

function decodeOne(bytes: Uint8Array): SyFrame {
  const frames = new SyDecoder().push(bytes);
  expect(frames).toHaveLength(1);
  const [frame] = frames;
  if (frame === undefined) throw new Error('no frame');
  return frame;
}

interface Worked {
  name: string;
  frame: string;
  reading: SyReading;
}

/** DEVICE-PROTOCOLS §1.3, every report frame. */
const WORKED: Worked[] = [
  { name: 'the captured heartbeat', frame: '53 59 01 01 00 01 0F BE 54 43', reading: { kind: 'heartbeat' } },
  { name: 'the captured reset echo', frame: '53 59 01 02 00 01 0F BF 54 43', reading: { kind: 'resetAck' } },
  { name: 'fall detected', frame: '53 59 83 01 00 01 01 32 54 43', reading: { kind: 'fall', fallen: true } },
  { name: 'fall cleared', frame: '53 59 83 01 00 01 00 31 54 43', reading: { kind: 'fall', fallen: false } },
  {
    name: 'the stationary-residence alarm',
    frame: '53 59 83 05 00 01 01 36 54 43',
    reading: { kind: 'residence', stationary: true },
  },
  {
    name: 'someone present',
    frame: '53 59 80 01 00 01 01 2F 54 43',
    reading: { kind: 'presence', present: true },
  },
  {
    name: 'nobody present',
    frame: '53 59 80 01 00 01 00 2E 54 43',
    reading: { kind: 'presence', present: false },
  },
  {
    name: 'active motion',
    frame: '53 59 80 02 00 01 02 31 54 43',
    reading: { kind: 'motion', motion: 'active' },
  },
  {
    name: 'the captured body movement of 1',
    frame: '53 59 80 03 00 01 01 31 54 43',
    reading: { kind: 'bodyMovement', value: 1 },
  },
  {
    name: 'the captured distance of 107 cm',
    frame: '53 59 80 04 00 02 00 6B 9D 54 43',
    reading: { kind: 'distance', cm: 107 },
  },
  {
    name: 'the captured heart rate of 89 bpm',
    frame: '53 59 85 02 00 01 59 8D 54 43',
    reading: { kind: 'heartRate', bpm: 89 },
  },
  {
    name: 'a breath rate of 16 per minute',
    frame: '53 59 81 02 00 01 10 40 54 43',
    reading: { kind: 'breathRate', perMinute: 16 },
  },
  {
    name: 'the captured heart waveform',
    frame: '53 59 85 05 00 05 81 82 89 86 80 CD 54 43',
    reading: { kind: 'heartWaveform', samples: [0x81, 0x82, 0x89, 0x86, 0x80] },
  },
  {
    name: 'the captured position X −0.85 m, Y 0.64 m, Z 0',
    frame: '53 59 80 05 00 06 80 55 00 40 00 00 4C 54 43',
    reading: { kind: 'position', x: -0.85, y: 0.64, z: 0 },
  },
];

describe('Seeed SY frames: the worked examples of DEVICE-PROTOCOLS §1.3', () => {
  it.each(WORKED)('$name decodes to its meaning and re-encodes byte for byte', ({ frame, reading }) => {
    const bytes = hex(frame);
    const decoded = decodeOne(bytes);
    expect(interpretSy(decoded)).toEqual(reading);
    expect(toHex(encodeSyFrame(decoded.ctrl, decoded.cmd, decoded.data))).toBe(frame);
    expect(toHex(encodeSyReading(reading))).toBe(frame);
  });

  it('the firmware-version query is built byte for byte and means nothing as a report', () => {
    const query = syQuery(0x02, 0xa4);
    expect(toHex(query)).toBe('53 59 02 A4 00 01 0F 62 54 43');
    expect(interpretSy(decodeOne(query))).toBeNull();
  });

  it("the wiki's product-model query sums to 0x15F and so carries checksum 5F", () => {
    const query = syQuery(0x02, 0xa1);
    expect(toHex(query)).toBe('53 59 02 A1 00 01 0F 5F 54 43');
    expect(sySum(query, 0, 7)).toBe(0x5f);
  });

  it('heartbeat and reset frames are the same as their queries', () => {
    expect(toHex(syQuery(0x01, 0x01))).toBe('53 59 01 01 00 01 0F BE 54 43');
    expect(toHex(syQuery(0x01, 0x02))).toBe('53 59 01 02 00 01 0F BF 54 43');
  });

  it('the radar talks at 115200 baud', () => {
    expect(SEEED_RADAR_BAUD).toBe(115200);
  });
});

describe('interpreting SY frames', () => {
  it('a firmware reply in ASCII reads as the version string', () => {
    const frame = encodeSyReading({ kind: 'firmware', version: 'G60FD1SYv010104' });
    expect(interpretSy(decodeOne(frame))).toEqual({ kind: 'firmware', version: 'G60FD1SYv010104' });
  });

  it('a product model reply reads as product info', () => {
    const frame = encodeSyFrame(0x02, 0xa1, Buffer.from('MR60FDA1'));
    expect(interpretSy(decodeOne(frame))).toEqual({ kind: 'productInfo', field: 'model', text: 'MR60FDA1' });
  });

  it('a reply to a presence query (cmd 0x81) means the same as a presence report', () => {
    const frame = encodeSyFrame(0x80, 0x81, Uint8Array.of(1));
    expect(interpretSy(decodeOne(frame))).toEqual({ kind: 'presence', present: true });
  });

  it('a fall state outside 0 and 1 is not taken as a fall', () => {
    expect(interpretSy({ ctrl: 0x83, cmd: 0x01, data: Uint8Array.of(2) })).toBeNull();
  });

  it('a fall frame with the wrong data length is not taken as a fall', () => {
    expect(interpretSy({ ctrl: 0x83, cmd: 0x01, data: Uint8Array.of(1, 1) })).toBeNull();
  });

  it('unknown control words and commands give null', () => {
    expect(interpretSy({ ctrl: 0x84, cmd: 0x01, data: Uint8Array.of(1) })).toBeNull();
    expect(interpretSy({ ctrl: 0x80, cmd: 0x09, data: Uint8Array.of(1) })).toBeNull();
    expect(interpretSy({ ctrl: 0x42, cmd: 0x01, data: Uint8Array.of(1) })).toBeNull();
  });

  it('a negative zero position coordinate reads as plain zero', () => {
    const reading = interpretSy({ ctrl: 0x80, cmd: 0x05, data: hex('80 00 00 00 00 00') });
    expect(reading).toEqual({ kind: 'position', x: 0, y: 0, z: 0 });
    expect(Object.is(reading?.kind === 'position' && reading.x, -0)).toBe(false);
  });

  it('reading → frame → reading is the identity for every reading kind', () => {
    const byte = fc.integer({ min: 0, max: 255 });
    const metres = fc.integer({ min: -32767, max: 32767 }).map((cm) => cm / 100);
    const text = fc.stringMatching(/^[\x20-\x7e]{1,24}$/);
    const reading: fc.Arbitrary<SyReading> = fc.oneof(
      fc.constantFrom<SyReading>({ kind: 'heartbeat' }, { kind: 'resetAck' }),
      text.map((version) => ({ kind: 'firmware' as const, version })),
      fc.record({
        kind: fc.constant('productInfo' as const),
        field: fc.constantFrom('model' as const, 'productId' as const, 'hardware' as const),
        text,
      }),
      fc.boolean().map((present) => ({ kind: 'presence' as const, present })),
      fc
        .constantFrom('none' as const, 'stationary' as const, 'active' as const)
        .map((motion) => ({ kind: 'motion' as const, motion })),
      fc.integer({ min: 0, max: 100 }).map((value) => ({ kind: 'bodyMovement' as const, value })),
      fc.integer({ min: 0, max: 0xffff }).map((cm) => ({ kind: 'distance' as const, cm })),
      fc.tuple(metres, metres, metres).map(([x, y, z]) => ({ kind: 'position' as const, x, y, z })),
      fc.boolean().map((enabled) => ({ kind: 'fallDetectionEnabled' as const, enabled })),
      fc.boolean().map((fallen) => ({ kind: 'fall' as const, fallen })),
      fc.boolean().map((stationary) => ({ kind: 'residence' as const, stationary })),
      fc
        .constantFrom('normal' as const, 'tooFast' as const, 'tooSlow' as const, 'none' as const)
        .map((state) => ({ kind: 'breathState' as const, state })),
      byte.map((perMinute) => ({ kind: 'breathRate' as const, perMinute })),
      byte.map((bpm) => ({ kind: 'heartRate' as const, bpm })),
      fc
        .array(byte, { minLength: 5, maxLength: 5 })
        .map((samples) => ({ kind: 'breathWaveform' as const, samples })),
      fc
        .array(byte, { minLength: 5, maxLength: 5 })
        .map((samples) => ({ kind: 'heartWaveform' as const, samples })),
    );
    fc.assert(
      fc.property(reading, (r) => {
        expect(interpretSy(decodeOne(encodeSyReading(r)))).toEqual(r);
      }),
      { numRuns: 1000 },
    );
  });

  it('encoding a reading out of range throws a RangeError', () => {
    expect(() => encodeSyReading({ kind: 'bodyMovement', value: 101 })).toThrow(RangeError);
    expect(() => encodeSyReading({ kind: 'position', x: 400, y: 0, z: 0 })).toThrow(RangeError);
    expect(() => encodeSyFrame(0x100, 0, new Uint8Array(0))).toThrow(RangeError);
  });
});
