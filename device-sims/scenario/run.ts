import { setTimeout as sleep } from 'node:timers/promises';
import { timestamp, topics } from '../../protocol/index.ts';
import { HomeLink } from './home-link.ts';
import type { Action, Plan } from './plan.ts';

/** What a run has done so far; workers send it to the parent, which adds them up. */
export interface RunStats {
  homes: number;
  connected: number;
  /** Scenario ms played, and the scenario's length. */
  playedMs: number;
  durationMs: number;
  sent: number;
  /** QoS 1 messages the broker acknowledged (PUBACK). */
  acked: number;
  failed: number;
  /** Events a home without power could not send. */
  skipped: number;
  byType: Record<string, { sent: number; acked: number }>;
}

export interface RunOptions {
  /** Broker URLs; homes take them in turn. */
  brokers: string[];
  speed?: number;
  /** Source address of every connection (a worker's own loopback address). */
  localAddress?: string;
  /** Connections opened at once while the fleet comes up. */
  connectConcurrency?: number;
  /** Called for every action of the timeline (not the background), when it goes out. */
  onStep?: (action: Action) => void;
  onProgress?: (stats: RunStats) => void;
  signal?: AbortSignal;
  /**
   * Resolves with the wall-clock ms the scenario starts at, once every home is connected; workers wait
   * for the parent's common start here. Default: now.
   */
  startAt?: () => Promise<number>;
}

export function emptyStats(homes = 0, durationMs = 0): RunStats {
  return {
    homes,
    connected: 0,
    playedMs: 0,
    durationMs,
    sent: 0,
    acked: 0,
    failed: 0,
    skipped: 0,
    byType: {},
  };
}

/** Sums the stats of several workers. */
export function addStats(all: readonly RunStats[]): RunStats {
  const total = emptyStats();
  for (const s of all) {
    total.homes += s.homes;
    total.connected += s.connected;
    total.playedMs = Math.max(total.playedMs, s.playedMs);
    total.durationMs = Math.max(total.durationMs, s.durationMs);
    total.sent += s.sent;
    total.acked += s.acked;
    total.failed += s.failed;
    total.skipped += s.skipped;
    for (const [type, n] of Object.entries(s.byType)) {
      const t = counter(total, type);
      t.sent += n.sent;
      t.acked += n.acked;
    }
  }
  return total;
}

function counter(stats: RunStats, type: string): { sent: number; acked: number } {
  const known = stats.byType[type];
  if (known) return known;
  const fresh = { sent: 0, acked: 0 };
  stats.byType[type] = fresh;
  return fresh;
}

/** The key an action is counted under: its event type, or its kind. */
export function actionType(action: Action): string {
  return action.kind === 'event' ? action.type : action.kind;
}

/**
 * Plays a plan against real brokers: connects its homes (bounded concurrency), then sends each action
 * at its time divided by `speed`, with `ts` the wall-clock time it stands for. Resolves with the stats
 * when the scenario's time is over and every publish has settled.
 */
export async function runPlan(
  plan: Plan,
  homeIndexes: readonly number[],
  options: RunOptions,
): Promise<RunStats> {
  const speed = options.speed ?? 1;
  const stats = emptyStats(homeIndexes.length, plan.durationMs);
  const links = new Map<number, HomeLink>();
  homeIndexes.forEach((h, i) => {
    const gw = plan.homes[h];
    const url = options.brokers[i % options.brokers.length];
    if (gw && url) links.set(h, new HomeLink(gw, url, options.localAddress));
  });
  const report = () => options.onProgress?.(stats);
  await connectAll([...links.values()], options.connectConcurrency ?? 200, () => {
    stats.connected++;
    report();
  });
  const pending = new Set<Promise<void>>();
  const start = options.startAt ? await options.startAt() : Date.now();
  if (start > Date.now()) await sleep(start - Date.now());
  const wallTs = (ms: number) => timestamp(start + ms / speed);
  try {
    while (!options.signal?.aborted) {
      const now = (Date.now() - start) * speed;
      stats.playedMs = Math.min(now, plan.durationMs);
      for (let a = plan.next(now); a; a = plan.next(now)) {
        const link = links.get(a.home);
        if (!link) continue;
        if (a.step !== undefined) options.onStep?.(a);
        const sent = perform(a, link, stats, wallTs);
        if (sent !== undefined) {
          pending.add(sent);
          void sent.finally(() => pending.delete(sent));
        }
      }
      report();
      const next = plan.peekTime();
      if (next === undefined && now >= plan.durationMs) break;
      const wait = next === undefined ? plan.durationMs - now : next - now;
      await sleep(Math.max(1, Math.min(250, wait / speed)));
    }
    await Promise.allSettled(pending);
  } finally {
    stats.playedMs = Math.min((Date.now() - start) * speed, plan.durationMs);
    report();
    await Promise.allSettled([...links.values()].map((l) => l.close()));
    stats.connected = 0;
  }
  return stats;
}

async function connectAll(links: HomeLink[], concurrency: number, onConnected: () => void): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let link = links[next++]; link; link = links[next++]) {
      await link.connect();
      onConnected();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, links.length) }, lane));
}

function perform(a: Action, link: HomeLink, stats: RunStats, wallTs: (ms: number) => string) {
  const type = actionType(a);
  const counted = counter(stats, type);
  const gw = a.gatewayId;
  let publish: Promise<void>;
  let qos: 0 | 1 = 1;
  switch (a.kind) {
    case 'power_cut':
    case 'net_down':
      counted.sent++;
      return link.drop();
    case 'power_restore':
    case 'net_up':
      counted.sent++;
      return link.connect().catch(() => {
        stats.failed++;
      });
    case 'event': {
      if (a.skipped) {
        stats.skipped++;
        return undefined;
      }
      const payload = {
        id: a.id,
        ts: wallTs(a.observedMs ?? a.atMs),
        type: a.type,
        ...(a.data ? { data: a.data } : {}),
      };
      publish = link.publish(topics.deviceEvent(gw, a.deviceId), JSON.stringify(payload), 1);
      break;
    }
    case 'vitals':
      qos = 0;
      publish = link.publish(
        topics.deviceVitals(gw, a.deviceId),
        JSON.stringify({ id: a.id, ts: wallTs(a.atMs), ...a.reading }),
        0,
      );
      break;
    case 'device_state':
      publish = link.publish(
        topics.deviceState(gw, a.deviceId),
        JSON.stringify({ ts: wallTs(a.atMs), online: true, battery: a.battery }),
        1,
        true,
      );
      break;
  }
  stats.sent++;
  counted.sent++;
  return publish.then(
    () => {
      if (qos === 1) {
        stats.acked++;
        counted.acked++;
      }
    },
    () => {
      stats.failed++;
    },
  );
}
