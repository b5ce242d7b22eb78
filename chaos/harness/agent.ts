import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openPtyPair, type PtyPair, Rf433BridgeSim } from '../../device-sims/pty/index.ts';
import { type SystemProcess, spawnEntry } from '../../tests/support/process.ts';
import { until } from './scenario.ts';

const WORLD = join(import.meta.dirname, '..', '..', 'device-sims', 'fixtures', 'demo-world.json');
const EDGE_MAIN = join(import.meta.dirname, '..', '..', 'edge', 'main.ts');

interface DemoGateway {
  id: string;
  secret: string;
  devices: { id: string; kind: string; elderId?: string; codes?: Record<string, string> }[];
}

/**
 * One real edge agent process (`npm run edge`) for a demo gateway, its 433 MHz bridge a simulator on a
 * real pty (socat): the whole edge path, from the radio frame to the PUBACK.
 */
export class EdgeAgent {
  readonly gatewayId: string;
  readonly #pair: PtyPair;
  readonly #sim: Rf433BridgeSim;
  readonly #proc: SystemProcess;
  readonly #sosCode: string;

  private constructor(
    gatewayId: string,
    pair: PtyPair,
    sim: Rf433BridgeSim,
    proc: SystemProcess,
    sosCode: string,
  ) {
    this.gatewayId = gatewayId;
    this.#pair = pair;
    this.#sim = sim;
    this.#proc = proc;
    this.#sosCode = sosCode;
  }

  static async start(gatewayId: string, broker: string, dir: string): Promise<EdgeAgent> {
    const world = JSON.parse(readFileSync(WORLD, 'utf8')) as { gateways: DemoGateway[] };
    const gw = world.gateways.find((g) => g.id === gatewayId);
    const bridge = gw?.devices.find((d) => d.kind === 'rf433-bridge');
    const sosCode = Object.entries(bridge?.codes ?? {}).find(([, action]) => action === 'sos')?.[0];
    if (!gw || !bridge || !sosCode)
      throw new Error(`${gatewayId} has no 433 MHz SOS button in the demo world`);
    const pair = await openPtyPair({ dir: join(dir, 'pty') });
    const sim = new Rf433BridgeSim({ path: pair.devicePath });
    await sim.open();
    const config = {
      gatewayId,
      secret: gw.secret,
      broker,
      dataDir: join(dir, 'edge-data'),
      reconnectPeriodMs: 300,
      devices: [
        {
          id: bridge.id,
          kind: 'rf433-bridge',
          elderId: bridge.elderId,
          transport: { type: 'serial', path: pair.agentPath, baudRate: 19200 },
          codes: { [sosCode]: 'sos' },
        },
      ],
    };
    const configPath = join(dir, 'edge.json');
    writeFileSync(configPath, JSON.stringify(config));
    const proc = spawnEntry(EDGE_MAIN, {}, ['--config', configPath]);
    const agent = new EdgeAgent(gatewayId, pair, sim, proc, sosCode);
    if (!(await until(() => proc.output().includes('uplink connected'), 20_000)))
      throw new Error(`edge agent did not connect:\n${proc.output()}`);
    return agent;
  }

  /** The elder presses the SOS button: the bridge sends its radio frame over the pty. */
  pressSos(): Promise<void> {
    return this.#sim.press(this.#sosCode, { repeats: 2 });
  }

  async stop(): Promise<void> {
    if (this.#proc.child.exitCode === null) {
      this.#proc.child.kill('SIGTERM');
      await this.#proc.exited;
    }
    await this.#sim.close();
    await this.#pair.close();
  }
}
