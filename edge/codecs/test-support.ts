/** Helpers shared by the codec tests. */
import fc from 'fast-check';

/** `'53 59 01'` → bytes. */
export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

/** Bytes → `'53 59 01'`, so a failing assertion shows the frame the way the protocol doc prints it. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes)
    .toString('hex')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1 ');
}

/** Splits `bytes` at the given cut points (any numbers; taken modulo the length, sorted, deduplicated). */
export function chunked(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  if (bytes.length === 0) return [];
  const points = [...new Set(cuts.map((c) => c % bytes.length))].filter((c) => c > 0).sort((a, b) => a - b);
  const edges = [0, ...points, bytes.length];
  return edges.slice(1).map((end, i) => bytes.subarray(edges[i] ?? 0, end));
}

/** True when `needle` occurs contiguously in `hay`. */
export function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(hay).indexOf(Buffer.from(needle)) !== -1;
}

/** Random bytes with a random way of cutting them into serial-port reads. */
export const noisyStream = fc.record({
  bytes: fc.uint8Array({ maxLength: 600 }),
  cuts: fc.array(fc.nat(), { maxLength: 40 }),
});

/** Random bytes that never contain `excluded`, so they cannot start a frame. */
export function noiseWithout(excluded: number, maxLength = 40): fc.Arbitrary<Uint8Array> {
  return fc.uint8Array({ maxLength }).map((bytes) => bytes.map((b) => (b === excluded ? b ^ 0x80 : b)));
}

export function concat(parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(parts);
}
