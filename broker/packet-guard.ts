import { Duplex } from 'node:stream';

/**
 * Default cap on one MQTT packet, fixed header included. It fits the contract's largest payload (64 KiB)
 * with 64 KiB to spare for the topic and headers, so a payload slightly over 64 KiB still reaches the
 * broker's drop-and-count path (CONTRACT §3) and only a packet far beyond any legal one closes the
 * connection.
 */
export const DEFAULT_MAX_PACKET_BYTES = 128 * 1024;

/** Why a connection was cut before its packet was read. */
export type PacketViolation =
  | { reason: 'too_large'; packetType: number; declaredBytes: number }
  | { reason: 'malformed'; packetType: number };

export interface ScanResult {
  /** How many bytes from the start of the chunk may go on to the MQTT parser. */
  pass: number;
  violation?: PacketViolation;
}

type State = 'type' | 'length' | 'body';

/**
 * Reads MQTT fixed headers (type byte, then a remaining-length varint of 1 to 4 bytes) as bytes arrive,
 * across any chunk boundaries, and skips bodies without keeping them. It says as soon as a header declares
 * a packet above the cap, or its varint runs past 4 bytes, so the body is never buffered. Pure: no I/O.
 */
export class MqttHeaderScanner {
  readonly maxPacketBytes: number;
  #state: State = 'type';
  #packetType = 0;
  #length = 0;
  #multiplier = 1;
  #lengthBytes = 0;
  #bodyLeft = 0;
  #violation: PacketViolation | undefined;

  constructor(maxPacketBytes: number) {
    this.maxPacketBytes = maxPacketBytes;
  }

  push(chunk: Uint8Array): ScanResult {
    if (this.#violation) return { pass: 0, violation: this.#violation };
    // Where, in this chunk, the packet whose header is being read starts (0: it began in an earlier one).
    let packetStart = 0;
    let i = 0;
    while (i < chunk.length) {
      if (this.#state === 'body') {
        const n = Math.min(this.#bodyLeft, chunk.length - i);
        i += n;
        this.#bodyLeft -= n;
        if (this.#bodyLeft === 0) this.#state = 'type';
        continue;
      }
      const byte = chunk[i] as number;
      i++;
      if (this.#state === 'type') {
        packetStart = i - 1;
        this.#startHeader(byte);
        continue;
      }
      const violation = this.#lengthByte(byte);
      if (violation) {
        this.#violation = violation;
        return { pass: packetStart, violation };
      }
    }
    return { pass: chunk.length };
  }

  #startHeader(typeByte: number): void {
    this.#packetType = typeByte >> 4;
    this.#length = 0;
    this.#multiplier = 1;
    this.#lengthBytes = 0;
    this.#state = 'length';
  }

  #lengthByte(byte: number): PacketViolation | undefined {
    this.#lengthBytes++;
    this.#length += (byte & 0x7f) * this.#multiplier;
    this.#multiplier *= 128;
    if (byte & 0x80) {
      // MQTT 3.1.1 §2.2.3: at most 4 length bytes, so a 4th with the continuation bit is malformed.
      return this.#lengthBytes === 4 ? { reason: 'malformed', packetType: this.#packetType } : undefined;
    }
    const declaredBytes = 1 + this.#lengthBytes + this.#length;
    if (declaredBytes > this.maxPacketBytes) {
      return { reason: 'too_large', packetType: this.#packetType, declaredBytes };
    }
    this.#bodyLeft = this.#length;
    this.#state = this.#length === 0 ? 'type' : 'body';
    return undefined;
  }
}

/**
 * Wraps a connection (TCP or TLS socket, WebSocket stream) for `aedes.handle`: bytes pass through
 * unchanged until a packet header breaks the cap, then `onViolation` is told and both sides are destroyed
 * before that packet's body is read. Writes, ends, backpressure and closes pass through both ways.
 */
export function guardConnection(
  inner: Duplex,
  maxPacketBytes: number,
  onViolation: (violation: PacketViolation) => void,
): Duplex {
  const scanner = new MqttHeaderScanner(maxPacketBytes);
  const outer = new Duplex({
    read() {
      inner.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      // Handed over at once unless the connection pushes back: waiting for each flush would slow Aedes.
      if (inner.write(chunk)) callback();
      else inner.once('drain', () => callback());
    },
    final(callback) {
      inner.end(callback);
    },
    destroy(err, callback) {
      inner.off('data', onData);
      inner.destroy();
      callback(err);
    },
  });
  const onData = (chunk: Buffer): void => {
    const { pass, violation } = scanner.push(chunk);
    const more = pass > 0 ? outer.push(pass === chunk.length ? chunk : chunk.subarray(0, pass)) : true;
    if (violation) {
      onViolation(violation);
      outer.destroy();
      return;
    }
    if (!more) inner.pause();
  };
  inner.on('data', onData);
  inner.on('end', () => outer.push(null));
  inner.on('error', (err) => outer.destroy(err));
  inner.on('close', () => outer.destroy());
  return outer;
}
