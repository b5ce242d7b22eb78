/**
 * Splits what a modem sends into AT response lines. Modems disagree on line ends (`\r\n`, bare `\r`,
 * bare `\n`, even `\n\r`), so any run of CR and LF ends a line and empty lines vanish. The one thing
 * that never ends in a line break is the `> ` prompt of AT+CMGS, so it is recognised in the unfinished
 * tail of the buffer.
 */

export type AtEvent = { kind: 'line'; line: string } | { kind: 'prompt' };

/**
 * A line longer than this is noise (a modem at the wrong baud rate, line garbage); it is dropped
 * rather than buffered forever. The longest real answer here (`+CMGS: 255`, URCs) is far shorter.
 */
export const MAX_LINE_LENGTH = 1024;

const LINE_END = /[\r\n]+/;

export class AtLineReader {
  #partial = '';
  #dropped = 0;

  /** Characters of over-long lines thrown away so far. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Bytes buffered in an unfinished line. */
  get pending(): number {
    return this.#partial.length;
  }

  /** Feeds a chunk; returns the complete lines and prompts it finished, in order. Never throws. */
  push(chunk: Uint8Array | string): AtEvent[] {
    // latin1 maps every byte to one character, so a chunk boundary can never split a character.
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1');
    const parts = (this.#partial + text).split(LINE_END);
    this.#partial = parts.pop() ?? '';
    const events: AtEvent[] = [];
    for (const part of parts) {
      const line = part.trim();
      if (line.length > 0 && line.length <= MAX_LINE_LENGTH) events.push({ kind: 'line', line });
      else if (line.length > MAX_LINE_LENGTH) this.#dropped += line.length;
    }
    if (this.#partial.trim() === '>') {
      events.push({ kind: 'prompt' });
      this.#partial = '';
    } else if (this.#partial.length > MAX_LINE_LENGTH) {
      this.#dropped += this.#partial.length;
      this.#partial = '';
    }
    return events;
  }

  /** Forgets an unfinished line, e.g. after a timeout, so its remains do not prefix the next answer. */
  reset(): void {
    this.#partial = '';
  }
}
