import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually, type SystemProcess, spawnEntry, stopProcess } from './process.ts';
import { demoGateway, world } from './world.ts';

/** A running `npm run edge` (vitest-free, like `./process.ts`: `npm run chaos` starts agents with it too). */
export type AgentProcess = SystemProcess;

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
  return spawnEntry(join(import.meta.dirname, '..', '..', 'edge', 'main.ts'), {}, ['--config', configPath]);
}

export async function waitForLog(agent: AgentProcess, text: string, timeoutMs = 10_000): Promise<void> {
  await eventually(() => agent.output().includes(text), timeoutMs, `agent log "${text}"\n${agent.output()}`);
}

/** SIGTERM (or `signal`) to the agent, and its exit. */
export const stopAgent = stopProcess;
