import { onTopology, range, type Scenario, sleep, sosBurst, until } from '../harness/scenario.ts';

/**
 * Redis (the cluster's emitter, sessions and event journal; AOF `appendfsync always`) dies with kill -9 in
 * the middle of an SOS burst through three brokers, and starts again on the same port and AOF. The brokers
 * are not restarted.
 */
export const redisKill: Scenario = {
  name: 'redis-kill',
  what: 'kill -9 of Redis under three brokers mid-burst, restarted on its AOF after 5 s; the brokers are not restarted',
  run: (options) =>
    onTopology(
      'redis-kill',
      options,
      {
        brokers: 3,
        route: async ({ brokerUrls: urls }) => ({
          brokersOf: (i) => urls.map((_, k) => urls[(i + k) % urls.length] as string),
        }),
      },
      async ({ topo, fleet, log }) => {
        const brokerPids = topo.brokers.map((b) => b.proc?.child.pid);
        const burst = sosBurst(fleet, range(0, fleet.size), 3000);
        await until(() => fleet.acked.size >= fleet.size / 4, 30_000);
        await topo.redis.service.kill('SIGKILL');
        const ackedAtKill = fleet.acked.size;
        log(`redis killed -9 with ${ackedAtKill} of ${fleet.size} SOS PUBACKed`);
        // A PUBACK already on its way when Redis died may still land; after that, none may come.
        await sleep(500);
        const ackedAfterGrace = fleet.acked.size;
        await burst;
        await sleep(4500);
        const ackedWhileDown = fleet.acked.size - ackedAfterGrace;
        log(`${ackedWhileDown} SOS PUBACKed while Redis was down; restarting it`);
        await topo.redis.service.restart();
        log('redis restarted on its AOF');
        const reconnected = await until(() => fleet.connected === fleet.size, 60_000);
        for (const node of [...topo.brokers, topo.cloud])
          if (!node.running) log(`${node.name} exited:\n${node.output().slice(-3000)}`);
        return [
          { what: 'the kill fell inside the burst', ok: ackedAtKill < fleet.size },
          { what: 'no SOS was PUBACKed while Redis was down', ok: ackedWhileDown === 0 },
          {
            what: 'the same three broker processes are running (none restarted)',
            ok: topo.brokers.every((b, i) => b.running && b.proc?.child.pid === brokerPids[i]),
          },
          { what: 'every gateway is connected again', ok: reconnected },
        ];
      },
    ),
};
