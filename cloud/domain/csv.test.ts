import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvError, parseCsv } from './csv.ts';

const quote = (s: string): string => (/[",\r\n]/.test(s) || s === '' ? `"${s.replaceAll('"', '""')}"` : s);

describe('the CSV parser', () => {
  it('reads quotes, commas and line breaks inside quotes, CRLF and a BOM', () => {
    const table = parseCsv('\uFEFFid,address\r\nhh-1,"雁江区, ""狮子山""路1号"\r\nhh-2,"two\nlines"\n\n');
    expect(table.header).toEqual(['id', 'address']);
    expect(table.rows).toEqual([
      { line: 2, cells: ['hh-1', '雁江区, "狮子山"路1号'] },
      { line: 3, cells: ['hh-2', 'two\nlines'] },
    ]);
  });

  it('names the line of a row with too many cells, an unclosed quote, or a stray quote', () => {
    expect(() => parseCsv('a,b\n1,2\n1,2,3\n')).toThrow('line 3: 3 cells, the header has 2');
    expect(() => parseCsv('a,b\n1,"2\n')).toThrow('line 2: a quoted cell is never closed');
    expect(() => parseCsv('a,b\n1,x"y\n')).toThrow('line 2: a quote in the middle of an unquoted cell');
    expect(() => parseCsv('')).toThrow(CsvError);
  });

  it('any table written as CSV reads back the same', () => {
    const cell = fc.string({ maxLength: 20 });
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 5 })
          .chain((n) =>
            fc.tuple(
              fc.array(cell, { minLength: n, maxLength: n }),
              fc.array(fc.array(cell, { minLength: n, maxLength: n }), { maxLength: 10 }),
            ),
          ),
        ([header, rows]) => {
          const nonBlank = rows.filter((r) => !(r.length === 1 && r[0] === ''));
          const text = [header, ...nonBlank].map((r) => r.map(quote).join(',')).join('\r\n');
          const parsed = parseCsv(text);
          expect(parsed.header).toEqual(header.map((h) => h.trim()));
          expect(parsed.rows.map((r) => r.cells)).toEqual(nonBlank);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('random text never throws anything but a CsvError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        try {
          parseCsv(text);
        } catch (err) {
          expect(err).toBeInstanceOf(CsvError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
