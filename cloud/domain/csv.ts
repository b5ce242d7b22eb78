/** A CSV problem with the line it is on (1-based). */
export class CsvError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.line = line;
  }
}

export interface CsvTable {
  header: string[];
  /** Each row with the line it started on. */
  rows: { line: number; cells: string[] }[];
}

/**
 * Parses RFC 4180 CSV: comma-separated, `"` quotes (with `""` inside), CRLF or LF line ends, a header
 * row, an optional UTF-8 BOM. Blank lines are skipped. Never throws anything but a CsvError naming the
 * line; a row with a different number of cells than the header is one.
 */
export function parseCsv(text: string, maxRows = 10_000): CsvTable {
  const records = splitRecords(text.startsWith('\uFEFF') ? text.slice(1) : text);
  const first = records.shift();
  if (!first) throw new CsvError(1, 'the file is empty; expected a header row');
  const header = first.cells.map((h) => h.trim());
  const rows = records.filter((r) => !(r.cells.length === 1 && r.cells[0] === ''));
  if (rows.length > maxRows) throw new CsvError(rows[maxRows]?.line ?? 0, `more than ${maxRows} rows`);
  for (const r of rows) {
    if (r.cells.length !== header.length)
      throw new CsvError(r.line, `${r.cells.length} cells, the header has ${header.length}`);
  }
  return { header, rows };
}

function splitRecords(text: string): { line: number; cells: string[] }[] {
  const records: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  // Something (even just `""`) was read since the last line end: the last record is not empty.
  let open = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    open = c !== '\n' && c !== '\r' ? true : quoted;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"') {
      if (cell !== '') throw new CsvError(line, 'a quote in the middle of an unquoted cell');
      quoted = true;
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell);
      records.push({ line: start, cells });
      cells = [];
      cell = '';
      line++;
      start = line;
    } else cell += c;
  }
  if (quoted) throw new CsvError(start, 'a quoted cell is never closed');
  if (open) {
    cells.push(cell);
    records.push({ line: start, cells });
  }
  return records;
}
