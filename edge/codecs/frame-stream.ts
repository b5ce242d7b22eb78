/**
 * The loop the streaming UART decoders share: a decoder says what the bytes at a position are
 * (a frame, bytes to drop, or "wait for more") and `drain` walks the buffer and keeps the counts.
 */

export type FrameStep<F, R extends string> =
  | { kind: 'wait' }
  | { kind: 'frame'; frame: F; length: number }
  /** Bytes that belong to no frame; `reason` names the counter of a rejected frame. */
  | { kind: 'skip'; length: number; reason: R | null }
  /** Bytes that belong to the previous frame after all (TinyFrame's optional empty checksum). */
  | { kind: 'pad'; length: number };

export type StreamStats<R extends string> = { frames: number; garbageBytes: number } & Record<R, number>;

export const WAIT = { kind: 'wait' } as const;

/**
 * What to do when the start byte is not at `pos`: drop the bytes up to it, or up to the end when
 * `start` is -1 (none found); wait when there is nothing left to drop.
 */
export function skipTo(
  start: number,
  end: number,
  pos: number,
): { kind: 'skip'; length: number; reason: null } | typeof WAIT {
  const length = (start === -1 ? end : start) - pos;
  return length > 0 ? { kind: 'skip', length, reason: null } : WAIT;
}

/** Appends a chunk to what was held back, copying so the caller may reuse its buffer. */
export function appendChunk(held: Buffer, chunk: Uint8Array): Buffer {
  return held.length === 0 ? Buffer.from(chunk) : Buffer.concat([held, chunk]);
}

/** Runs `step` until it waits; returns the frames and the unconsumed tail (a copy, so chunks can be freed). */
export function drain<F, R extends string>(
  buffer: Buffer,
  step: (buf: Buffer, pos: number) => FrameStep<F, R>,
  stats: StreamStats<R>,
): { frames: F[]; rest: Buffer } {
  const frames: F[] = [];
  let pos = 0;
  for (;;) {
    const s = step(buffer, pos);
    if (s.kind === 'wait') break;
    if (s.kind === 'frame') {
      frames.push(s.frame);
      stats.frames++;
    } else if (s.kind === 'skip') {
      stats.garbageBytes += s.length;
      if (s.reason !== null) stats[s.reason]++;
    }
    pos += s.length;
  }
  return { frames, rest: Buffer.from(buffer.subarray(pos)) };
}
