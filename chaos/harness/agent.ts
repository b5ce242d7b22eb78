import { join } from 'node:path';
import { openPtyPair, type PtyPair, Rf433BridgeSim } from '../../device-sims/pty/index.ts';
import {
  type AgentProcess,
  rfCode,
  spawnAgent,
  stopAgent,
  waitForLog,
  writeEdgeConfig,
} from '../../tests/support/edge.ts';
import { demoGateway } from '../../tests/support/world.ts';

/**
 * One real edge agent process (`npm run edge`) for a demo gateway, its 433 MHz bridge a simulator on a
 * real pty (socat): the whole edge path, from the radio frame to the PUBACK.
 */
export class EdgeAgent {
  readonly gatewayId: string;
  readonly #pair: PtyPair;
  readonly #sim: Rf433BridgeSim;
  readonly #proc: AgentProcess;
  readonly #sosCode: string;

  private constructor(
    gatewayId: string,
    pair: PtyPair,
    sim: Rf433BridgeSim,
    proc: AgentProcess,
    sosCode: string,
  ) {
    this.gatewayId = gatewayId;
    this.#pair = pair;
    this.#sim = sim;
    this.#proc = proc;
    this.#sosCode = sosCode;
  }

  static async start(gatewayId: string, broker: string, dir: string): Promise<EdgeAgent> {
    const bridge = demoGateway(gatewayId).devices.find((d) => d.kind === 'rf433-bridge');
    const sosCode = rfCode(gatewayId, 'sos');
    if (!bridge) throw new Error(`${gatewayId} has no 433 MHz bridge in the demo world`);
    const pair = await openPtyPair({ dir: join(dir, 'pty') });
    const sim = new Rf433BridgeSim({ path: pair.devicePath });
    await sim.open();
    const device = {
      id: bridge.id,
      kind: 'rf433-bridge',
      elderId: bridge.elderId,
      transport: { type: 'serial', path: pair.agentPath, baudRate: 19200 },
      codes: { [sosCode]: 'sos' },
    };
    const proc = spawnAgent(await writeEdgeConfig(dir, gatewayId, broker, [device]));
    const agent = new EdgeAgent(gatewayId, pair, sim, proc, sosCode);
    try {
      await waitForLog(proc, 'uplink connected', 20_000);
    } catch (err) {
      await agent.stop();
      throw err;
    }
    return agent;
  }

  /** The elder presses the SOS button: the bridge sends its radio frame over the pty. */
  pressSos(): Promise<void> {
    return this.#sim.press(this.#sosCode, { repeats: 2 });
  }

  async stop(): Promise<void> {
    await stopAgent(this.#proc);
    await this.#sim.close();
    await this.#pair.close();
  }
}
