/**
 * Line numbers for JSON: where a character offset lies, and where the value at a JSON pointer
 * (`/timeline/3/over`) starts in a text that JSON.parse already accepted. Lets a scenario error say
 * "line 14" as well as the field.
 */

export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The line of the value at `pointer`, or of its deepest existing parent; 1 for the root. */
export function lineOfPointer(text: string, pointer: string): number {
  const wanted = pointer
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
  const scanner = new Scanner(text);
  let best = scanner.skipSpace();
  try {
    best = scanner.find(wanted, 0) ?? best;
  } catch {
    // not valid JSON after all: the caller reports the parse error instead
  }
  return lineOf(text, scanner.bestOffset ?? best);
}

class Scanner {
  readonly #text: string;
  #pos = 0;
  /** Offset of the deepest parent of the wanted path seen so far. */
  bestOffset: number | undefined;

  constructor(text: string) {
    this.#text = text;
  }

  skipSpace(): number {
    while (/\s/.test(this.#text[this.#pos] ?? '')) this.#pos++;
    return this.#pos;
  }

  /** Walks the value at the cursor; returns the offset of `path[depth..]` inside it, if present. */
  find(path: string[], depth: number): number | undefined {
    const start = this.skipSpace();
    this.bestOffset = start;
    if (depth === path.length) return start;
    const ch = this.#text[start];
    if (ch === '{') return this.#inObject(path, depth);
    if (ch === '[') return this.#inArray(path, depth);
    return undefined;
  }

  #inObject(path: string[], depth: number): number | undefined {
    this.#pos++;
    for (;;) {
      this.skipSpace();
      if (this.#text[this.#pos] === '}') return undefined;
      const key = this.#string();
      this.skipSpace();
      this.#pos++; // ':'
      if (key === path[depth]) return this.find(path, depth + 1);
      this.#skipValue();
      this.skipSpace();
      if (this.#text[this.#pos] === ',') this.#pos++;
      else return undefined;
    }
  }

  #inArray(path: string[], depth: number): number | undefined {
    this.#pos++;
    const index = Number(path[depth]);
    for (let i = 0; ; i++) {
      this.skipSpace();
      if (this.#text[this.#pos] === ']') return undefined;
      if (i === index) return this.find(path, depth + 1);
      this.#skipValue();
      this.skipSpace();
      if (this.#text[this.#pos] === ',') this.#pos++;
      else return undefined;
    }
  }

  #string(): string {
    const start = this.#pos;
    this.#pos++;
    while (this.#pos < this.#text.length && this.#text[this.#pos] !== '"') {
      this.#pos += this.#text[this.#pos] === '\\' ? 2 : 1;
    }
    this.#pos++;
    return JSON.parse(this.#text.slice(start, this.#pos)) as string;
  }

  #skipValue(): void {
    this.skipSpace();
    const ch = this.#text[this.#pos];
    if (ch === '"') {
      this.#string();
      return;
    }
    if (ch === '{' || ch === '[') {
      let depth = 0;
      while (this.#pos < this.#text.length) {
        const c = this.#text[this.#pos];
        if (c === '"') {
          this.#string();
          continue;
        }
        if (c === '{' || c === '[') depth++;
        if (c === '}' || c === ']') depth--;
        this.#pos++;
        if (depth === 0) return;
      }
      return;
    }
    while (this.#pos < this.#text.length && !/[,}\]\s]/.test(this.#text[this.#pos] ?? '')) this.#pos++;
  }
}
