import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_PARTITIONS } from '../cloud/app.ts';
import { partitionOf } from '../cloud/cluster/leases.ts';
import { SimulatedHome } from '../device-sims/mqtt-home.ts';
import { type Alert, DISPATCH_NAMESPACE } from '../protocol/index.ts';
import { type Cluster, startCluster } from '../scripts/cluster.ts';
import { freePort } from './support/process.ts';
import { demoGateway, demoUser, eventually } from './support/system.ts';

interface Dispatcher {
  socket: Socket;
  raised: Alert[];
}

/**
 * `npm run cluster` for real: Redis and PostgreSQL from Debian's packages, two broker processes, two cloud
 * processes on one database, each cloud on its own broker.
 */
describe('two cloud instances on one PostgreSQL and one Redis', () => {
  let cluster: Cluster;
  let db: pg.Client;
  const homes: SimulatedHome[] = [];
  const dispatchers: Dispatcher[] = [];

  const login = async (base: string, username: string): Promise<string> => {
    const res = await fetch(`${base}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: demoUser(username).password }),
    });
    return ((await res.json()) as { token: string }).token;
  };
  const alerts = async (base: string, token: string): Promise<Alert[]> =>
    (await (
      await fetch(`${base}/api/alerts`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as Alert[];
  const dispatcher = async (base: string, token: string): Promise<Dispatcher> => {
    const socket = io(`${base}${DISPATCH_NAMESPACE}`, { auth: { token }, transports: ['websocket'] });
    const d = { socket, raised: [] as Alert[] };
    socket.on('alert:raised', (a: Alert) => d.raised.push(a));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    dispatchers.push(d);
    return d;
  };
  const home = async (gatewayId: string, broker: string): Promise<SimulatedHome> => {
    const h = new SimulatedHome(demoGateway(gatewayId));
    await h.connect(broker);
    homes.push(h);
    return h;
  };
  const partitionsOf = async (holder: string): Promise<number[]> =>
    (
      await db.query<{ name: string }>(
        "SELECT name FROM leases WHERE holder = $1 AND name LIKE 'partition:%' AND expires_at > $2",
        [holder, Date.now()],
      )
    ).rows
      .map((r) => Number(r.name.split(':')[1]))
      .sort((a, b) => a - b);

  beforeAll(async () => {
    const [mqttPort, httpPort] = [await freePort(), await freePort()];
    cluster = await startCluster({
      mqttPort: mqttPort > 65000 ? mqttPort - 10 : mqttPort,
      httpPort: httpPort > 65000 ? httpPort - 10 : httpPort,
      homes: 0,
      cloudEnv: { ESCALATE_AFTER_S: '3', LOG_LEVEL: 'warn' },
    });
    db = new pg.Client({ connectionString: cluster.databaseUrl });
    await db.connect();
  }, 180_000);
  afterAll(async () => {
    for (const d of dispatchers) d.socket.disconnect();
    await Promise.all(homes.map((h) => h.close()));
    await db?.end();
    await cluster?.stop();
  }, 60_000);

  it('the instances split the ingest partitions between them, and each singleton runs on one of them', async () => {
    const [one, two] = await eventually(async () => {
      const one = await partitionsOf('cloud-1');
      const two = await partitionsOf('cloud-2');
      const split = one.length > 0 && two.length > 0 && one.length + two.length === INGEST_PARTITIONS;
      return split ? [one, two] : undefined;
    }, 20_000);
    expect([...one, ...two].sort((a, b) => a - b)).toEqual(
      Array.from({ length: INGEST_PARTITIONS }, (_, i) => i),
    );
    const singletons = await db.query<{ name: string; holder: string }>(
      "SELECT name, holder FROM leases WHERE name IN ('scheduler', 'notifier', 'retention') AND expires_at > $1",
      [Date.now()],
    );
    expect(singletons.rows.map((r) => r.name).sort()).toEqual(['notifier', 'retention', 'scheduler']);
  });

  it('an SOS through either broker is one alert, on every dashboard of both instances, and escalates once per level', async () => {
    const [c1, c2] = cluster.clouds.map((c) => c.url) as [string, string];
    const d1 = await dispatcher(c1, await login(c1, 'sup-city'));
    const d2 = await dispatcher(c2, await login(c2, 'sup-city'));
    const viaA = await home('gw-0001', cluster.brokers[0]?.url as string);
    const viaB = await home('gw-0004', cluster.brokers[1]?.url as string);
    const events = [await viaA.event('sos'), await viaB.event('sos'), await viaA.event('sos')];

    for (const d of [d1, d2])
      await eventually(
        () => events.slice(0, 2).every((e) => d.raised.some((a) => a.eventId === e)),
        10_000,
        'both alerts on both dashboards',
      );
    const token = await login(c2, 'admin');
    const open = (await alerts(c2, token)).filter(
      (a) => a.gatewayId === 'gw-0001' || a.gatewayId === 'gw-0004',
    );
    // gw-0001's second press updates its open SOS (same elder, same type): two alerts in all, never four.
    expect(open.map((a) => a.gatewayId).sort()).toEqual(['gw-0001', 'gw-0004']);
    const rows = await db.query('SELECT count(*)::int AS n FROM alerts WHERE event_id = ANY($1)', [events]);
    expect(rows.rows[0]).toEqual({ n: 2 });

    const id = open.find((a) => a.gatewayId === 'gw-0004')?.id as string;
    const timeline = await eventually(async () => {
      const res = await fetch(`${c1}/api/alerts/${id}/timeline`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const entries = (await res.json()) as { action: string; data?: { level?: number } }[];
      return entries.some((e) => e.action === 'escalated' && e.data?.level === 2) ? entries : undefined;
    }, 15_000);
    const levels = timeline.filter((e) => e.action === 'escalated').map((e) => e.data?.level);
    expect(levels).toEqual([1, 2]);
  }, 60_000);

  it('when one instance is killed -9, the other takes over its partitions and raises the alerts of its gateways', async () => {
    const [first, second] = cluster.clouds as [Cluster['clouds'][number], Cluster['clouds'][number]];
    const mine = await partitionsOf('cloud-1');
    const orphan = ['gw-0002', 'gw-0003', 'gw-0005', 'gw-0006', 'gw-0007', 'gw-0008', 'gw-0009'].find((g) =>
      mine.includes(partitionOf(g, INGEST_PARTITIONS)),
    );
    if (!orphan) throw new Error(`no demo gateway in cloud-1's partitions ${mine.join(',')}`);
    await cluster.kill(first.proc);
    await eventually(
      async () => (await partitionsOf('cloud-2')).length === INGEST_PARTITIONS,
      30_000,
      'takeover',
    );
    const h = await home(orphan, cluster.brokers[0]?.url as string);
    const eventId = await h.event('sos');
    const token = await login(second.url, 'admin');
    const alert = await eventually(
      async () => (await alerts(second.url, token)).find((a) => a.eventId === eventId),
      20_000,
      `the alert of ${orphan} raised by cloud-2`,
    );
    expect(alert.gatewayId).toBe(orphan);
  }, 90_000);
});
