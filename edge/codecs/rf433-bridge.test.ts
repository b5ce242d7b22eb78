import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeRfFrame,
  encodeRfReceived,
  RepeatFolder,
  RF_ACK,
  RF_BRIDGE_BAUD,
  RF_LEARN,
  RF_LEARN_TIMEOUT,
  RfBridgeDecoder,
  splitEv1527,
} from './rf433-bridge.ts';
import { concat, hex, toHex } from './test-support.ts';

/** ESPurna's rfin payload 26C0013603CA511451 as the bridge sends it (DEVICE-PROTOCOLS §5.1). */
const ESPURNA = hex('AA A4 26 C0 01 36 03 CA 51 14 51 55');
const ESPURNA_CODE = { sync: 9920, low: 310, high: 970, code: '511451' };

describe('Sonoff RF Bridge frames: the worked example of DEVICE-PROTOCOLS §5.1', () => {
  it("ESPurna's frame decodes as sync 9920 µs, low 310 µs, high 970 µs, code 511451", () => {
    expect(new RfBridgeDecoder().push(ESPURNA)).toEqual([{ kind: 'received', ...ESPURNA_CODE }]);
  });

  it("the simulator's encoder reproduces ESPurna's frame byte for byte", () => {
    expect(toHex(encodeRfReceived(ESPURNA_CODE))).toBe(toHex(ESPURNA));
  });

  it('code 511451 splits into EV1527 address 51145 and key 1', () => {
    expect(splitEv1527('511451')).toEqual({ address: '51145', key: 1 });
  });

  it('the ACK the host sends is AA A0 55 and decodes as an ack', () => {
    expect(toHex(RF_ACK)).toBe('AA A0 55');
    expect(new RfBridgeDecoder().push(RF_ACK)).toEqual([{ kind: 'ack' }]);
  });

  it('learn start, learn timeout and learn ok frames decode', () => {
    expect(toHex(RF_LEARN)).toBe('AA A1 55');
    expect(toHex(RF_LEARN_TIMEOUT)).toBe('AA A2 55');
    const learnOk = hex('AA A3 26 C0 01 36 03 CA 51 14 51 55');
    expect(new RfBridgeDecoder().push(concat([RF_LEARN, RF_LEARN_TIMEOUT, learnOk]))).toEqual([
      { kind: 'learnStart' },
      { kind: 'learnTimeout' },
      { kind: 'learnOk', ...ESPURNA_CODE },
    ]);
  });

  it('the bridge UART runs at 19200 baud', () => {
    expect(RF_BRIDGE_BAUD).toBe(19200);
  });

  it('a code given in lower case is sent and read back in upper case', () => {
    const frame = encodeRfReceived({ sync: 1, low: 2, high: 3, code: 'abcdef' });
    expect(new RfBridgeDecoder().push(frame)).toEqual([
      { kind: 'received', sync: 1, low: 2, high: 3, code: 'ABCDEF' },
    ]);
  });

  it('a code that is not six hex digits or a timing over 65535 µs cannot be encoded', () => {
    expect(() => encodeRfReceived({ ...ESPURNA_CODE, code: '51145' })).toThrow(RangeError);
    expect(() => encodeRfReceived({ ...ESPURNA_CODE, code: '51145G' })).toThrow(RangeError);
    expect(() => encodeRfReceived({ ...ESPURNA_CODE, sync: 70000 })).toThrow(RangeError);
  });

  it('any code and timings survive encode and decode', () => {
    const code = fc.record({
      sync: fc.integer({ min: 0, max: 0xffff }),
      low: fc.integer({ min: 0, max: 0xffff }),
      high: fc.integer({ min: 0, max: 0xffff }),
      code: fc.integer({ min: 0, max: 0xffffff }).map((n) => n.toString(16).toUpperCase().padStart(6, '0')),
    });
    fc.assert(
      fc.property(code, (c) => {
        expect(new RfBridgeDecoder().push(encodeRfReceived(c))).toEqual([{ kind: 'received', ...c }]);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the RF bridge stream decoder', () => {
  it('a pendant frame split across two writes decodes as one code', () => {
    const decoder = new RfBridgeDecoder();
    expect(decoder.push(ESPURNA.subarray(0, 5))).toEqual([]);
    expect(decoder.push(ESPURNA.subarray(5))).toEqual([{ kind: 'received', ...ESPURNA_CODE }]);
  });

  it('the repeats of a held button run together and each decodes', () => {
    expect(new RfBridgeDecoder().push(concat([ESPURNA, ESPURNA, ESPURNA]))).toHaveLength(3);
  });

  it('garbage before and between frames is skipped and counted', () => {
    const decoder = new RfBridgeDecoder();
    const frames = decoder.push(concat([hex('00 55 12'), ESPURNA, hex('FE'), RF_ACK]));
    expect(frames.map((f) => f.kind)).toEqual(['received', 'ack']);
    expect(decoder.stats.garbageBytes).toBe(4);
  });

  it('code bytes equal to AA or 55 are just data', () => {
    const frame = encodeRfReceived({ sync: 0xaa55, low: 0x55aa, high: 0xaaaa, code: '55AA55' });
    expect(new RfBridgeDecoder().push(frame)).toEqual([
      { kind: 'received', sync: 0xaa55, low: 0x55aa, high: 0xaaaa, code: '55AA55' },
    ]);
  });

  it('a frame with a wrong tail is counted and the next good frame still decodes', () => {
    const corrupt = Buffer.from(ESPURNA);
    corrupt[11] = 0x56;
    const decoder = new RfBridgeDecoder();
    expect(decoder.push(concat([corrupt, ESPURNA]))).toHaveLength(1);
    expect(decoder.stats).toMatchObject({ frames: 1, badTail: 1, garbageBytes: 12 });
  });

  it('an unknown command such as a Portisch B1 bucket frame is counted and skipped', () => {
    const decoder = new RfBridgeDecoder();
    const frames = decoder.push(concat([hex('AA B1 04 01 02 03 04 55'), ESPURNA]));
    expect(frames.map((f) => f.kind)).toEqual(['received']);
    expect(decoder.stats.unknownCommands).toBe(1);
  });

  it('a transmit frame the host sends decodes as transmit', () => {
    const frame = encodeRfFrame({ kind: 'transmit', ...ESPURNA_CODE });
    expect(toHex(frame)).toBe('AA A5 26 C0 01 36 03 CA 51 14 51 55');
    expect(new RfBridgeDecoder().push(frame)).toEqual([{ kind: 'transmit', ...ESPURNA_CODE }]);
  });

  it('reset drops a partial frame', () => {
    const decoder = new RfBridgeDecoder();
    decoder.push(ESPURNA.subarray(0, 6));
    decoder.reset();
    expect(decoder.push(ESPURNA.subarray(6))).toEqual([]);
  });
});

describe('folding the repeats of a held pendant button', () => {
  it('a button held for three seconds, repeating every 100 ms, is one press', () => {
    const folder = new RepeatFolder();
    const accepted = Array.from({ length: 30 }, (_, i) => folder.accept('511451', 10_000 + i * 100));
    expect(accepted.filter(Boolean)).toHaveLength(1);
    expect(accepted[0]).toBe(true);
  });

  it('two presses 1.5 s apart are two presses', () => {
    const folder = new RepeatFolder();
    expect(folder.accept('511451', 0)).toBe(true);
    expect(folder.accept('511451', 200)).toBe(false);
    expect(folder.accept('511451', 1700)).toBe(true);
  });

  it('a repeat exactly 1000 ms after the previous frame starts a new press', () => {
    const folder = new RepeatFolder();
    folder.accept('511451', 0);
    expect(folder.accept('511451', 999)).toBe(false);
    expect(folder.accept('511451', 1999)).toBe(true);
  });

  it('two pendants pressed together are folded independently', () => {
    const folder = new RepeatFolder();
    expect(folder.accept('511451', 0)).toBe(true);
    expect(folder.accept('A1B2C1', 50)).toBe(true);
    expect(folder.accept('511451', 100)).toBe(false);
    expect(folder.accept('A1B2C1', 150)).toBe(false);
  });

  it('upper- and lower-case spellings of a code are the same code', () => {
    const folder = new RepeatFolder();
    folder.accept('a1b2c1', 0);
    expect(folder.accept('A1B2C1', 100)).toBe(false);
  });

  it('a clock that steps backwards yields a new press rather than a lost one', () => {
    const folder = new RepeatFolder();
    folder.accept('511451', 5000);
    expect(folder.accept('511451', 4000)).toBe(true);
  });

  it('the window can be configured', () => {
    const folder = new RepeatFolder(300);
    folder.accept('511451', 0);
    expect(folder.accept('511451', 400)).toBe(true);
  });

  it('stale codes are forgotten, so a noisy 433 MHz band cannot grow its memory', () => {
    const folder = new RepeatFolder();
    for (let i = 0; i < 10_000; i++) folder.accept(i.toString(16).padStart(6, '0'), i * 2000);
    expect(folder.size).toBe(1);
  });

  it('a frame is accepted exactly when its code was not seen in the previous window', () => {
    const events = fc.array(
      fc.tuple(fc.constantFrom('511451', 'A1B2C1', '000001'), fc.integer({ min: 0, max: 1500 })),
      {
        maxLength: 60,
      },
    );
    fc.assert(
      fc.property(events, (steps) => {
        const folder = new RepeatFolder();
        const last = new Map<string, number>();
        let now = 0;
        for (const [code, gap] of steps) {
          now += gap;
          const previous = last.get(code);
          expect(folder.accept(code, now)).toBe(previous === undefined || now - previous >= 1000);
          last.set(code, now);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
