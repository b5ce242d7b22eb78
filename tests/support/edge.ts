import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demoGateway, eventually, world } from './system.ts';

export interface AgentProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Writes an edge config for a demo gateway whose devices sit on the given ptys. */
export async function writeEdgeConfig(
  dir: string,
  gatewayId: string,
  broker: string,
  devices: Record<string, unknown>[],
  extra: Record<string, unknown> = {},
): Promise<string> {
  const gw = demoGateway(gatewayId);
  const elders = Object.fromEntries(
    world.elders
      .filter((e) => gw.devices.some((d) => d.elderId === e.id))
      .map((e) => [e.id, { name: e.name }]),
  );
  const config = {
    gatewayId,
    secret: gw.secret,
    broker,
    dataDir: join(dir, 'edge-data'),
    devices,
    elders,
    reconnectPeriodMs: 300,
    vitalsEveryS: 1,
    ...extra,
  };
  const path = join(dir, 'edge.json');
  await writeFile(path, JSON.stringify(config, null, 2));
  return path;
}

/** The demo code that means `action` on a gateway's 433 MHz bridge. */
export function rfCode(gatewayId: string, action: string): string {
  const bridge = demoGateway(gatewayId).devices.find((d) => d.kind === 'rf433-bridge') as
    | { codes?: Record<string, string> }
    | undefined;
  const code = Object.entries(bridge?.codes ?? {}).find(([, a]) => a === action)?.[0];
  if (!code) throw new Error(`${gatewayId} has no ${action} code`);
  return code;
}

/** Runs `npm run edge`'s entry point as a real process. */
export function spawnAgent(configPath: string): AgentProcess {
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, '..', '..', 'edge', 'main.ts'), '--config', configPath],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const append = (d: Buffer) => {
    output += d.toString();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

export async function waitForLog(agent: AgentProcess, text: string, timeoutMs = 10_000): Promise<void> {
  await eventually(() => agent.output().includes(text), timeoutMs, `agent log "${text}"\n${agent.output()}`);
}

export async function stopAgent(agent: AgentProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (agent.child.exitCode === null && agent.child.signalCode === null) agent.child.kill(signal);
  await agent.exited;
}
