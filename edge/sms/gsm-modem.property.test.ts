/**
 * Whatever a modem sends (line noise at the wrong baud rate, a reboot banner, binary garbage), in
 * whatever chunks, the line reader never throws, never hands out a line with a line break in it, and
 * never buffers without bound; the modem on top of it only ever answers with a result or a GsmError.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AtEvent, AtLineReader, MAX_LINE_LENGTH } from './at-line-reader.ts';
import { GsmError, GsmModem } from './gsm-modem.ts';
import { connectedPair } from './test-support.ts';

const RUNS = { numRuns: 1000 };

/** Bytes biased towards what matters to the reader: CR, LF, `>`, space, and a few real answers. */
const modemBytes = fc.array(
  fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc.constantFrom(
      ...['\r', '\n', '\r\n', '\n\r', '> ', '>', ' ', 'OK', 'RING', '+CMGS: 7'].map((s) => Buffer.from(s)),
    ),
    fc.uint8Array({ minLength: MAX_LINE_LENGTH, maxLength: MAX_LINE_LENGTH + 10 }),
  ),
  { maxLength: 30 },
);

function feed(reader: AtLineReader, chunks: Uint8Array[]): AtEvent[] {
  return chunks.flatMap((chunk) => reader.push(chunk));
}

describe('the AT line reader on random bytes', () => {
  it('never throws, never yields an empty line or one with CR or LF, and never buffers past the limit', () => {
    fc.assert(
      fc.property(modemBytes, (chunks) => {
        const reader = new AtLineReader();
        for (const ev of feed(reader, chunks)) {
          if (ev.kind !== 'line') continue;
          expect(ev.line.length).toBeGreaterThan(0);
          expect(ev.line.length).toBeLessThanOrEqual(MAX_LINE_LENGTH);
          expect(ev.line).not.toMatch(/[\r\n]/);
          expect(ev.line).toBe(ev.line.trim());
        }
        expect(reader.pending).toBeLessThanOrEqual(MAX_LINE_LENGTH);
      }),
      RUNS,
    );
  });

  it('without a prompt in the stream, how the bytes are cut into chunks does not change the lines', () => {
    const noPrompt = fc.uint8Array({ maxLength: 400 }).map((b) => b.map((x) => (x === 0x3e ? 0x20 : x)));
    fc.assert(
      fc.property(noPrompt, fc.array(fc.nat(400), { maxLength: 20 }), (bytes, cuts) => {
        const whole = new AtLineReader().push(bytes);
        const points = [...new Set([0, ...cuts.map((c) => c % (bytes.length + 1)), bytes.length])].sort(
          (a, b) => a - b,
        );
        const chunks = points.slice(1).map((end, i) => bytes.subarray(points[i], end));
        expect(feed(new AtLineReader(), chunks)).toEqual(whole);
      }),
      RUNS,
    );
  });
});

describe('GsmModem on random bytes', () => {
  it('a command answered by noise and then OK resolves, or rejects with a GsmError, and never crashes', async () => {
    await fc.assert(
      fc.asyncProperty(modemBytes, async (noise) => {
        const { host, device } = connectedPair();
        const modem = new GsmModem(host, { commandTimeoutMs: 1000, recoveryMs: 0 });
        device.once('data', () => {
          for (const chunk of noise) device.write(chunk);
          device.write('\r\nOK\r\n');
        });
        const outcome = await modem.command('AT+CSQ').then(
          (lines) => lines,
          (error: unknown) => error,
        );
        if (!Array.isArray(outcome)) expect(outcome).toBeInstanceOf(GsmError);
        await modem.close();
      }),
      RUNS,
    );
  });
});
