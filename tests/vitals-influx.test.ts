import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedHome } from '../device-sims/mqtt-home.ts';
import { topics } from '../protocol/index.ts';
import { type ExportedSeries, startVictoriaMetrics, type VictoriaMetrics } from './support/services.ts';
import { eventually, TestSystem, tempDir, world } from './support/system.ts';

interface Reading {
  id: string;
  ts: string;
  hr: number;
  spo2: number;
  temp: number;
}

/** A wearable with an elder, with where it is: one per test, so each test reads back only its own series. */
function wearable(gatewayId: string) {
  const gateway = world.gateways.find((g) => g.id === gatewayId);
  const band = gateway?.devices.find((d) => d.kind === 'ble-vitals' && d.elderId);
  const household = world.households.find((h) => h.id === (gateway as { householdId?: string }).householdId);
  if (!band?.elderId || !household) throw new Error(`${gatewayId} has no wearable with an elder`);
  return { gatewayId, deviceId: band.id, elderId: band.elderId, region: household.region };
}

/** `n` normal readings one second apart, ending a minute ago (distinct timestamps, no vital-sign alerts). */
function readings(tag: string, n: number): Reading[] {
  const start = Date.now() - 60_000 - n * 1000;
  return Array.from({ length: n }, (_, i) => ({
    id: `${tag}-${i}-${Date.now()}`,
    ts: new Date(start + i * 1000).toISOString(),
    hr: 60 + i,
    spo2: 95 + (i % 4),
    temp: 36.5 + i / 10,
  }));
}

async function publish(home: SimulatedHome, deviceId: string, all: Reading[]): Promise<void> {
  for (const r of all)
    await home.client.publishAsync(topics.deviceVitals(home.gateway.id, deviceId), JSON.stringify(r), {
      qos: 1,
    });
}

