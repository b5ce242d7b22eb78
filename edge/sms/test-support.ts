import { Duplex } from 'node:stream';

/**
 * Two connected in-memory streams, like the two ends of a serial cable: what one end writes, the other
 * reads. `chunkSize` re-cuts every write into pieces of at most that many bytes, as a slow UART does.
 */
export function connectedPair(options: { chunkSize?: number } = {}): { host: Duplex; device: Duplex } {
  const size = options.chunkSize ?? Number.POSITIVE_INFINITY;
  const ends: Duplex[] = [];
  const makeEnd = (peer: () => Duplex | undefined) =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        for (let i = 0; i < chunk.length; i += size) peer()?.push(chunk.subarray(i, i + size));
        callback();
      },
      final(callback) {
        peer()?.push(null);
        callback();
      },
      destroy(error, callback) {
        // The far end sees the cable pulled: end of stream.
        const other = peer();
        if (other && !other.readableEnded) other.push(null);
        callback(error);
      },
    });
  const host = makeEnd(() => ends[1]);
  const device = makeEnd(() => ends[0]);
  ends.push(host, device);
  return { host, device };
}
