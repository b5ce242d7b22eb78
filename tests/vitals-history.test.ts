import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, TestSystem, world } from './support/system.ts';

interface MinutePoint {
  ts: string;
  n: number;
  mean: Record<string, number>;
  min: Record<string, number>;
  max: Record<string, number>;
}

describe('an elder’s vitals history through the cloud’s API', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await TestSystem.start();
  });
  afterAll(async () => {
    await sys.stop();
  });

  it('readings from the wearable are answered as they came and as one point per minute', async () => {
    const gateway = world.gateways.find((g) => g.devices.some((d) => d.kind === 'ble-vitals' && d.elderId));
    const band = gateway?.devices.find((d) => d.kind === 'ble-vitals' && d.elderId);
    if (!gateway || !band?.elderId) throw new Error('the demo world has no wearable with an elder');
    const home = await sys.home(gateway.id);
    const since = new Date(Date.now() - 60_000).toISOString();
    for (const hr of [70, 74, 90]) await home.vitals({ hr, spo2: 96 }, band.id);

    const token = await sys.login('admin');
    const path = `/api/elders/${band.elderId}/vitals?since=${since}`;
    const raw = await eventually(async () => {
      const { body } = await sys.api<{ hr?: number }[]>(token, 'GET', path);
      return body.length >= 3 && body;
    }, 3000);
    expect(raw.map((p) => p.hr)).toEqual([70, 74, 90]);

    const { status, body } = await sys.api<MinutePoint[]>(token, 'GET', `${path}&resolution=minute`);
    expect(status).toBe(200);
    expect(body.reduce((n, p) => n + p.n, 0)).toBe(3);
    expect(Math.min(...body.map((p) => p.min.hr ?? Infinity))).toBe(70);
    expect(Math.max(...body.map((p) => p.max.hr ?? -Infinity))).toBe(90);
    expect(body.every((p) => p.mean.spo2 === 96)).toBe(true);
  });

  it('a period that ends before it starts is refused with a clear error', async () => {
    const token = await sys.login('admin');
    const { status, body } = await sys.api<{ code: string; message: string }>(
      token,
      'GET',
      '/api/elders/el-0001/vitals?since=2026-11-20T10:00:00.000Z&until=2026-11-20T09:00:00.000Z',
    );
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'ERR_BAD_PERIOD', message: expect.stringContaining('until') });
  });
});
