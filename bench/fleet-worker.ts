import { timestamp, topics } from '../protocol/index.ts';
import type {
  BurstReport,
  ConnectReport,
  PublishReport,
  WorkerReply,
  WorkerRequest,
  WorkerSetup,
} from './fleet-protocol.ts';
import { eventDeviceOf, gatewayIdOf, secretOf, vitalsDeviceOf } from './population.ts';
import { encodedPublish, WireClient } from './wire.ts';

/**
 * One process of simulated gateways (`Fleet` forks several: one process may hold only 20,000 files).
 * Each gateway connects as the edge agent does: will `offline` retained, birth `online` retained QoS 1,
 * its `cmd/#` subscribed; it counts as connected once the SUBACK is back.
 */
const setup = JSON.parse(process.argv[2] ?? '{}') as WorkerSetup;
const clients = new Map<number, WireClient>();
const pinger = setInterval(pingSome, 1000);
let pingCursor = 0;

function idOf(index: number): string {
  return gatewayIdOf(setup, index);
}

async function openGateway(index: number): Promise<WireClient> {
  const gw = idOf(index);
  const client = await WireClient.open({
    host: setup.host,
    port: setup.port,
    localAddress: setup.localAddress,
    clientId: gw,
    username: gw,
    password: secretOf(setup, gw),
    keepalive: setup.keepalive,
    will: {
      topic: topics.gatewayState(gw),
      payload: Buffer.from(JSON.stringify({ state: 'offline', ts: timestamp() })),
      qos: 1,
      retain: true,
    },
  });
  client.publish(
    topics.gatewayState(gw),
    Buffer.from(JSON.stringify({ state: 'online', ts: timestamp() })),
    1,
    true,
  );
  await client.subscribe(topics.gatewayCommands(gw), 1);
  return client;
}

async function connectUpTo(upTo: number): Promise<ConnectReport> {
  const started = performance.now();
  const todo: number[] = [];
  for (let i = setup.offset; i < Math.min(upTo, setup.count); i += setup.stride)
    if (!clients.get(i) || clients.get(i)?.closed) todo.push(i);
  const latencies: number[] = [];
  let failed = 0;
  let firstError: string | null = null;
  let next = 0;
  const lane = async () => {
    while (next < todo.length) {
      const index = todo[next++] as number;
      const t0 = performance.now();
      try {
        clients.set(index, await openGateway(index));
        latencies.push(performance.now() - t0);
      } catch (err) {
        failed++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: setup.window }, lane));
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.floor(q * (latencies.length - 1))] ?? 0);
  return {
    connected: latencies.length,
    failed,
    ms: Math.round(performance.now() - started),
    latencyP50Ms: at(0.5),
    latencyP99Ms: at(0.99),
    firstError,
  };
}

/**
 * Vitals at `ratePerS` spread round-robin over the connected gateways, QoS 0, for `seconds`. Without a
 * tag each gateway resends one encoded reading; with one, every reading has an id of its own.
 */
