import { join } from 'node:path';
import { EdgeAgent } from '../harness/agent.ts';
import { onTopology, range, type Scenario, sleep, sosBurst, until } from '../harness/scenario.ts';

/**
 * The cloud process dies (kill -9) while hundreds of SOS are arriving, and starts again on the same data.
 * A real edge agent process (gw-0001, its 433 MHz bridge a simulator on a pty) presses SOS while the
 * cloud is dead.
 */
export const cloudKill: Scenario = {
  name: 'cloud-kill',
  what: 'kill -9 of the cloud in the middle of an SOS burst from every gateway (and a real edge agent on a pty), then a restart on the same DATA_DIR',
  run: (options) =>
    onTopology('cloud-kill', options, { brokers: 1 }, async ({ topo, fleet, log, workDir, defer }) => {
      const agent = await EdgeAgent.start('gw-0001', topo.brokerUrls[0] as string, join(workDir, 'agent'));
      defer(() => agent.stop());
      const burst = sosBurst(fleet, range(0, fleet.size), 3000);
      await until(() => fleet.acked.size >= fleet.size / 4, 30_000);
      await topo.cloud.kill('SIGKILL');
      const ackedAtKill = fleet.acked.size;
      log(`cloud killed -9 with ${ackedAtKill} of ${fleet.size} SOS PUBACKed`);
      await agent.pressSos();
      await burst;
      await sleep(2000);
      await topo.cloud.start();
      log('cloud restarted');
      const agentAlerts = async () => (await topo.readAlerts(agent.gatewayId)).length;
      const one = await until(async () => (await agentAlerts()) > 0, 60_000);
      return [
        { what: 'the kill fell inside the burst', ok: ackedAtKill < fleet.size },
        {
          what: "the edge agent's SOS pressed while the cloud was dead is one alert",
          ok: one && (await agentAlerts()) === 1,
        },
      ];
    }),
};
