import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import type { VitalsEnvelope } from '../../protocol/index.ts';
import { storeEngines } from '../../tests/support/stores.ts';
import { MIGRATIONS } from '../db/migrations.ts';
import { Params, type Sql } from '../db/sql.ts';
import { VITALS, VitalsHistory } from './vitals-history.ts';

const T0 = Date.parse('2026-11-20T08:00:00.000Z');
const at = (ms: number) => new Date(ms).toISOString();
let seq = 0;
const reading = (ms: number, v: Omit<VitalsEnvelope, 'id' | 'ts'>): VitalsEnvelope => ({
  id: `v-${++seq}`,
  ts: at(ms),
  ...v,
});
const count = async (db: Sql, table: string) =>
  Number((await db.get(`SELECT count(*) AS n FROM ${table}`))?.n);

const ENGINES = storeEngines();

describe.each(ENGINES)('vitals history in the store, on $name', (engine) => {
  let db: Sql;
  let history: VitalsHistory;

  beforeEach(async () => {
    db = await engine.open();
    history = new VitalsHistory(db, { rawHours: 48, keepDays: 90 });
  });

  it('a minute of readings becomes one point with the mean, lowest and highest of each vital', async () => {
    await history.record('gw', 'watch', 'el-1', reading(T0 + 1_000, { hr: 70, spo2: 97 }));
    await history.record('gw', 'watch', 'el-1', reading(T0 + 20_000, { hr: 80 }));
    await history.record('gw', 'cuff', 'el-1', reading(T0 + 59_999, { hr: 75, sys: 130, dia: 85 }));
    await history.record('gw', 'watch', 'el-1', reading(T0 + 60_000, { hr: 90 }));

    const points = await history.minutes('el-1', at(T0), at(T0 + 3600_000), 100);
    expect(points).toEqual([
      {
        ts: '2026-11-20T08:00:00.000Z',
        n: 3,
        mean: { hr: 75, spo2: 97, sys: 130, dia: 85 },
        min: { hr: 70, spo2: 97, sys: 130, dia: 85 },
        max: { hr: 80, spo2: 97, sys: 130, dia: 85 },
      },
      { ts: '2026-11-20T08:01:00.000Z', n: 1, mean: { hr: 90 }, min: { hr: 90 }, max: { hr: 90 } },
    ]);
    expect(await history.raw('el-1', at(T0), at(T0 + 60_000), 100)).toHaveLength(3);
  });

  it('a resent reading changes neither the readings nor the aggregates', async () => {
    const r = reading(T0, { hr: 70 });
    expect(await history.record('gw', 'watch', 'el-1', r)).toBe(true);
    expect(await history.record('gw', 'watch', 'el-1', { ...r, hr: 150 })).toBe(false);
    expect((await history.minutes('el-1', at(T0), at(T0 + 60_000), 10))[0]).toMatchObject({
      n: 1,
      mean: { hr: 70 },
    });
  });

  it('readings of a device assigned to no elder are kept raw and make no aggregate', async () => {
    await history.record('gw', 'spare', null, reading(T0, { hr: 70 }));
    expect(await count(db, 'vitals')).toBe(1);
    expect(await count(db, 'vitals_minute')).toBe(0);
  });

  it('the sweep removes readings past the raw window and aggregates past the keeping time, nothing else', async () => {
    const now = T0 + 100 * 86_400_000;
    await history.record('gw', 'w', 'el-1', reading(now - 91 * 86_400_000, { hr: 60 })); // too old for both
    await history.record('gw', 'w', 'el-1', reading(now - 49 * 3600_000, { hr: 61 })); // aggregate only
    await history.record('gw', 'w', 'el-1', reading(now - 47 * 3600_000, { hr: 62 })); // both

    expect(await history.prune(now)).toEqual({ raw: 2, minutes: 1 });
    expect((await history.raw('el-1', at(0), at(now), 10)).map((p) => p.hr)).toEqual([62]);
    expect((await history.minutes('el-1', at(0), at(now), 10)).map((p) => p.mean.hr)).toEqual([61, 62]);
    expect(await history.prune(now)).toEqual({ raw: 0, minutes: 0 });
  });

  it('the sweep works through more rows than one batch', async () => {
    const now = T0 + 10 * 86_400_000;
    for (let batch = 0; batch < 12; batch++) {
      const p = new Params();
      const rows = Array.from({ length: 1000 }, (_, i) => {
        const n = batch * 1000 + i;
        return `('gw', 'w', 'el-1', ${p.add(`bulk-${n}`)}, ${p.add(at(T0 + n * 1000))}, 70)`;
      });
      await db.run(
        `INSERT INTO vitals (gateway_id, device_id, elder_id, id, ts, hr) VALUES ${rows.join(', ')}`,
        p.values,
      );
    }
    expect((await history.prune(now)).raw).toBe(12_000);
    expect(await count(db, 'vitals')).toBe(0);
  });

  it('a limit counts minutes, never cutting one minute in half', async () => {
    for (let m = 0; m < 5; m++)
      await history.record('gw', 'w', 'el-1', reading(T0 + m * 60_000, { hr: 70, spo2: 95 }));
    const points = await history.minutes('el-1', at(T0), at(T0 + 3600_000), 2);
    expect(points.map((p) => p.ts)).toEqual(['2026-11-20T08:00:00.000Z', '2026-11-20T08:01:00.000Z']);
    expect(points.every((p) => p.mean.hr === 70 && p.mean.spo2 === 95)).toBe(true);
  });

  it('for any readings, each minute point agrees with the readings stored for that minute', async () => {
    const vital = fc.option(fc.integer({ min: 0, max: 250 }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ offsetS: fc.integer({ min: 0, max: 600 }), hr: vital, spo2: vital, temp: vital }),
          { maxLength: 40 },
        ),
        async (rows) => {
          await db.exec('DELETE FROM vitals; DELETE FROM vitals_minute;');
          for (const { offsetS, ...v } of rows) {
            const values = Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined));
            await history.record('gw', 'w', 'el-p', reading(T0 + offsetS * 1000, values));
          }
          const raw = await history.raw('el-p', at(T0), at(T0 + 3600_000), 1000);
          for (const point of await history.minutes('el-p', at(T0), at(T0 + 3600_000), 1000)) {
            const inMinute = raw.filter((r) => String(r.ts).slice(0, 16) === point.ts.slice(0, 16));
            for (const k of VITALS) {
              const values = inMinute.map((r) => r[k]).filter((x): x is number => typeof x === 'number');
              if (values.length === 0) {
                expect(point.mean[k]).toBeUndefined();
                continue;
              }
              expect(point.min[k]).toBe(Math.min(...values));
              expect(point.max[k]).toBe(Math.max(...values));
              const mean = values.reduce((a, b) => a + b, 0) / values.length;
              expect(point.mean[k]).toBeCloseTo(mean, 1);
            }
          }
        },
      ),
      // Fewer on PostgreSQL, where each reading is a round trip.
      { numRuns: engine.name === 'SQLite' ? 200 : 40 },
    );
  });
});

