import { Redis } from 'ioredis';
import { startRedis } from '../tests/support/services.ts';
import { type ThroughputResult, throughputLadder } from './broker-load.ts';
import { Fleet, type FleetConnectResult } from './fleet.ts';
import type { Population } from './population.ts';
import { type BrokerUnderTest, cpuSeconds, openFiles, rssBytes, spread, startBroker } from './processes.ts';
import { CountingSubscriber } from './subscriber.ts';

/** Where the brokers under test find their registry and write their files. */
export interface BrokerBench {
  registry: string;
  servicePassword: string;
  dataDir: string;
  workers: number;
  /** Extra environment of every broker under test (`--profile-dir` sets NODE_OPTIONS=--cpu-prof). */
  extraEnv?: Record<string, string>;
}

export interface StormResult {
  gateways: number;
  perSecond: number;
  ms: number;
  failed: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Broker CPU per connected gateway during the storm. */
  brokerCpuMsPerConnect: number;
}

async function storm(fleet: Fleet, broker: BrokerUnderTest, upTo: number): Promise<StormResult> {
  const cpu0 = cpuSeconds(broker.pid);
  const r: FleetConnectResult = await fleet.connect(upTo);
  const cpu = cpuSeconds(broker.pid) - cpu0;
  return {
    gateways: r.connected,
    perSecond: r.perSecond,
    ms: r.ms,
    failed: r.failed,
    latencyP50Ms: r.latencyP50Ms,
    latencyP99Ms: r.latencyP99Ms,
    brokerCpuMsPerConnect: r.connected ? Math.round(((cpu * 1000) / r.connected) * 100) / 100 : 0,
  };
}

/** Drops every gateway and waits until the broker has let go of their sockets. */
async function dropAll(fleet: Fleet, broker: BrokerUnderTest, baselineFiles: number): Promise<void> {
  await fleet.drop();
  const deadline = Date.now() + 30_000;
  while (openFiles(broker.pid) > baselineFiles + 5 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 1000));
}

export interface ScryptStormResult {
  scryptN: number | null;
  first: StormResult[];
  reconnect: StormResult[];
  firstPerS: ReturnType<typeof spread>;
  reconnectPerS: ReturnType<typeof spread>;
}

/**
 * First connects at the registry's production scrypt cost, each on a fresh broker (nothing remembered),
 * then reconnect storms of the same gateways (the broker's digest cache answers).
 */
export async function scryptStorm(
  bench: BrokerBench,
  population: Population,
  runs: { first: number; reconnect: number },
): Promise<ScryptStormResult> {
  const first: StormResult[] = [];
  const reconnect: StormResult[] = [];
  for (let run = 0; run < runs.first; run++) {
    const broker = await startBroker(bench);
    const fleet = await Fleet.start({
      population,
      ports: [broker.port],
      workers: bench.workers,
    });
    try {
      const files = openFiles(broker.pid);
      first.push(await storm(fleet, broker, population.count));
      for (let r = 0; run === 0 && r < runs.reconnect; r++) {
        await dropAll(fleet, broker, files);
        reconnect.push(await storm(fleet, broker, population.count));
      }
    } finally {
      await fleet.close();
      await broker.stop();
    }
  }
  return {
    scryptN: population.scryptN,
    first,
    reconnect,
    firstPerS: spread(first.map((s) => s.perSecond)),
    reconnectPerS: spread(reconnect.map((s) => s.perSecond)),
  };
}

export interface PlateauResult {
  gateways: number;
  connect: StormResult;
  brokerRssMiB: number;
  /** (RSS now − RSS with no gateway) / gateways. */
  rssPerGatewayKiB: number;
  brokerOpenFiles: number;
  fleetRssMiB: number;
  throughput?: ThroughputResult;
}

export interface RampResult {
  scryptN: number | null;
  idleRssMiB: number;
  plateaus: PlateauResult[];
  reconnect: StormResult[];
  reconnectPerS: ReturnType<typeof spread>;
}

const MiB = 2 ** 20;

/**
 * One broker, gateways added in steps (2k, 10k, 18k…): connect rate, memory and files at each plateau,
 * the QoS 0 throughput ladder at some, then reconnect storms of everyone.
 */
