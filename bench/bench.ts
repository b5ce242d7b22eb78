import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Socket } from 'socket.io-client';
import { migrate } from '../cloud/db/migrate.ts';
import { openSqlite } from '../cloud/db/open.ts';
import type { Sql } from '../cloud/db/sql.ts';
import { nearestRank } from '../cloud/domain/nearest-rank.ts';
import { readDemoWorld } from '../cloud/seed.ts';
import { timestamp, topics } from '../protocol/index.ts';
import { type ThroughputResult, throughputLadder } from './broker-load.ts';
import { type ConnectRun, type ConnectStep, connectRamp, connectStep } from './connect-ramp.ts';
import { Fleet } from './fleet.ts';
import {
  DEMO_WORLD,
  ensureDemoWorld,
  eventDeviceOf,
  gatewayIdOf,
  newPopulationKey,
  type Population,
  provision,
  secretOf,
} from './population.ts';
import { cpuSeconds, endRun, quietBefore, type RunConditions, rssBytes, runConditions } from './processes.ts';
import { benchMarkdown, writeCharts } from './report.ts';
import { CountingSubscriber } from './subscriber.ts';
import {
  type OursSetup,
  openDispatcher,
  openTap,
  startBrokerTarget,
  startMosquittoTarget,
  startSystemTarget,
  type Target,
} from './targets.ts';
import { WireClient } from './wire.ts';

export const BENCH_MEASUREMENTS = ['latency', 'sustained', 'sos-storm', 'connect'] as const;
export type BenchMeasurement = (typeof BENCH_MEASUREMENTS)[number];

export interface LoadPoint {
  gateways: number;
  vitalsPerS: number;
}

export interface BenchOptions {
  only: BenchMeasurement[];
  quick: boolean;
  /** Load points of the latency ramp, in rising gateways (connected in steps on one broker). */
  points: LoadPoint[];
  probesPerPoint: number;
  probeIntervalMs: number;
  /** Gateways connected while the sustained rates are stepped up, and the steps (msg/s). */
  sustainedGateways: number;
  brokerRates: number[];
  cloudRates: number[];
  stepSeconds: number;
  stormSos: number;
  stormSpreadMs: number;
  workers: number;
  /** Pause after connects and between steps, for the processes to settle (ms). */
  settleMs: number;
  /** Write a CPU profile of each of our processes under test into this directory. */
  profileDir?: string;
}

export const FULL_BENCH: BenchOptions = {
  // `connect` is the ramp of `latency` without its load: run it alone (`--only connect`).
  only: ['latency', 'sustained', 'sos-storm'],
  quick: false,
  // The three diagonal points, plus the point the latency target is stated at.
  points: [
    { gateways: 2000, vitalsPerS: 1000 },
    { gateways: 10_000, vitalsPerS: 2000 },
    { gateways: 10_000, vitalsPerS: 5000 },
    { gateways: 19_000, vitalsPerS: 20_000 },
  ],
  probesPerPoint: 100,
  probeIntervalMs: 50,
  sustainedGateways: 2000,
  brokerRates: [5000, 10_000, 15_000, 20_000, 25_000, 30_000, 40_000, 50_000],
  cloudRates: [500, 1000, 2000, 3000, 4000, 6000, 8000],
  stepSeconds: 5,
  stormSos: 10_000,
  stormSpreadMs: 1000,
  workers: 4,
  settleMs: 1000,
};

export const QUICK_BENCH: BenchOptions = {
  ...FULL_BENCH,
  quick: true,
  points: [
    { gateways: 150, vitalsPerS: 200 },
    { gateways: 300, vitalsPerS: 500 },
  ],
  probesPerPoint: 20,
  probeIntervalMs: 40,
  sustainedGateways: 200,
  brokerRates: [1000, 2000],
  cloudRates: [200, 400],
  stepSeconds: 1,
  stormSos: 300,
  stormSpreadMs: 1000,
  workers: 2,
  settleMs: 250,
};

