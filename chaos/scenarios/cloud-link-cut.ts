import { onTopology, range, type Scenario, sleep, sosBurst, until } from '../harness/scenario.ts';

/** The cloud reaches its broker through the harness's TCP proxy (BROKER_URL), which cuts the link. */
export const cloudLinkCut: Scenario = {
  name: 'cloud-link-cut',
  what: "the cloud-broker link (the cloud's BROKER_URL through the proxy) cut mid-burst (reset, refused) for half the pause, then healed",
  run: (options) =>
    onTopology(
      'cloud-link-cut',
      options,
      { brokers: 1, topology: { cloudLinkProxy: true } },
      async ({ topo, fleet, log }) => {
        const link = topo.cloudLink;
        if (!link) throw new Error('no proxy on the cloud link');
        const cutS = Math.max(5, options.pauseS / 2);
        const burst = sosBurst(fleet, range(0, fleet.size), 3000);
        await until(() => fleet.acked.size >= fleet.size / 4, 30_000);
        link.cut();
        const ackedAtCut = fleet.acked.size;
        log(`cloud link cut for ${cutS} s with ${ackedAtCut} of ${fleet.size} SOS PUBACKed`);
        await burst;
        await sleep(cutS * 1000);
        const ackedWhileCut = fleet.acked.size - ackedAtCut;
        link.heal();
        log(`cloud link healed; ${ackedWhileCut} SOS PUBACKed by the broker meanwhile`);
        const back = await until(() => link.connections > 0, 30_000);
        return [
          { what: "the cut reset the cloud's connection", ok: link.resets > 0 },
          { what: 'the broker kept acknowledging SOS while the cloud was cut off', ok: ackedWhileCut > 0 },
          { what: 'the cloud reconnected through the healed link', ok: back },
        ];
      },
    ),
};
