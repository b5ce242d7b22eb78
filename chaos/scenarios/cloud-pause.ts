import { onTopology, range, type Scenario, sleep, sosBurst, until } from '../harness/scenario.ts';

/** The cloud freezes (SIGSTOP: a stuck VM, a GC storm, a debugger) while SOS keep coming, then resumes. */
export const cloudPause: Scenario = {
  name: 'cloud-pause',
  what: 'SIGSTOP of the cloud for the pause (30 s in the full run) in the middle of an SOS burst, then SIGCONT',
  run: (options) =>
    onTopology('cloud-pause', options, { brokers: 1 }, async ({ topo, fleet, log }) => {
      const half = Math.floor(fleet.size / 2);
      await sosBurst(fleet, range(0, half), 1000);
      await until(() => fleet.acked.size >= half / 2, 30_000);
      topo.cloud.pause();
      log(`cloud stopped (SIGSTOP) for ${options.pauseS} s`);
      // The rest of the presses arrive while the cloud is frozen: the broker journals and PUBACKs them.
      await sosBurst(fleet, range(half, fleet.size), Math.min(5000, options.pauseS * 500));
      await sleep(options.pauseS * 1000);
      const ackedWhilePaused = fleet.acked.size;
      topo.cloud.resume();
      log(`cloud resumed with ${ackedWhilePaused} of ${fleet.size} SOS PUBACKed`);
      const healthy = await until(async () => {
        const res = await fetch(`${topo.api.url}/api/health`).catch(() => null);
        return res?.status === 200;
      }, 30_000);
      return [
        {
          what: 'the broker kept acknowledging SOS while the cloud was frozen',
          ok: ackedWhilePaused > half / 2,
        },
        { what: 'the cloud answers /api/health after SIGCONT', ok: healthy },
      ];
    }),
};
