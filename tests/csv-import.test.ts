import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSystem } from './support/system.ts';

const post = (sys: TestSystem, token: string, csv: string) =>
  fetch(`${sys.http}/api/import/households`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    body: csv,
  });

describe('CSV import of households and elders', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await TestSystem.start();
  });
  afterAll(async () => {
    await sys.stop();
  });

  it('one bad row imports nothing, and the report says per row what was refused and why', async () => {
    const admin = await sys.login('admin');
    const csv = [
      'householdId,region,address,elderId,elderName,livesAlone',
      'hh-csv-1,ziyang.anyue.zhouli,"周礼镇1号, 2单元",el-csv-1,王秀英,是',
      'hh-csv-1,ziyang.anyue.zhouli,"周礼镇1号, 2单元",el-csv-2,李建国,否',
      'hh-csv-2,ziyang.anyue,周礼镇2号,el-0001,赵明,maybe',
    ].join('\n');
    const res = await post(sys, admin, csv);
    expect(res.status).toBe(422);
    const report = (await res.json()) as { imported: boolean; rows: { line: number; errors: string[] }[] };
    expect(report.imported).toBe(false);
    expect(report.rows.map((r) => [r.line, r.errors.length])).toEqual([
      [2, 0],
      [3, 0],
      [4, 3],
    ]);
    expect(report.rows[2]?.errors).toEqual([
      'region: ziyang.anyue is not a community',
      'livesAlone: yes or no',
      'elderId: el-0001 exists already',
    ]);
    expect((await sys.api(admin, 'GET', '/api/elders/el-csv-1')).status).toBe(404);
  });

  it('a clean file imports every household and elder at once', async () => {
    const admin = await sys.login('admin');
    const csv =
      'householdId,region,address,elderId,elderName,livesAlone\r\nhh-csv-3,ziyang.anyue.shiyang,石羊镇3号,el-csv-3,陈淑珍,yes\r\n';
    const res = await post(sys, admin, csv);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ imported: true, households: 1, elders: 1 });
    const { body } = await sys.api<{ name: string; profile: { livesAlone: boolean } }>(
      admin,
      'GET',
      '/api/elders/el-csv-3',
    );
    expect(body).toMatchObject({ name: '陈淑珍', profile: { livesAlone: true } });
  });

  it('a malformed file is a 400 naming the line; operators may not import', async () => {
    const admin = await sys.login('admin');
    const bad = await post(sys, admin, 'householdId,region\n"unclosed,x\n');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/^line 2: /);
    const operator = await sys.login('op-shiyang');
    expect((await post(sys, operator, 'a\n1\n')).status).toBe(403);
  });
});
