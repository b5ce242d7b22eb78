import { onTopology, range, type Scenario, sleep, sosBurst, until } from '../harness/scenario.ts';

/** The only broker dies (kill -9) mid-burst and comes back on the same port and Redis. */
export const brokerKill: Scenario = {
  name: 'broker-kill',
  what: 'kill -9 of the broker (the only one, on Redis) in the middle of an SOS burst, then a restart',
  run: (options) =>
    onTopology('broker-kill', options, { brokers: 1 }, async ({ topo, fleet, log }) => {
      const broker = topo.brokers[0];
      if (!broker) throw new Error('no broker');
      const burst = sosBurst(fleet, range(0, fleet.size), 3000);
      await until(() => fleet.acked.size >= fleet.size / 4, 30_000);
      await broker.kill('SIGKILL');
      const ackedAtKill = fleet.acked.size;
      log(`broker killed -9 with ${ackedAtKill} of ${fleet.size} SOS PUBACKed`);
      await burst;
      await sleep(2000);
      await broker.start();
      log('broker restarted');
      return [{ what: 'the kill fell inside the burst', ok: ackedAtKill < fleet.size }];
    }),
};

/** One of three brokers of the Redis-backed cluster dies; its gateways fail over to the others. */
export const clusterBrokerKill: Scenario = {
  name: 'cluster-broker-kill',
  what: 'kill -9 of one of three brokers sharing Redis mid-burst, never restarted; its gateways move to the others',
  run: (options) =>
    onTopology(
      'cluster-broker-kill',
      options,
      {
        brokers: 3,
        // Gateway i prefers broker i mod 3 and knows the other two (the MQTT.js failover list).
        route: async ({ brokerUrls: urls }) => ({
          brokersOf: (i) => urls.map((_, k) => urls[(i + k) % urls.length] as string),
        }),
      },
      async ({ topo, fleet, log }) => {
        const victim = topo.brokers[1];
        if (!victim) throw new Error('no second broker');
        const burst = sosBurst(fleet, range(0, fleet.size), 3000);
        await until(() => fleet.acked.size >= fleet.size / 4, 30_000);
        await victim.kill('SIGKILL');
        log(`broker-2 of 3 killed -9 with ${fleet.acked.size} of ${fleet.size} SOS PUBACKed; not restarted`);
        await burst;
        const moved = await until(() => fleet.connected === fleet.size, 60_000);
        log(`${fleet.connected} of ${fleet.size} gateways connected again`);
        return [{ what: 'every gateway reconnected to a surviving broker', ok: moved }];
      },
    ),
};