export interface Percentiles {
  /** Probes sent, and those that never arrived within the wait. */
  sent: number;
  received: number;
  lost: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface LatencyPoint extends LoadPoint {
  /** The connect storm that brought the broker from the previous point's gateways to this one. */
  connect: ConnectStep['connect'];
  rssMiB: number;
  /** (RSS at this point − RSS before any gateway) / gateways. */
  rssPerGatewayKiB: number;
  vitalsSent: number;
  /** Ours: readings of this point stored (waiting up to 3 min), and by when (ms after the vitals stopped). */
  vitalsStored?: number;
  vitalsStoredAfterMs?: number;
  /** Publish → a raw MQTT subscriber on the same broker. */
  broker: Percentiles;
  /** Publish → the dispatcher's Socket.IO `alert:raised` (ours only). */
  endToEnd?: Percentiles;
}

export interface LatencyRun {
  target: Target['name'];
  topology: string;
  idleRssMiB: number;
  points: LatencyPoint[];
}

export interface StormRun {
  target: Target['name'];
  sos: number;
  published: number;
  acked: number;
  publishMs: number;
  /** Until every SOS reached the raw subscriber. */
  onSubscriberMs: number | null;
  /** Ours: until every alert is a row in the store, and until every one was on the dispatcher socket. */
  storedMs?: number | null;
  onDashboardMs?: number | null;
  stored?: number;
  onDashboard?: number;
  lost: number;
  /**
   * Delivered to the subscriber more than once. Ours: the broker's journal resends an event to the cloud's
   * account until the cloud acknowledges its commit (at least once, by design; the cloud dedupes by id).
   */
  duplicated: number;
  /** Ours: `alert:raised` more than once for one SOS (must be 0). */
  duplicatedOnDashboard?: number;
}

export interface CloudStep {
  offeredPerS: number;
  sent: number;
  storedInWindow: number;
  storedLate: number;
  /** Sent but never stored (QoS 0 dropped somewhere). */
  lost: number;
  storedPerS: number;
  cpuPct: number;
  keptUp: boolean;
}

export interface CloudSustained {
  topology: string;
  gateways: number;
  steps: CloudStep[];
  sustainedPerS: number;
  limit: ThroughputResult['limit'] | 'store-fell-behind';
}

export interface BenchReport extends RunConditions {
  kind: 'eldercare-bench';
  options: BenchOptions;
  targets: Record<string, number | string>;
  results: {
    /** `ours`: npm start (broker + cloud); `oursBroker`: npm run broker alone. */
    latency?: { ours: LatencyRun; oursBroker: LatencyRun; mosquitto: LatencyRun };
    sustained?: {
      oursBroker: ThroughputResult & { topology: string };
      mosquitto: ThroughputResult & { topology: string };
      oursCloud: CloudSustained;
    };
    sosStorm?: { ours: StormRun; oursBroker: StormRun; mosquitto: StormRun };
    /** `--only connect`: the connect ramp alone, our broker process beside Mosquitto. */
    connect?: { oursBroker: ConnectRun; mosquitto: ConnectRun };
  };
}

/** The figures the issue sets, reported against (never asserted). */
export const TARGETS = {
  alertP99Ms: 10,
  alertP99At: { gateways: 10_000, vitalsPerS: 2000 },
  vitalsPerBrokerPerS: 20_000,
  stormOnDashboardMs: 5000,
};

const log = (line: string) => console.error(`[bench] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MiB = 2 ** 20;
const round2 = (v: number) => Math.round(v * 100) / 100;

export function percentiles(samples: number[], sent: number): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => round2(nearestRank(sorted, q) ?? 0);
  return {
    sent,
    received: sorted.length,
    lost: sent - sorted.length,
    p50Ms: at(0.5),
    p95Ms: at(0.95),
    p99Ms: at(0.99),
    maxMs: round2(sorted.at(-1) ?? 0),
  };
}

/** The demo world's city-wide supervisor: the bench's gateways lie in one of its communities. */
async function dispatcherLogin(): Promise<{ username: string; password: string }> {
  const user = (await readDemoWorld(DEMO_WORLD)).users.find((u) => u.username === 'sup-city');
  if (!user) throw new Error('the demo world has no sup-city');
  return { username: user.username, password: user.password };
}

/** What a run shares across its targets: the population, the probe gateways, the store. */
interface Context {
  options: BenchOptions;
  population: Population;
  /** Gateways the fleet plays: indices [0, fleetSize); probes come after. */
  fleetSize: number;
  probeCount: number;
  ours: OursSetup;
}

const sosPayload = (id: string) => Buffer.from(JSON.stringify({ id, ts: timestamp(), type: 'sos' }));
const idOfPayload = (payload: Buffer): string | null => {
  try {
    return String((JSON.parse(payload.toString()) as { id?: unknown }).id ?? '') || null;
  } catch {
    return null;
  }
};

/** Waits until `done()` or `quietMs` pass with `progress()` unchanged, or `maxMs` in all. */
async function until(done: () => boolean, progress: () => number, quietMs: number, maxMs: number) {
  const deadline = performance.now() + maxMs;
  let last = progress();
  let changed = performance.now();
  while (!done() && performance.now() < deadline && performance.now() - changed < quietMs) {
    await sleep(20);
    const now = progress();
    if (now !== last) {
      last = now;
      changed = performance.now();
    }
  }
}

/**
 * One broker, gateways connected in steps to each load point; at each, background vitals at the point's
 * rate while probe gateways (outside the fleet, each used once: one SOS alert per elder while open) press
 * SOS one after another; their arrival is timed at a raw subscriber and, on ours, at a dispatcher socket.
 * Then, on the same broker, the SOS storm.
 */
async function rampAndStorm(
  ctx: Context,
  target: Target,
  measure: { latency: boolean; storm: boolean },
): Promise<{ latency?: LatencyRun; storm?: StormRun }> {
  const { options, population } = ctx;
  const sentAt = new Map<string, number>();
  const brokerAt = new Map<string, number>();
  const dashboardAt = new Map<string, number>();
  let dashboardDuplicates = 0;
  let brokerDuplicates = 0;
  const eventFilter = topics.cloudIngest.find((t) => t.endsWith('/event')) as string;
  const tap = await openTap(target, [eventFilter], (_t, p, at) => {
    const id = idOfPayload(p);
    if (!id) return;
    if (brokerAt.has(id)) brokerDuplicates++;
    else brokerAt.set(id, at);
  });
  let dispatcher: Socket | null = null;
  if (target.httpUrl) {
    const user = await dispatcherLogin();
    dispatcher = await openDispatcher(target.httpUrl, user, (alert, at) => {
      if (dashboardAt.has(alert.eventId)) dashboardDuplicates++;
      else dashboardAt.set(alert.eventId, at);
    });
  }
  const storeDb: Sql | null = target.storePath ? openSqlite(target.storePath) : null;
  const probes: { gw: string; client: WireClient }[] = [];
  const fleet = await Fleet.start({
    population,
    ports: [target.port],
    workers: options.workers,
  });
  try {
    if (measure.latency)
      for (let i = 0; i < ctx.probeCount; i++) {
        const gw = gatewayIdOf(population, ctx.fleetSize + i);
        probes.push({
          gw,
          client: await WireClient.open({
            host: '127.0.0.1',
            port: target.port,
            clientId: gw,
            username: gw,
            password: secretOf(population, gw),
            keepalive: 60,
          }),
        });
      }
    const pinger = setInterval(() => {
      for (const p of probes) p.client.ping();
    }, 20_000);
    await sleep(options.settleMs);
    const idle = rssBytes(target.pid);
    const points: LatencyPoint[] = [];
    // The storm runs as soon as enough gateways are connected (before the heaviest vitals point, whose
    // backlog in our store would otherwise still be draining).
    let storm: StormRun | null = null;
    const runStorm = async () => {
      await sleep(options.settleMs * 2);
      const dashboardBefore = dashboardDuplicates;
      const brokerBefore = brokerDuplicates;
      const run = await sosStorm(ctx, target, fleet, {
        brokerAt,
        dashboardAt,
        dispatcher: dispatcher !== null,
      });
      return {
        ...run,
        duplicated: brokerDuplicates - brokerBefore,
        ...(dispatcher ? { duplicatedOnDashboard: dashboardDuplicates - dashboardBefore } : {}),
      };
    };
    let connected = 0;
    let nextProbe = 0;
    for (const point of measure.latency ? options.points : []) {
      const step = await connectStep(fleet, target.pid, point.gateways, idle, options.settleMs);
      log(
        `${target.name}: ${point.gateways} gateways (+${step.connect.added} at ${step.connect.perSecond}/s, ${step.connect.failed} failed)`,
      );
      connected = point.gateways;
      const tag = `lat${Date.now().toString(36)}`;
      const seconds = Math.max(
        1,
        Math.ceil((options.probesPerPoint * options.probeIntervalMs + options.settleMs * 2) / 1000),
      );
      const publishing = fleet.publish(point.vitalsPerS, seconds, target.storePath ? tag : undefined);
      await sleep(options.settleMs * 0.7);
      const ids: string[] = [];
      for (let k = 0; k < options.probesPerPoint; k++) {
        const probe = probes[nextProbe++ % probes.length] as { gw: string; client: WireClient };
        const id = `${tag}-p${k}`;
        ids.push(id);
        sentAt.set(id, performance.now());
        probe.client.publish(topics.deviceEvent(probe.gw, eventDeviceOf(probe.gw)), sosPayload(id), 1);
        await sleep(options.probeIntervalMs);
      }
      const sent = await publishing;
      const vitalsEnded = performance.now();
      const arrived = (m: Map<string, number>) => ids.filter((id) => m.has(id)).length;
      await until(
        () => arrived(brokerAt) === ids.length && (!dispatcher || arrived(dashboardAt) === ids.length),
        () => arrived(brokerAt) + arrived(dashboardAt),
        10_000,
        60_000,
      );
      // Ours stores every reading: let the cloud catch up before the next point, and say how long it took.
      const drain = storeDb
        ? await drained(storeDb, tag, sent.sent, options.quick ? 10_000 : 180_000, vitalsEnded)
        : undefined;
      const delays = (m: Map<string, number>) =>
        ids.filter((id) => m.has(id)).map((id) => (m.get(id) as number) - (sentAt.get(id) as number));
      const result: LatencyPoint = {
        ...point,
        connect: step.connect,
        rssMiB: step.rssMiB,
        rssPerGatewayKiB: step.rssPerGatewayKiB,
        vitalsSent: sent.sent,
        ...(drain ? { vitalsStored: drain.stored, vitalsStoredAfterMs: drain.ms } : {}),
        broker: percentiles(delays(brokerAt), ids.length),
        ...(dispatcher ? { endToEnd: percentiles(delays(dashboardAt), ids.length) } : {}),
      };
      log(
        `${target.name}: ${point.gateways} gw, ${point.vitalsPerS}/s: broker p99 ${result.broker.p99Ms} ms` +
          (result.endToEnd ? `, end to end p99 ${result.endToEnd.p99Ms} ms` : ''),
      );
      points.push(result);
      if (measure.storm && storm === null && connected >= options.stormSos) storm = await runStorm();
    }
    clearInterval(pinger);
    const out: { latency?: LatencyRun; storm?: StormRun } = {};
    if (measure.latency)
      out.latency = {
        target: target.name,
        topology: target.topology,
        idleRssMiB: Math.round(idle / MiB),
        points,
      };
    if (storm) out.storm = storm;
    else if (measure.storm) {
      if (connected < options.stormSos) await fleet.connect(options.stormSos);
      out.storm = await runStorm();
    }
    return out;
  } finally {
    for (const p of probes) p.client.destroy();
    tap.destroy();
    dispatcher?.close();
    await storeDb?.close();
    await fleet.close();
  }
}

async function sosStorm(
  ctx: Context,
  target: Target,
  fleet: Fleet,
  seen: { brokerAt: Map<string, number>; dashboardAt: Map<string, number>; dispatcher: boolean },
): Promise<StormRun> {
  const { options } = ctx;
  const tag = `storm${Date.now().toString(36)}`;
  const ids = Array.from({ length: options.stormSos }, (_, i) => `${tag}-${i}`);
  const count = (m: Map<string, number>) => ids.filter((id) => m.has(id)).length;
  const sql: Sql | null = target.storePath ? openSqlite(target.storePath) : null;
  let stored = 0;
  let storedAt: number | null = null;
  const t0 = performance.now();
  const published = fleet.sos(options.stormSos, options.stormSpreadMs, tag);
  const polling = (async () => {
    if (!sql) return;
    let last = -1;
    let changed = performance.now();
    while (stored < ids.length && performance.now() - changed < 20_000) {
      await sleep(100);
      const row = await sql.get<{ n: number }>('SELECT count(*) AS n FROM alerts WHERE event_id LIKE $1', [
        `${tag}-%`,
      ]);
      stored = Number(row?.n ?? 0);
      if (stored !== last) {
        last = stored;
        changed = performance.now();
        storedAt = changed;
      }
    }
  })();
  const report = await published;
  await until(
    () => count(seen.brokerAt) === ids.length && (!seen.dispatcher || count(seen.dashboardAt) === ids.length),
    () => count(seen.brokerAt) + count(seen.dashboardAt),
    20_000,
    180_000,
  );
  await polling;
  await sql?.close();
  const lastOf = (m: Map<string, number>) =>
    count(m) === ids.length ? Math.round(Math.max(...ids.map((id) => m.get(id) as number)) - t0) : null;
  const onSubscriber = count(seen.brokerAt);
  const onDashboard = count(seen.dashboardAt);
  const run: StormRun = {
    target: target.name,
    sos: options.stormSos,
    published: report.published,
    acked: report.acked,
    publishMs: report.ms,
    onSubscriberMs: lastOf(seen.brokerAt),
    lost: ids.length - (seen.dispatcher ? Math.min(onDashboard, stored) : onSubscriber),
    duplicated: 0,
  };
  if (seen.dispatcher) {
    run.storedMs = stored === ids.length && storedAt !== null ? Math.round(storedAt - t0) : null;
    run.onDashboardMs = lastOf(seen.dashboardAt);
    run.stored = stored;
    run.onDashboard = onDashboard;
  }
  log(
    `${target.name}: SOS storm of ${ids.length}: on subscriber ${run.onSubscriberMs} ms` +
      (seen.dispatcher ? `, stored ${run.storedMs} ms, on dashboard ${run.onDashboardMs} ms` : '') +
      `, lost ${run.lost}`,
  );
  return run;
}

/** Readings stored whose ids start with `tag` (the fleet's `publish(…, tag)` gives every reading one). */
async function storedVitals(sql: Sql, tag: string): Promise<number> {
  const row = await sql.get<{ n: number }>('SELECT count(*) AS n FROM vitals WHERE id LIKE $1', [`${tag}%`]);
  return Number(row?.n ?? 0);
}

/** Waits until `expected` readings tagged `tag` are stored, or none more for 3 s, or `maxMs`. */
async function drained(sql: Sql, tag: string, expected: number, maxMs: number, t0: number) {
  const count = () => storedVitals(sql, tag);
  // `at`: the last look at which the count had moved (the first look counts): all were stored by then.
  let stored = await count();
  let at = performance.now();
  const deadline = at + maxMs;
  while (stored < expected && performance.now() < deadline && performance.now() - at < 3000) {
    await sleep(250);
    const n = await count();
    if (n !== stored) {
      stored = n;
      at = performance.now();
    }
  }
  return { stored, ms: Math.round(at - t0) };
}

/** One broker, `gateways` connected, QoS 0 vitals stepped up until the subscriber falls behind. */
async function brokerSustained(
  ctx: Context,
  target: Target,
): Promise<ThroughputResult & { topology: string }> {
  const subscriber = await CountingSubscriber.open(target.port, target.password, target.user);
  const fleet = await Fleet.start({
    population: ctx.population,
    ports: [target.port],
    workers: ctx.options.workers,
  });
  try {
    await fleet.connect(ctx.options.sustainedGateways);
    const result = await throughputLadder(fleet, subscriber, [target.pid], {
      gateways: ctx.options.sustainedGateways,
      rates: ctx.options.brokerRates,
      seconds: ctx.options.stepSeconds,
    });
    log(`${target.name} broker: sustained ${result.sustainedPerS}/s (${result.limit})`);
    return { ...result, topology: target.topology };
  } finally {
    subscriber.close();
    await fleet.close();
  }
}

/**
 * `npm start` (broker and cloud in one process, SQLite): QoS 0 vitals with ids of their own stepped up;
 * kept up while ≥ 95 % of what was sent in a step is stored by its end.
 */
async function cloudSustained(ctx: Context, target: Target): Promise<CloudSustained> {
  const sql = openSqlite(target.storePath as string);
  const fleet = await Fleet.start({
    population: ctx.population,
    ports: [target.port],
    workers: ctx.options.workers,
  });
  const steps: CloudStep[] = [];
  let limit: CloudSustained['limit'] = 'ladder-top';
  try {
    await fleet.connect(ctx.options.sustainedGateways);
    await sleep(ctx.options.settleMs);
    for (const rate of ctx.options.cloudRates) {
      const tag = `cs${rate}x${Date.now().toString(36)}`;
      const stored = () => storedVitals(sql, tag);
      const cpu0 = cpuSeconds(target.pid);
      const t0 = performance.now();
      const report = await fleet.publish(rate, ctx.options.stepSeconds, tag);
      const wall = (performance.now() - t0) / 1000;
      const cpu = cpuSeconds(target.pid) - cpu0;
      const inWindow = await stored();
      let total = inWindow;
      for (let quiet = 0; quiet < 3 && total < report.sent; ) {
        await sleep(500);
        const now = await stored();
        quiet = now === total ? quiet + 1 : 0;
        total = now;
      }
      const step: CloudStep = {
        offeredPerS: rate,
        sent: report.sent,
        storedInWindow: inWindow,
        storedLate: total - inWindow,
        lost: report.sent - total,
        storedPerS: Math.round(inWindow / wall),
        cpuPct: Math.round((cpu / wall) * 100),
        keptUp: inWindow >= 0.95 * report.sent,
      };
      steps.push(step);
      log(`ours cloud: ${rate}/s offered, ${step.storedPerS}/s stored in time, ${step.lost} lost`);
      if (!step.keptUp) {
        limit = 'store-fell-behind';
        break;
      }
      if (report.sent < 0.9 * rate * ctx.options.stepSeconds) {
        limit = 'generator';
        break;
      }
      await sleep(ctx.options.settleMs);
    }
  } finally {
    await fleet.close();
    await sql.close();
  }
  const kept = steps.filter((s) => s.keptUp).map((s) => s.storedPerS);
  return {
    topology: target.topology,
    gateways: ctx.options.sustainedGateways,
    steps,
    sustainedPerS: Math.max(0, ...kept),
    limit,
  };
}

/** Runs the measurements in `options.only` against ours and Mosquitto; temp files are removed after. */
export async function runBench(
  options: BenchOptions,
  quietLoad = 0.8,
  progress: (report: BenchReport) => void = () => {},
): Promise<BenchReport> {
  const workDir = await mkdtemp(join(tmpdir(), 'eldercare-bench-'));
  const report: BenchReport = {
    kind: 'eldercare-bench',
    ...runConditions(),
    options,
    targets: {
      ...TARGETS.alertP99At,
      alertP99Ms: TARGETS.alertP99Ms,
      vitalsPerBrokerPerS: TARGETS.vitalsPerBrokerPerS,
      stormOnDashboardMs: TARGETS.stormOnDashboardMs,
    },
    results: {},
  };
  const maxGateways = Math.max(
    options.sustainedGateways,
    options.only.includes('sos-storm') ? options.stormSos : 0,
    ...(options.only.includes('latency') || options.only.includes('connect')
      ? options.points.map((p) => p.gateways)
      : [0]),
  );
  const probeCount = options.only.includes('latency') ? options.points.length * options.probesPerPoint : 0;
  const population: Population = {
    prefix: 'gwb',
    count: maxGateways + probeCount,
    key: newPopulationKey(),
    scryptN: null,
  };
  const ours: OursSetup = {
    storePath: join(workDir, 'provisioned.db'),
    workDir,
    servicePassword: randomBytes(18).toString('base64url'),
    ...(options.profileDir ? { profileDir: resolve(options.profileDir) } : {}),
  };
  const ctx: Context = { options, population, fleetSize: maxGateways, probeCount, ours };
  const before = async (name: string) => {
    progress(report);
    log(`${name} (load ${await quietBefore(report, name, quietLoad)})`);
  };
  try {
    const t0 = Date.now();
    const sql = openSqlite(ours.storePath);
    await migrate(sql);
    await ensureDemoWorld(sql);
    await provision(sql, population);
    await sql.close();
    log(`provisioned ${population.count} gateways in ${Math.round((Date.now() - t0) / 1000)} s`);
    const latency = options.only.includes('latency');
    const storm = options.only.includes('sos-storm');
    if (latency || storm) {
      const runs: Partial<Record<Target['name'], { latency?: LatencyRun; storm?: StormRun }>> = {};
      for (const start of [
        () => startSystemTarget(ours),
        () => startBrokerTarget(ours),
        startMosquittoTarget,
      ]) {
        const target = await start();
        try {
          await before(`latency+storm ${target.name}`);
          runs[target.name] = await rampAndStorm(ctx, target, { latency, storm });
        } finally {
          await target.stop();
        }
      }
      if (latency)
        report.results.latency = {
          ours: runs.ours?.latency as LatencyRun,
          oursBroker: runs['ours-broker']?.latency as LatencyRun,
          mosquitto: runs.mosquitto?.latency as LatencyRun,
        };
      if (storm)
        report.results.sosStorm = {
          ours: runs.ours?.storm as StormRun,
          oursBroker: runs['ours-broker']?.storm as StormRun,
          mosquitto: runs.mosquitto?.storm as StormRun,
        };
    }
    if (options.only.includes('connect')) {
      const sizes = [...new Set(options.points.map((p) => p.gateways))];
      const runs: Partial<Record<Target['name'], ConnectRun>> = {};
      for (const start of [() => startBrokerTarget(ours), startMosquittoTarget]) {
        const target = await start();
        try {
          await before(`connect ${target.name}`);
          runs[target.name] = await connectRamp(target, population, { ...options, sizes }, log);
        } finally {
          await target.stop();
        }
      }
      report.results.connect = {
        oursBroker: runs['ours-broker'] as ConnectRun,
        mosquitto: runs.mosquitto as ConnectRun,
      };
    }
    if (options.only.includes('sustained')) {
      const measure = async <T>(
        name: string,
        start: () => Promise<Target>,
        run: (t: Target) => Promise<T>,
      ) => {
        const target = await start();
        try {
          await before(`sustained ${name}`);
          return await run(target);
        } finally {
          await target.stop();
        }
      };
      const oursBroker = await measure(
        'ours broker',
        () => startBrokerTarget(ours),
        (t) => brokerSustained(ctx, t),
      );
      const mosquitto = await measure('mosquitto', startMosquittoTarget, (t) => brokerSustained(ctx, t));
      const oursCloud = await measure(
        'ours cloud',
        () => startSystemTarget(ours),
        (t) => cloudSustained(ctx, t),
      );
      report.results.sustained = { oursBroker, mosquitto, oursCloud };
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  endRun(report);
  return report;
}

/** Writes bench-<date>.json, bench-<date>.md and the charts into `dir`; answers the paths written. */
export function writeBench(report: BenchReport, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const stem = `bench-${report.startedAt.slice(0, 10)}${report.options.quick ? '-quick' : ''}`;
  const json = join(dir, `${stem}.json`);
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  const charts = writeCharts(report, dir, stem);
  const md = join(dir, `${stem}.md`);
  writeFileSync(
    md,
    benchMarkdown(
      report,
      charts.map((c) => c.split('/').at(-1) as string),
    ),
  );
  return [json, md, ...charts];
}

/** `--points 10000x2000,19000x20000`: gateways × vitals/s of each latency point, in rising gateways. */
export function parsePoints(text: string): LoadPoint[] {
  const points = text.split(',').map((part) => {
    const match = /^(\d+)x(\d+)$/.exec(part.trim());
    if (!match) throw new Error(`--points: ${part} is not GATEWAYSxVITALS_PER_S (e.g. 10000x2000)`);
    return { gateways: Number(match[1]), vitalsPerS: Number(match[2]) };
  });
  if (points.some((p, i) => p.gateways < 1 || (i > 0 && p.gateways < (points[i - 1] as LoadPoint).gateways)))
    throw new Error('--points: gateways must be positive and rising');
  return points;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      points: { type: 'string' },
      out: { type: 'string' },
      'quiet-load': { type: 'string', default: '0.8' },
      'profile-dir': { type: 'string' },
      render: { type: 'string' },
    },
  });
  if (values.render) {
    // Markdown and charts again from a run's JSON (after a change to the report's layout).
    const report = JSON.parse(readFileSync(values.render, 'utf8')) as BenchReport;
    log(`written ${writeBench(report, resolve(values.out ?? join(values.render, '..'))).join(', ')}`);
    return;
  }
  const base = values.quick ? QUICK_BENCH : FULL_BENCH;
  const only = values.only ? (values.only.split(',') as BenchMeasurement[]) : base.only;
  const bad = only.find((m) => !BENCH_MEASUREMENTS.includes(m));
  if (bad) throw new Error(`--only: unknown measurement ${bad} (one of ${BENCH_MEASUREMENTS.join(', ')})`);
  const out = resolve(values.out ?? join('docs', 'benchmarks'));
  const options: BenchOptions = {
    ...base,
    only,
    ...(values.points ? { points: parsePoints(values.points) } : {}),
    ...(values['profile-dir'] ? { profileDir: values['profile-dir'] } : {}),
  };
  const report = await runBench(options, Number(values['quiet-load']), (r) => writeBench(r, out));
  const files = writeBench(report, out);
  log(`written ${files.join(', ')} after ${report.durationS} s`);
}

if (import.meta.main) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