describe.each(ENGINES)('the vitals aggregate migration, on $name', (engine) => {
  it('a store from before aggregates gets them computed from the readings it already holds', async () => {
    const before = MIGRATIONS.findIndex((sql) => sql.includes('CREATE TABLE vitals_minute'));
    expect(before).toBeGreaterThan(0);
    const old = await engine.open(MIGRATIONS.slice(0, before));
    const insert =
      'INSERT INTO vitals (gateway_id, device_id, elder_id, id, ts, hr, spo2) VALUES ($1, $2, $3, $4, $5, $6, $7)';
    await old.run(insert, ['gw', 'w', 'el-1', 'a', at(T0 + 1000), 70, null]);
    await old.run(insert, ['gw', 'w', 'el-1', 'b', at(T0 + 2000), 90, 96]);
    await old.run(insert, ['gw', 'w', null, 'c', at(T0 + 3000), 200, null]);
    await old.close();

    const db = await engine.reopen(old);
    const points = await new VitalsHistory(db).minutes('el-1', at(T0), at(T0 + 60_000), 10);
    expect(points).toEqual([
      {
        ts: at(T0),
        n: 2,
        mean: { hr: 80, spo2: 96 },
        min: { hr: 70, spo2: 96 },
        max: { hr: 90, spo2: 96 },
      },
    ]);
  });
});
