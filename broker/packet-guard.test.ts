import { Duplex } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guardConnection, MqttHeaderScanner, type PacketViolation, type ScanResult } from './packet-guard.ts';

/** The MQTT remaining-length varint, written here independently of the scanner. */
function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

function packet(typeByte: number, bodyLength: number, fill: number): Uint8Array {
  const header = [typeByte, ...varint(bodyLength)];
  const bytes = new Uint8Array(header.length + bodyLength).fill(fill);
  bytes.set(header);
  return bytes;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Splits `bytes` at the given cut points (any order, duplicates allowed). */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    if (p > from) chunks.push(bytes.subarray(from, p));
    from = p;
  }
  return chunks;
}

/** What a guarded connection hands on: each chunk's passing prefix, until the first violation. */
function scanAll(cap: number, chunks: Uint8Array[]): { passed: Uint8Array; violation?: PacketViolation } {
  const scanner = new MqttHeaderScanner(cap);
  const passed: Uint8Array[] = [];
  for (const chunk of chunks) {
    const result: ScanResult = scanner.push(chunk);
    passed.push(chunk.subarray(0, result.pass));
    if (result.violation) return { passed: concat(passed), violation: result.violation };
  }
  return { passed: concat(passed) };
}

const typeByte = fc.integer({ min: 0x10, max: 0xff });
const cap = fc.integer({ min: 2, max: 40_000 });

/** Packets whose whole size (type byte + varint + body) is at most `max`, bodies full of header-like bytes. */
const packetsUnder = (max: number) =>
  fc.array(
    fc
      .tuple(typeByte, fc.integer({ min: 0, max: Math.max(0, max - 2) }), fc.integer({ min: 0, max: 255 }))
      .map(([type, wanted, fill]) => {
        let length = wanted;
        while (1 + varint(length).length + length > max) length--;
        return packet(type, length, fill);
      }),
    { maxLength: 6 },
  );

const cuts = fc.array(fc.nat(), { maxLength: 12 });