export async function brokerRamp(
  bench: BrokerBench,
  population: Population,
  options: {
    sizes: number[];
    throughputAt: number[];
    rates: number[];
    stepSeconds: number;
    reconnectRuns: number;
  },
): Promise<RampResult> {
  const broker = await startBroker(bench);
  let fleet: Fleet | null = null;
  let subscriber: CountingSubscriber | null = null;
  try {
    subscriber = await CountingSubscriber.open(broker.port, bench.servicePassword);
    fleet = await Fleet.start({
      population,
      ports: [broker.port],
      workers: bench.workers,
    });
    await new Promise((r) => setTimeout(r, 1000));
    const idle = rssBytes(broker.pid);
    const files = openFiles(broker.pid);
    const plateaus: PlateauResult[] = [];
    for (const size of options.sizes) {
      const connect = await storm(fleet, broker, size);
      await new Promise((r) => setTimeout(r, 1000));
      const rss = rssBytes(broker.pid);
      const plateau: PlateauResult = {
        gateways: size,
        connect,
        brokerRssMiB: Math.round(rss / MiB),
        rssPerGatewayKiB: Math.round(((rss - idle) / size / 1024) * 10) / 10,
        brokerOpenFiles: openFiles(broker.pid),
        fleetRssMiB: Math.round((await fleet.rss()) / MiB),
      };
      if (options.throughputAt.includes(size))
        plateau.throughput = await throughputLadder(fleet, subscriber, [broker.pid], {
          gateways: size,
          rates: options.rates,
          seconds: options.stepSeconds,
        });
      plateaus.push(plateau);
    }
    const everyone = options.sizes.at(-1) ?? 0;
    const reconnect: StormResult[] = [];
    for (let r = 0; r < options.reconnectRuns; r++) {
      await dropAll(fleet, broker, files);
      reconnect.push(await storm(fleet, broker, everyone));
    }
    return {
      scryptN: population.scryptN,
      idleRssMiB: Math.round(idle / MiB),
      plateaus,
      reconnect,
      reconnectPerS: spread(reconnect.map((s) => s.perSecond)),
    };
  } finally {
    subscriber?.close();
    await fleet?.close();
    await broker.stop();
  }
}

export interface ClusterResult {
  gateways: number;
  connect: StormResult;
  throughput: ThroughputResult;
  redisUsedMemoryMiB: number;
  /** Redis memory with the gateways' sessions, subscriptions and retained states, per gateway. */
  redisBytesPerGateway: number;
  /** Redis CPU over the throughput ladder, seconds. */
  redisCpuSeconds: number;
}

async function redisInfo(redis: Redis): Promise<{ usedMemory: number; cpu: number }> {
  const info = await redis.info();
  const num = (key: string) => Number(new RegExp(`^${key}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return { usedMemory: num('used_memory'), cpu: num('used_cpu_sys') + num('used_cpu_user') };
}

/** Two brokers sharing a Redis (AOF, fsync always): gateways on A, the subscriber on B. */
export async function clusterThroughput(
  bench: BrokerBench,
  population: Population,
  options: { gateways: number; rates: number[]; stepSeconds: number },
): Promise<ClusterResult> {
  const redisService = await startRedis();
  const redis = new Redis(redisService.url);
  const brokers: BrokerUnderTest[] = [];
  let fleet: Fleet | null = null;
  let subscriber: CountingSubscriber | null = null;
  try {
    for (const id of ['bench-a', 'bench-b'])
      brokers.push(await startBroker({ ...bench, redisUrl: redisService.url, brokerId: id }));
    const [a, b] = brokers as [BrokerUnderTest, BrokerUnderTest];
    subscriber = await CountingSubscriber.open(b.port, bench.servicePassword);
    fleet = await Fleet.start({ population, ports: [a.port], workers: bench.workers });
    const before = await redisInfo(redis);
    const connect = await storm(fleet, a, options.gateways);
    const afterConnect = await redisInfo(redis);
    const throughput = await throughputLadder(fleet, subscriber, [a.pid, b.pid], {
      gateways: options.gateways,
      rates: options.rates,
      seconds: options.stepSeconds,
    });
    const after = await redisInfo(redis);
    return {
      gateways: options.gateways,
      connect,
      throughput,
      redisUsedMemoryMiB: Math.round(afterConnect.usedMemory / MiB),
      redisBytesPerGateway: Math.round((afterConnect.usedMemory - before.usedMemory) / options.gateways),
      redisCpuSeconds: Math.round((after.cpu - afterConnect.cpu) * 10) / 10,
    };
  } finally {
    subscriber?.close();
    await fleet?.close();
    for (const broker of brokers) await broker.stop();
    redis.disconnect();
    await redisService.stop();
  }
}