async function metric(sys: TestSystem, name: string): Promise<number> {
  const text = await (await fetch(`${sys.http}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : Number.NaN;
}

/** Lines waiting in the spool file on disk (read-only, beside the running cloud). */
function spooledOnDisk(dataDir: string): number {
  const db = new DatabaseSync(join(dataDir, 'influx-spool.db'), { readOnly: true });
  try {
    return Number(db.prepare('SELECT count(*) AS n FROM spool').get()?.n);
  } finally {
    db.close();
  }
}

describe('every vitals reading is also written to an InfluxDB v2 write API (Debian’s victoria-metrics)', () => {
  let vm: VictoriaMetrics;
  let sys: TestSystem | null = null;
  const influxEnv = () => ({ INFLUX_URL: vm.url, INFLUX_TOKEN: 'test-token', INFLUX_BUCKET: 'vitals' });
  const series = (gatewayId: string): Promise<ExportedSeries[]> =>
    vm.exportSeries(`{__name__=~"vitals_.*",gateway="${gatewayId}"}`);
  /** Waits until the vital `name` of `gatewayId` holds `count` samples, then returns every series. */
  const arrived = (gatewayId: string, count: number, timeoutMs = 15_000) =>
    eventually(
      async () => {
        const all = await series(gatewayId);
        const hr = all.find((s) => s.metric.__name__ === 'vitals_hr');
        return (hr?.timestamps.length ?? 0) >= count && all;
      },
      timeoutMs,
      `${count} points of ${gatewayId} in victoria-metrics`,
    );

  beforeAll(async () => {
    vm = await startVictoriaMetrics();
  }, 600_000);
  afterEach(async () => {
    await sys?.stop();
    sys = null;
    if (!vm.service.running) await vm.service.restart();
  });
  afterAll(async () => {
    await vm?.service.dispose();
  });

  it('readings published by a home are read back with their values, id-only tags and millisecond timestamps', async () => {
    sys = await TestSystem.start(undefined, {}, influxEnv());
    const band = wearable('gw-0001');
    const sent = readings('live', 3);
    await publish(await sys.home(band.gatewayId), band.deviceId, sent);

    const all = await arrived(band.gatewayId, 3);
    const byName = new Map(all.map((s) => [s.metric.__name__, s]));
    expect([...byName.keys()].sort()).toEqual(['vitals_hr', 'vitals_spo2', 'vitals_temp']);
    for (const s of all)
      expect(s.metric).toEqual({
        __name__: s.metric.__name__,
        elder: band.elderId,
        gateway: band.gatewayId,
        device: band.deviceId,
        region: band.region,
      });
    expect(byName.get('vitals_hr')?.timestamps).toEqual(sent.map((r) => Date.parse(r.ts)));
    expect(byName.get('vitals_hr')?.values).toEqual(sent.map((r) => r.hr));
    expect(byName.get('vitals_spo2')?.values).toEqual(sent.map((r) => r.spo2));
    expect(byName.get('vitals_temp')?.values).toEqual(sent.map((r) => r.temp));
    expect(await metric(sys, 'influx_points_written_total')).toBe(3);
    expect(await metric(sys, 'influx_points_spooled_total')).toBe(0);
  });

  it('while the database is down readings wait on disk and ingest and alerts go on; when it is back every one arrives, none twice', async () => {
    sys = await TestSystem.start(undefined, {}, influxEnv());
    const band = wearable('gw-0002');
    const home = await sys.home(band.gatewayId);
    await vm.service.stop();

    const sent = readings('outage', 5);
    await publish(home, band.deviceId, sent);
    const running = sys;
    await eventually(() => spooledOnDisk(running.dataDir) === 5, 10_000, 'five points in the spool file');
    expect(await metric(sys, 'influx_spool_points')).toBe(5);
    expect(await metric(sys, 'influx_write_errors_total{kind="unavailable"}')).toBeGreaterThanOrEqual(1);

    // The cloud's own store answers the dashboard all the same, and an SOS still raises an alert.
    const token = await sys.login('admin');
    const stored = await sys.api<unknown[]>(
      token,
      'GET',
      `/api/elders/${band.elderId}/vitals?since=${sent[0]?.ts}`,
    );
    expect(stored.body).toHaveLength(5);
    const dispatcher = await sys.dispatcher('admin');
    const eventId = await home.event('sos');
    await eventually(() => dispatcher.raised.some((a) => a.eventId === eventId), 3000, 'alert:raised');

    await vm.service.restart();
    const all = await arrived(band.gatewayId, 5, 20_000);
    await eventually(async () => (await metric(running, 'influx_spool_points')) === 0, 5000, 'empty spool');
    // Leave time for a point sent twice to show up before counting.
    await new Promise((r) => setTimeout(r, 1500));
    const hr = (await series(band.gatewayId)).find((s) => s.metric.__name__ === 'vitals_hr');
    expect(hr?.timestamps).toEqual(sent.map((r) => Date.parse(r.ts)));
    expect(hr?.values).toEqual(sent.map((r) => r.hr));
    expect(all).toHaveLength(3);
    expect(await metric(sys, 'influx_points_written_total')).toBe(5);
    expect(spooledOnDisk(sys.dataDir)).toBe(0);
  });

  it('points still in the spool when the cloud stops are replayed by its next start', async () => {
    const dataDir = await tempDir();
    let first: TestSystem | null = null;
    try {
      first = await TestSystem.start(dataDir, {}, influxEnv());
      const band = wearable('gw-0003');
      await vm.service.stop();
      await publish(await first.home(band.gatewayId), band.deviceId, readings('restart', 4));
      const token = await first.login('admin');
      const stopping = first;
      await eventually(
        async () =>
          (await stopping.api<unknown[]>(token, 'GET', `/api/elders/${band.elderId}/vitals`)).body.length ===
          4,
        5000,
        'four readings stored',
      );
      // Stopping flushes what the client still buffered: to the spool, since the database is down.
      await first.stopSystem();
      first = null;
      expect(spooledOnDisk(dataDir)).toBe(4);

      await vm.service.restart();
      sys = await TestSystem.start(dataDir, {}, influxEnv());
      const hr = (await arrived(band.gatewayId, 4)).find((s) => s.metric.__name__ === 'vitals_hr');
      expect(hr?.values).toEqual([60, 61, 62, 63]);
      await eventually(() => spooledOnDisk(dataDir) === 0, 5000, 'an empty spool');
      expect(await metric(sys, 'influx_points_written_total')).toBe(4);
    } finally {
      await first?.stopSystem();
      await sys?.stopSystem();
      sys = null;
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