describe('the MQTT header scanner', () => {
  it('any packets under the cap, split at any chunk boundaries, pass through byte-identical', () => {
    fc.assert(
      fc.property(
        cap.chain((c) => fc.tuple(fc.constant(c), packetsUnder(c), cuts)),
        ([max, packets, cutPoints]) => {
          const input = concat(packets);
          const { passed, violation } = scanAll(max, split(input, cutPoints));
          expect(violation).toBeUndefined();
          expect(passed).toEqual(input);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a packet declaring more than the cap stops the stream before its body, whatever the chunking', () => {
    fc.assert(
      fc.property(
        cap.chain((c) =>
          fc.tuple(
            fc.constant(c),
            packetsUnder(c),
            typeByte,
            fc.integer({ min: Math.max(0, c - 1), max: 268_435_455 }),
            fc.uint8Array({ maxLength: 300 }),
            cuts,
          ),
        ),
        ([max, before, type, declared, after, cutPoints]) => {
          const header = new Uint8Array([type, ...varint(declared)]);
          fc.pre(header.length + declared > max);
          const badStart = concat(before).length;
          const input = concat([...before, header, after]);
          const { passed, violation } = scanAll(max, split(input, cutPoints));
          expect(violation).toEqual({
            reason: 'too_large',
            packetType: type >> 4,
            declaredBytes: header.length + declared,
          });
          // Everything before the bad packet, at most part of its header, and none of its body.
          expect(passed.length).toBeGreaterThanOrEqual(badStart);
          expect(passed.length).toBeLessThan(badStart + header.length);
          expect(passed).toEqual(input.subarray(0, passed.length));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a remaining length whose fourth byte still has the continuation bit closes the stream as malformed', () => {
    fc.assert(
      fc.property(
        packetsUnder(1000),
        typeByte,
        fc.array(fc.integer({ min: 0x80, max: 0xff }), { minLength: 4, maxLength: 4 }),
        fc.uint8Array({ maxLength: 50 }),
        cuts,
        (before, type, lengthBytes, after, cutPoints) => {
          const badStart = concat(before).length;
          const input = concat([...before, new Uint8Array([type, ...lengthBytes]), after]);
          const { passed, violation } = scanAll(268_435_460, split(input, cutPoints));
          expect(violation).toEqual({ reason: 'malformed', packetType: type >> 4 });
          expect(passed.length).toBeGreaterThanOrEqual(badStart);
          expect(passed.length).toBeLessThan(badStart + 5);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a packet of exactly the cap passes and one byte more does not', () => {
    const max = 200;
    const exact = packet(0x30, max - 3, 0x30);
    expect(exact.length).toBe(max);
    expect(new MqttHeaderScanner(max).push(exact)).toEqual({ pass: max });
    expect(new MqttHeaderScanner(max).push(packet(0x30, max - 2, 0x30)).violation?.reason).toBe('too_large');
  });

  it('after a violation the scanner passes nothing more', () => {
    const scanner = new MqttHeaderScanner(100);
    expect(scanner.push(new Uint8Array([0x30, 0xff, 0x7f])).violation?.reason).toBe('too_large');
    expect(scanner.push(packet(0xc0, 0, 0))).toMatchObject({ pass: 0 });
  });
});

/** A connection whose incoming side the test feeds and whose outgoing side it records. */
function fakeConnection(): { conn: Duplex; sent: Buffer[] } {
  const sent: Buffer[] = [];
  const conn = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      sent.push(chunk);
      callback();
    },
  });
  return { conn, sent };
}

function collect(stream: Duplex): { bytes: () => Uint8Array; closed: Promise<void> } {
  const got: Buffer[] = [];
  stream.on('data', (c: Buffer) => got.push(c));
  stream.on('error', () => {});
  return { bytes: () => concat(got), closed: new Promise((resolve) => stream.once('close', resolve)) };
}

describe('a guarded connection', () => {
  it('hands on every byte of packets under the cap, in any chunks, and writes through to the connection', async () => {
    await fc.assert(
      fc.asyncProperty(packetsUnder(5000), cuts, async (packets, cutPoints) => {
        const { conn, sent } = fakeConnection();
        const guarded = guardConnection(conn, 5000, () => expect.fail('no violation expected'));
        const out = collect(guarded);
        const input = concat(packets);
        for (const chunk of split(input, cutPoints)) conn.push(chunk);
        conn.push(null);
        await new Promise((resolve) => guarded.once('end', resolve));
        expect(out.bytes()).toEqual(input);
        guarded.end(Buffer.from([0xd0, 0x00]));
        await new Promise((resolve) => conn.once('finish', resolve));
        expect(Buffer.concat(sent)).toEqual(Buffer.from([0xd0, 0x00]));
      }),
      { numRuns: 100 },
    );
  });

  it('a 10 MB PUBLISH header closes both sides, reports the declared size once, and hands on no body byte', async () => {
    const { conn } = fakeConnection();
    const violations: PacketViolation[] = [];
    const guarded = guardConnection(conn, 1024, (v) => violations.push(v));
    const out = collect(guarded);
    const connect = packet(0x10, 20, 0);
    const header = new Uint8Array([0x30, ...varint(10_000_000)]);
    conn.push(Buffer.from(concat([connect, header.subarray(0, 2)])));
    conn.push(Buffer.from(concat([header.subarray(2), new Uint8Array(4096).fill(0x41)])));
    await out.closed;
    expect(conn.destroyed).toBe(true);
    expect(violations).toEqual([{ reason: 'too_large', packetType: 3, declaredBytes: 1 + 4 + 10_000_000 }]);
    expect(out.bytes()).toEqual(concat([connect, header.subarray(0, 2)]));
  });

  it('when the connection closes, the guarded stream closes too', async () => {
    const { conn } = fakeConnection();
    const guarded = guardConnection(conn, 1024, () => {});
    const out = collect(guarded);
    conn.destroy();
    await out.closed;
    expect(guarded.destroyed).toBe(true);
  });
});