async function publish(ratePerS: number, seconds: number, tag?: string): Promise<PublishReport> {
  const live = [...clients.entries()].filter(([, c]) => !c.closed);
  const gateways = live.map(([index]) => idOf(index));
  const topicsOf = gateways.map((gw) => topics.deviceVitals(gw, vitalsDeviceOf(gw)));
  // Ids are 8 to 64 characters (CONTRACT): a shorter one is dropped by the broker as malformed.
  const reading = (slot: number, n: number) =>
    Buffer.from(
      JSON.stringify({
        id: tag ? `${tag}-${n}` : `bench-${gateways[slot]}`,
        ts: timestamp(),
        hr: 72,
        spo2: 97,
        rr: 16,
      }),
    );
  const fixed = tag ? [] : topicsOf.map((topic, slot) => encodedPublish(topic, reading(slot, 0)));
  const packet = (slot: number, n: number): Buffer =>
    tag ? encodedPublish(topicsOf[slot] as string, reading(slot, n)) : (fixed[slot] as Buffer);
  const started = performance.now();
  let sent = 0;
  let cursor = 0;
  while (live.length > 0) {
    const elapsed = (performance.now() - started) / 1000;
    if (elapsed >= seconds) break;
    const due = Math.floor(elapsed * ratePerS) - sent;
    for (let k = 0; k < due; k++) {
      const slot = cursor++ % live.length;
      live[slot]?.[1].write(packet(slot, sent));
      sent++;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const bufferedBytes = live.reduce((sum, [, c]) => sum + c.socket.writableLength, 0);
  return { sent, bufferedBytes, ms: Math.round(performance.now() - started) };
}

/** Every connected gateway publishes `vitals` readings and `events` motion events, QoS 1, unique ids. */
async function burst(vitals: number, events: number, tag: string): Promise<BurstReport> {
  const started = performance.now();
  const live = [...clients.entries()].filter(([, c]) => !c.closed);
  const before = ackedSoFar(live);
  let published = 0;
  for (const [index, client] of live) {
    const gw = idOf(index);
    for (let n = 0; n < vitals; n++) {
      const reading = { id: `${tag}-v${n}`, ts: timestamp(), hr: 60 + (n % 30), spo2: 95 + (n % 4) };
      client.publish(topics.deviceVitals(gw, vitalsDeviceOf(gw)), Buffer.from(JSON.stringify(reading)), 1);
      published++;
    }
    for (let n = 0; n < events; n++) {
      const event = { id: `${tag}-e${n}`, ts: timestamp(), type: 'motion' };
      client.publish(topics.deviceEvent(gw, eventDeviceOf(gw)), Buffer.from(JSON.stringify(event)), 1);
      published++;
    }
  }
  return {
    published,
    acked: await acksAfter(live, before, published),
    ms: Math.round(performance.now() - started),
  };
}

/** One SOS each from the connected gateways with index < upTo, evenly over `spreadMs`; waits for PUBACKs. */
async function sos(upTo: number, spreadMs: number, tag: string): Promise<BurstReport> {
  const live = [...clients.entries()].filter(([index, c]) => index < upTo && !c.closed);
  const before = ackedSoFar(live);
  const started = performance.now();
  let published = 0;
  while (published < live.length) {
    const due = Math.min(
      live.length,
      Math.ceil(((performance.now() - started) / Math.max(1, spreadMs)) * live.length),
    );
    for (; published < due; published++) {
      const [index, client] = live[published] as [number, WireClient];
      const gw = idOf(index);
      const event = { id: `${tag}-${index}`, ts: timestamp(), type: 'sos' };
      client.publish(topics.deviceEvent(gw, eventDeviceOf(gw)), Buffer.from(JSON.stringify(event)), 1);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  return {
    published,
    acked: await acksAfter(live, before, published),
    ms: Math.round(performance.now() - started),
  };
}

const ackedSoFar = (live: [number, WireClient][]) => live.reduce((sum, [, c]) => sum + c.acked, 0);

/** Waits (up to 2 min) until `published` PUBACKs beyond `before` are back; answers how many came. */
async function acksAfter(live: [number, WireClient][], before: number, published: number): Promise<number> {
  const deadline = performance.now() + 120_000;
  while (ackedSoFar(live) - before < published && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  return ackedSoFar(live) - before;
}

function drop(): { dropped: number } {
  for (const client of clients.values()) client.destroy();
  const dropped = clients.size;
  clients.clear();
  return { dropped };
}

/** Keep-alive: every gateway pings once per `keepalive` seconds, spread over the period. */
function pingSome(): void {
  const all = [...clients.values()];
  if (all.length === 0) return;
  const share = Math.ceil(all.length / Math.max(1, setup.keepalive * 0.75));
  for (let k = 0; k < share; k++) all[pingCursor++ % all.length]?.ping();
}

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.cmd) {
    case 'connect':
      return connectUpTo(request.upTo);
    case 'publish':
      return publish(request.ratePerS, request.seconds, request.tag);
    case 'sos':
      return sos(request.upTo, request.spreadMs, request.tag);
    case 'burst':
      return burst(request.vitals, request.events, request.tag);
    case 'drop':
      return drop();
    case 'rss':
      return { rss: process.memoryUsage().rss };
  }
}

process.on('message', (message: { id: number; request: WorkerRequest }) => {
  handle(message.request).then(
    (result) => process.send?.({ id: message.id, ok: true, result } satisfies WorkerReply),
    (err: unknown) => process.send?.({ id: message.id, ok: false, error: String(err) } satisfies WorkerReply),
  );
});
process.on('disconnect', () => {
  clearInterval(pinger);
  drop();
  process.exit(0);
});
process.send?.({ id: 0, ok: true, result: 'ready' } satisfies WorkerReply);
