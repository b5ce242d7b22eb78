import { INGEST_PARTITIONS } from '../../cloud/app.ts';
import { GATEWAY_PREFIX } from '../harness/fleet.ts';
import type { Check } from '../harness/report.ts';
import { onTopology, range, type Scenario, sleep, sosBurst, until } from '../harness/scenario.ts';
import type { Topology } from '../harness/topology.ts';

/** The cloud with its store on PostgreSQL (DATABASE_URL) dies (kill -9) mid-burst and starts again. */
export const cloudPgKill: Scenario = {
  name: 'cloud-pg-kill',
  what: 'kill -9 of the cloud on PostgreSQL in the middle of an SOS burst, then a restart on the same database',
  run: (options) =>
    onTopology('cloud-pg-kill', options, { brokers: 1, topology: { postgres: true } }, async (rig) => {
      const { topo, fleet, log } = rig;
      const burst = sosBurst(fleet, range(0, fleet.size), 3000);
      await until(() => fleet.acked.size >= fleet.size / 4, 30_000);
      await topo.cloud.kill('SIGKILL');
      const ackedAtKill = fleet.acked.size;
      log(`cloud killed -9 with ${ackedAtKill} of ${fleet.size} SOS PUBACKed`);
      await burst;
      await sleep(2000);
      await topo.cloud.start();
      log('cloud restarted on the same database');
      return [{ what: 'the kill fell inside the burst', ok: ackedAtKill < fleet.size }];
    }),
};

const LEASE_S = 15;
const ESCALATE_AFTER_S = 4;

interface LeaseRow {
  name: string;
  holder: string;
}

const liveLeases = (topo: Topology): Promise<LeaseRow[]> =>
  topo.query<LeaseRow>('SELECT name, holder FROM leases WHERE expires_at > $1', [Date.now()]);

/**
 * Two clouds on one PostgreSQL share the ingest partitions and singletons by leases. The one holding the
 * alert scheduler is frozen (SIGSTOP) longer than a lease in the middle of a burst: the other must take
 * its partitions and the scheduler over, and when the frozen one wakes nothing is doubled.
 */
export const cloudLeaseTakeover: Scenario = {
  name: 'cloud-lease-takeover',
  what: `two clouds on PostgreSQL sharing partitions; the scheduler's holder frozen (SIGSTOP) for more than a ${LEASE_S} s lease mid-burst, then resumed; alerts escalate every ${ESCALATE_AFTER_S} s`,
  run: (options) => {
    const freezeS = Math.max(LEASE_S + 5, options.pauseS);
    return onTopology(
      'cloud-lease-takeover',
      options,
      {
        brokers: 2,
        topology: {
          postgres: true,
          clouds: 2,
          cloudEnv: { ESCALATE_AFTER_S: String(ESCALATE_AFTER_S) },
        },
        // Gateway i prefers broker i mod 2: events reach both clouds through both brokers.
        route: async ({ brokerUrls: urls }) => ({
          brokersOf: (i) => urls.map((_, k) => urls[(i + k) % urls.length] as string),
        }),
        verify: async ({ topo }, alerts) => {
          // An alert escalated to the same level twice is a double escalation (a level is reached once;
          // after the top level, reminders follow).
          const rows = await topo.query<{ alert_id: string; data: string }>(
            `SELECT t.alert_id, t.data FROM alert_timeline t JOIN alerts a ON a.id = t.alert_id
             WHERE starts_with(a.gateway_id, $1) AND t.action = 'escalated'`,
            [GATEWAY_PREFIX],
          );
          const seen = new Set<string>();
          let doubled = 0;
          for (const r of rows) {
            const key = `${r.alert_id}/${(JSON.parse(r.data) as { level?: number }).level}`;
            if (seen.has(key)) doubled += 1;
            seen.add(key);
          }
          const escalated = new Set(rows.map((r) => r.alert_id)).size;
          return [
            { what: 'no alert escalated to the same level twice', ok: doubled === 0 },
            { what: 'every alert escalated (the scheduler ran on)', ok: escalated === alerts.length },
          ];
        },
      },
      async ({ topo, fleet, log }) => {
        const split = await until(async () => {
          const leases = await liveLeases(topo);
          const holders = new Set(leases.filter((l) => l.name.startsWith('partition:')).map((l) => l.holder));
          return holders.size === 2 && leases.some((l) => l.name === 'scheduler');
        }, 40_000);
        const schedulerHolder = (await liveLeases(topo)).find((l) => l.name === 'scheduler')?.holder;
        const frozen = topo.clouds.find((c) => c.name === schedulerHolder);
        const other = topo.clouds.find((c) => c !== frozen);
        if (!frozen || !other)
          throw new Error(`no scheduler lease holder among the clouds (${schedulerHolder})`);
        const burst = sosBurst(fleet, range(0, fleet.size), 3000);
        await until(() => fleet.acked.size >= fleet.size / 4, 30_000);
        frozen.pause();
        const frozenAt = Date.now();
        log(`${frozen.name} (scheduler, ${fleet.acked.size} SOS PUBACKed) frozen for ${freezeS} s`);
        await burst;
        const tookOver = await until(
          async () => {
            const mine = (await liveLeases(topo)).filter((l) => l.holder === other.name).map((l) => l.name);
            const partitions = mine.filter((n) => n.startsWith('partition:')).length;
            return partitions === INGEST_PARTITIONS && mine.includes('scheduler');
          },
          (freezeS - 2) * 1000,
        );
        log(tookOver ? `${other.name} holds every lease` : `${other.name} did not take every lease`);
        await sleep(Math.max(0, freezeS * 1000 - (Date.now() - frozenAt)));
        frozen.resume();
        log(`${frozen.name} resumed`);
        // Long enough for the woken instance to run its beats and for several escalation rounds.
        await sleep(2 * ESCALATE_AFTER_S * 1000);
        const rebalanced = await until(async () => {
          const holders = new Set((await liveLeases(topo)).map((l) => l.holder));
          return holders.size === 2;
        }, 30_000);
        const checks: Check[] = [
          { what: 'the partitions were split between the two clouds before the freeze', ok: split },
          {
            what: `${other.name} took over every partition and singleton while ${frozen.name} was frozen`,
            ok: tookOver,
          },
          { what: 'the woken cloud took a share of the leases again', ok: rebalanced },
        ];
        return checks;
      },
    );
  },
};
