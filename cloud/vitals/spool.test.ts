import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Spool } from './spool.ts';

const dirs: string[] = [];
const spoolPath = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'spool-'));
  dirs.push(dir);
  return join(dir, 'influx-spool.db');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const lines = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `vitals,elder=e hr=${from + i} ${from + i}`);

describe('the InfluxDB spool', () => {
  it('hands lines back oldest first, and forgets a batch only when told it was written', () => {
    const spool = new Spool(spoolPath(), 100);
    spool.append(lines(1, 3));
    spool.append(lines(4, 5));
    const first = spool.peek(2);
    expect(first?.lines).toEqual(lines(1, 2));
    expect(spool.peek(2)?.lines).toEqual(lines(1, 2));
    if (!first) throw new Error('empty');
    expect(spool.remove(first.throughSeq)).toBe(2);
    expect(spool.peek(10)?.lines).toEqual(lines(3, 5));
    expect(spool.size).toBe(3);
    spool.close();
  });

  it('past its limit it sheds the oldest lines and says how many', () => {
    const spool = new Spool(spoolPath(), 5);
    expect(spool.append(lines(1, 4))).toBe(0);
    expect(spool.append(lines(5, 7))).toBe(2);
    expect(spool.size).toBe(5);
    expect(spool.peek(10)?.lines).toEqual(lines(3, 7));
    spool.close();
  });

  it('what was spooled before a restart is there after it, in order, and new lines go behind it', () => {
    const path = spoolPath();
    const before = new Spool(path, 100);
    before.append(lines(1, 3));
    before.close();
    const after = new Spool(path, 100);
    expect(after.size).toBe(3);
    after.append(lines(4, 4));
    expect(after.peek(10)?.lines).toEqual(lines(1, 4));
    after.close();
  });

  it('an empty spool has nothing to replay', () => {
    const spool = new Spool(spoolPath(), 10);
    expect(spool.peek(10)).toBeNull();
    expect(spool.remove(99)).toBe(0);
    spool.close();
  });

  it('whatever is spooled and not shed is replayed exactly once and in order, across restarts', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('append' as const), n: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('replay' as const), n: fc.integer({ min: 1, max: 6 }) }),
      fc.record({ kind: fc.constant('fail' as const), n: fc.integer({ min: 1, max: 6 }) }),
      fc.constant({ kind: 'restart' as const, n: 0 }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(op, { maxLength: 40 }), (max, ops) => {
        const path = spoolPath();
        let spool = new Spool(path, max);
        let next = 0;
        const appended: string[] = [];
        const shed: string[] = [];
        const replayed: string[] = [];
        // A model of the bound: the oldest lines still held are the ones shed.
        const held: string[] = [];
        for (const { kind, n } of ops) {
          if (kind === 'append') {
            const batch = Array.from({ length: n }, () => `p${next++}`);
            appended.push(...batch);
            held.push(...batch);
            const count = spool.append(batch);
            expect(count).toBe(Math.max(0, held.length - max));
            shed.push(...held.splice(0, count));
          } else if (kind === 'restart') {
            spool.close();
            spool = new Spool(path, max);
          } else {
            const batch = spool.peek(n);
            if (batch === null) continue;
            expect(batch.lines).toEqual(held.slice(0, batch.lines.length));
            // A failed write leaves the batch in place for the next try.
            if (kind === 'fail') continue;
            replayed.push(...batch.lines);
            held.splice(0, spool.remove(batch.throughSeq));
          }
          expect(spool.size).toBe(held.length);
        }
        for (let batch = spool.peek(5); batch; batch = spool.peek(5)) {
          replayed.push(...batch.lines);
          spool.remove(batch.throughSeq);
        }
        spool.close();
        expect(replayed).toEqual(appended.filter((line) => !shed.includes(line)));
      }),
      { numRuns: 150 },
    );
  });
});
