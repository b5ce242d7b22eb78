import { describe, it } from 'vitest';
import { runReduced as run } from './harness/reduced.ts';
import { brokerKill, clusterBrokerKill } from './scenarios/broker-kill.ts';
import { cloudKill } from './scenarios/cloud-kill.ts';
import { cloudPause } from './scenarios/cloud-pause.ts';
import { diskFull, diskFullPrerequisite } from './scenarios/disk-full.ts';
import { disorder } from './scenarios/disorder.ts';
import { linkFaults } from './scenarios/link-faults.ts';

/** The reduced form of `npm run chaos`, first round: the SOS pipeline's own processes and links. */
describe('fault injection on real processes: nothing lost, nothing doubled', () => {
  it('when the cloud is killed -9 mid-burst and restarted, every SOS is exactly one alert', async () => {
    await run(cloudKill);
  }, 120_000);

  it('when the broker is killed -9 mid-burst and restarted, every SOS is exactly one alert', async () => {
    await run(brokerKill);
  }, 120_000);

  it('when one of three cluster brokers is killed -9 mid-burst, its gateways move and every SOS is one alert', async () => {
    await run(clusterBrokerKill);
  }, 150_000);

  it('when the cloud is frozen with SIGSTOP and resumed, the SOS sent meanwhile all become alerts', async () => {
    await run(cloudPause);
  }, 150_000);

  it('when the gateway link is delayed, throttled and cut, every SOS still arrives once', async () => {
    await run(linkFaults);
  }, 150_000);

  it('duplicated ids, a cancel ahead of its SOS and clocks 10 minutes off neither double nor drop an alert', async () => {
    await run(disorder);
  }, 120_000);

  it('when DATA_DIR fills up, the error is clear, the stores stay intact and held SOS arrive once space returns', async () => {
    const missing = diskFullPrerequisite();
    // Not a skip: a run without root fails here, naming what it needs.
    if (missing) throw new Error(missing);
    await run(diskFull);
  }, 150_000);
});
