import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dispatcher } from './cloud-api.ts';
import { Fleet, GATEWAY_PREFIX, type ProvisionedGateway, provisionGateways } from './fleet.ts';
import { type Check, type ScenarioResult, type StoredAlert, tally } from './report.ts';
import { Topology, type TopologyOptions } from './topology.ts';

export interface ScenarioOptions {
  /** Simulated gateways (each one SOS per burst). */
  gateways: number;
  /** How long the cloud stays SIGSTOPped. */
  pauseS: number;
  /** Progress lines (the runner prints them; the test keeps them quiet). */
  log: (line: string) => void;
}

export interface Scenario {
  name: string;
  /** One sentence: what it breaks and what it proves. */
  what: string;
  run(options: ScenarioOptions): Promise<ScenarioResult>;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 100 ms until true; false after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(100);
  }
  return false;
}

/** Presses SOS once on each gateway in `indexes`, spread evenly over `spreadMs`. */
export async function sosBurst(fleet: Fleet, indexes: readonly number[], spreadMs: number): Promise<void> {
  const gap = indexes.length > 1 ? spreadMs / indexes.length : 0;
  for (const i of indexes) {
    fleet.press(i, 'sos');
    if (gap > 0) await sleep(gap);
  }
}

export const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from }, (_, k) => from + k);

export interface Rig {
  topo: Topology;
  fleet: Fleet;
  gateways: ProvisionedGateway[];
  dispatcher: Dispatcher;
  log: (line: string) => void;
  /** This scenario's own temp dir (removed at the end). */
  workDir: string;
  /** Runs `close` when the scenario ends, before the topology stops. */
  defer: (close: () => Promise<void>) => void;
  /** Lines printed after the counting line: measurements that have no bar (QoS 0 loss…). */
  note: (line: string) => void;
}

export interface Route {
  brokersOf: (i: number) => string[];
  close?: () => Promise<void>;
}

/**
 * Runs `body` on a fresh topology (Redis, `brokers` broker processes, one cloud) with `options.gateways`
 * provisioned gateways of the real edge code, then waits until every outbox is empty and every SOS has its
 * alert (or 120 s pass), and counts from the cloud's store. Everything is removed afterwards.
 */
export async function onTopology(
  name: string,
  options: ScenarioOptions,
  setup: {
    brokers: number;
    /** More of the topology: several clouds, PostgreSQL, a proxy on the cloud's link, cloud env. */
    topology?: Omit<TopologyOptions, 'workDir' | 'brokers'>;
    /** Each gateway also has a vitals sensor (`vit-…`). */
    vitals?: boolean;
    /** Which brokers gateway `i` dials (default: the first broker), e.g. through a proxy made here. */
    route?: (topo: Topology) => Promise<Route>;
    /** Checks on the stored alerts once everything has settled. */
    verify?: (rig: Rig, alerts: StoredAlert[]) => Check[] | Promise<Check[]>;
  },
  body: (rig: Rig) => Promise<Check[]>,
): Promise<ScenarioResult> {
  const started = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), `eldercare-chaos-${name}-`));
  const log = (line: string) => options.log(`[${name}] ${line}`);
  const topo = await Topology.start({ ...setup.topology, workDir, brokers: setup.brokers });
  let fleet: Fleet | null = null;
  let dispatcher: Dispatcher | null = null;
  let route: Route | null = null;
  const deferred: (() => Promise<void>)[] = [];
  const notes: string[] = [];
  try {
    const gateways = await provisionGateways(topo.api, options.gateways, {
      vitals: setup.vitals ?? false,
    });
    route = (await setup.route?.(topo)) ?? { brokersOf: () => [topo.brokerUrls[0] as string] };
    fleet = Fleet.start(gateways, join(workDir, 'edge'), route.brokersOf);
    dispatcher = await Dispatcher.connect(topo.api);
    const f = fleet;
    if (!(await until(() => f.connected === f.size, 60_000)))
      throw new Error(`only ${f.connected} gateways connected`);
    log(`${gateways.length} gateways connected`);
    const defer = (close: () => Promise<void>) => deferred.push(close);
    const note = (line: string) => {
      notes.push(line);
      log(line);
    };
    const rig = { topo, fleet, gateways, dispatcher, log, workDir, defer, note };
    const checks = await body(rig);
    const result = await settle(fleet, topo, dispatcher);
    checks.push(...((await setup.verify?.(rig, await topo.readAlerts(GATEWAY_PREFIX))) ?? []));
    checks.push({
      what: `the cloud${topo.clouds.length > 1 ? 's are' : ' is'} up at the end`,
      ok: topo.clouds.every((c) => c.running),
    });
    return {
      name,
      tally: result,
      checks,
      notes,
      seconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    dispatcher?.close();
    for (const close of deferred.reverse()) await close().catch(() => {});
    await fleet?.stop();
    await route?.close?.();
    await topo.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Where the stored alerts are read: a `Topology`, or one SQLite file. */
export interface AlertSource {
  readAlerts(gatewayPrefix: string): Promise<StoredAlert[]>;
}

/** Waits for every outbox to drain and every SOS to have an alert (at most 120 s), then counts. */
export async function settle(fleet: Fleet, store: AlertSource, dispatcher?: Dispatcher) {
  const expected = new Set(fleet.sent.filter((e) => e.type === 'sos').map((e) => e.eventId));
  const count = async () =>
    tally(fleet.sent, await store.readAlerts(GATEWAY_PREFIX), fleet.acked, dispatcher?.pushedAt);
  await until(async () => fleet.pending() === 0 && (await count()).found === expected.size, 120_000);
  // Long enough for one more journal replay round (every 5 s): a late duplicate would show up here.
  await sleep(6000);
  return count();
}
