import { ChaosProxy } from '../harness/proxy.ts';
import { onTopology, range, type Scenario, sleep, sosBurst, until } from '../harness/scenario.ts';

/** Every gateway reaches the broker through the harness's TCP proxy, which delays, throttles and cuts. */
export const linkFaults: Scenario = {
  name: 'link-faults',
  what: 'the gateway-broker link delayed (400 ms), throttled (200 B/s per connection) and cut (reset, 5 s refused) mid-burst',
  run: (options) => {
    let proxy: ChaosProxy | null = null;
    return onTopology(
      'link-faults',
      options,
      {
        brokers: 1,
        route: async (topo) => {
          const p = await ChaosProxy.start(topo.brokerUrls[0] as string);
          proxy = p;
          return { brokersOf: () => [p.url], close: () => p.close() };
        },
      },
      async ({ fleet, log }) => {
        const p = proxy as ChaosProxy | null;
        if (!p) throw new Error('no proxy');
        const third = Math.floor(fleet.size / 3);
        p.degrade({ delayMs: 400 });
        log('link delayed by 400 ms each way');
        await sosBurst(fleet, range(0, third), 1500);
        await until(() => fleet.acked.size >= third, 30_000);
        p.degrade({ delayMs: 50, bytesPerS: 200 });
        log('link throttled to 200 B/s per connection');
        await sosBurst(fleet, range(third, 2 * third), 1500);
        await sleep(2000);
        const before = fleet.acked.size;
        const burst = sosBurst(fleet, range(2 * third, fleet.size), 2000);
        await sleep(500);
        p.cut();
        const cutAt = Date.now();
        log(`link cut (connections reset, new ones refused) with ${before} PUBACKed`);
        await burst;
        await sleep(Math.max(0, 5000 - (Date.now() - cutAt)));
        p.heal();
        log('link healed');
        return [{ what: 'the cut reset live connections', ok: p.resets > 0 }];
      },
    );
  },
};
