import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../tests/support/process.ts';
import { eventually } from '../../tests/support/system.ts';
import { createCloudMetrics } from '../metrics.ts';
import { InfluxSink, vitalsLine } from './influx-sink.ts';
import { Spool } from './spool.ts';

const subject = { gatewayId: 'gw-0001', deviceId: 'gw-0001-vitals1', elderId: 'el-0001', region: 'ziyang.a' };
const reading = (i: number) => ({
  id: `reading-${i}-x`,
  ts: new Date(1_795_000_000_000 + i).toISOString(),
  hr: 60,
});

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A local HTTP server answering every request with `answer` (which may never answer). */
async function server(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const s: Server = createServer(answer);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    s.closeAllConnections();
    return new Promise<void>((resolve) => s.close(() => resolve()));
  });
  const address = s.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

function sink(url: string, spoolMaxPoints = 10_000) {
  const dir = mkdtempSync(join(tmpdir(), 'influx-sink-'));
  const metrics = createCloudMetrics(new Registry()).influx;
  const spoolPath = join(dir, 'influx-spool.db');
  const s = new InfluxSink(
    { url, org: 'eldercare', bucket: 'vitals', spoolPath, spoolMaxPoints, flushIntervalMs: 20 },
    metrics,
    pino({ level: 'silent' }),
  );
  s.start();
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => s.close());
  return { sink: s, metrics, spoolPath };
}

const count = async (c: { get(): Promise<{ values: { value: number }[] }> }) =>
  (await c.get()).values.reduce((n, v) => n + v.value, 0);

describe('the InfluxDB sink', () => {
  it('a reading becomes one line: measurement vitals, id tags, a float field per vital, time in ms', () => {
    expect(
      vitalsLine(subject, { id: 'r-00000001', ts: '2026-11-22T09:15:02.123Z', hr: 72, temp: 36.6 }),
    ).toBe(
      'vitals,device=gw-0001-vitals1,elder=el-0001,gateway=gw-0001,region=ziyang.a hr=72,temp=36.6 1795338902123',
    );
    // A device with no elder has no elder tag; a message with no vital is no point at all.
    expect(vitalsLine({ ...subject, elderId: '' }, reading(1))).not.toContain('elder=');
    expect(vitalsLine(subject, { id: 'r-00000002', ts: '2026-11-22T09:15:02.123Z' })).toBeUndefined();
  });

  it('a database that never answers holds up no write: the points reach the spool when the request times out', async () => {
    const url = await server(() => {});
    const dir = mkdtempSync(join(tmpdir(), 'influx-slow-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const metrics = createCloudMetrics(new Registry()).influx;
    const slow = new InfluxSink(
      {
        url,
        org: 'o',
        bucket: 'b',
        spoolPath: join(dir, 'spool.db'),
        spoolMaxPoints: 10_000,
        flushIntervalMs: 20,
        timeoutMs: 300,
        retryMinMs: 60_000,
      },
      metrics,
      pino({ level: 'silent' }),
    );
    cleanups.push(() => slow.close());
    const started = performance.now();
    for (let i = 0; i < 2000; i++) slow.write(subject, reading(i));
    expect(performance.now() - started).toBeLessThan(500);
    await eventually(async () => (await count(metrics.spooled)) === 2000, 5000, 'all points spooled');
    expect(await count(metrics.written)).toBe(0);
  });

  it('points the database refuses as invalid are counted and dropped, not retried forever', async () => {
    const url = await server((_req, res) => {
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end('{"code":"invalid","message":"bad line"}');
    });
    const { sink: s, metrics, spoolPath } = sink(url);
    for (let i = 0; i < 3; i++) s.write(subject, reading(i));
    await eventually(async () => (await count(metrics.rejected)) === 3, 3000, 'three rejected points');
    expect(await count(metrics.spooled)).toBe(0);
    await s.close();
    const spool = new Spool(spoolPath, 10);
    expect(spool.size).toBe(0);
    spool.close();
  });

  it('while the database is down the spool keeps the newest points up to its limit and counts the oldest it sheds', async () => {
    const { sink: s, metrics, spoolPath } = sink(`http://127.0.0.1:${await freePort()}`, 100);
    for (let i = 0; i < 150; i++) s.write(subject, reading(i));
    await eventually(async () => (await count(metrics.spooled)) === 150, 3000, 'all points spooled');
    expect(await count(metrics.shed)).toBe(50);
    expect(await count(metrics.spoolSize)).toBe(100);
    await s.close();
    const spool = new Spool(spoolPath, 100);
    expect(spool.peek(1)?.lines).toEqual([vitalsLine(subject, reading(50))]);
    spool.close();
  });

  it('points accepted by the database are counted as written and never spooled', async () => {
    const bodies: string[] = [];
    const url = await server((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
      });
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(204).end();
      });
    });
    const { sink: s, metrics } = sink(url);
    for (let i = 0; i < 5; i++) s.write(subject, reading(i));
    await eventually(async () => (await count(metrics.written)) === 5, 3000, 'five points written');
    expect(bodies.join('\n').split('\n')).toEqual(
      [0, 1, 2, 3, 4].map((i) => vitalsLine(subject, reading(i))),
    );
    expect(await count(metrics.spooled)).toBe(0);
  });
});
