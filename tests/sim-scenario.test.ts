import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveHomes } from '../device-sims/scenario/homes.ts';
import { parseScenario } from '../device-sims/scenario/parse.ts';
import { Plan } from '../device-sims/scenario/plan.ts';
import { runPlan } from '../device-sims/scenario/run.ts';
import type { Alert } from '../protocol/index.ts';
import { eventually, TestSystem, world } from './support/system.ts';

const MAIN = join(import.meta.dirname, '..', 'device-sims', 'main.ts');

async function alerts(sys: TestSystem, token: string): Promise<Alert[]> {
  return (await sys.api<Alert[]>(token, 'GET', '/api/alerts?state=open')).body;
}
const pairs = (list: Alert[]) => list.map((a) => `${a.type} ${a.elderId}`).sort();

describe('scenario runs against the real system', () => {
  let sys: TestSystem;
  let token: string;
  beforeAll(async () => {
    sys = await TestSystem.start(undefined, {}, { FALL_GRACE_S: '1' });
    token = await sys.login('sup-city');
  });
  afterAll(async () => {
    await sys.stop();
  });

  it('the alerts raised are the ones the scenario calls for: no more, no fewer', async () => {
    // Vitals alert after `forS` out of range (60 s by default): one second fits a test.
    const admin = await sys.login('admin');
    const set = await sys.api(admin, 'PUT', '/api/elders/el-0001/rules/vitals', { forS: 1 });
    expect(set.status).toBe(200);
    const scenario = parseScenario(
      JSON.stringify({
        seed: 11,
        duration: 5,
        homes: { count: 8 },
        background: { vitalsEvery: 1, heartbeatEvery: 2 },
        timeline: [
          { at: 0.3, do: 'sos', elder: 'el-0003' },
          { at: 0.3, do: 'fall', elder: 'el-0004', note: 'no recovery' },
          { at: 0.3, do: 'fall', elder: 'el-0005' },
          { at: 0.6, do: 'fall_cleared', elder: 'el-0005', note: 'up within the grace' },
          { at: 0.5, do: 'vitals', elder: 'el-0001', from: { hr: 80 }, to: { hr: 160 }, over: 2, every: 0.5 },
          { at: 0.5, do: 'wearable_decoy', elder: 'el-0006', kind: 'jump' },
          { at: 0.5, do: 'wearable_fall', elder: 'el-0008' },
        ],
      }),
    );
    const plan = new Plan(scenario, resolveHomes(scenario.homes, world, 'test'));
    const stats = await runPlan(plan, [0, 1, 2, 3, 4, 5, 6, 7], { brokers: [sys.system.mqttUrl] });
    expect(stats.failed).toBe(0);
    expect(stats.byType.sos).toEqual({ sent: 1, acked: 1 });
    expect(stats.byType.fall).toEqual({ sent: 3, acked: 3 });
    const expected = ['fall el-0004', 'fall el-0008', 'sos el-0003', 'vitals el-0001'];
    await eventually(async () => pairs(await alerts(sys, token)).join() === expected.join(), 5000, 'alerts');
    // The recovered fall's grace and the decoy have long passed: nothing else may come.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(pairs(await alerts(sys, token))).toEqual(expected);
    const wearable = (await alerts(sys, token)).find((a) => a.elderId === 'el-0008');
    expect(wearable?.deviceId).toBe('gw-0007-vitals1');
  });

  it('a fleet past the open-file limit runs in two workers with their own loopback addresses', async () => {
    // The MQTT server hands each socket to broker.handle with its peer address: watch them go by.
    const addresses = new Set<string>();
    const broker = sys.system.broker;
    if (!broker) throw new Error('the test system has an in-process broker');
    const handle = broker.handle.bind(broker);
    broker.handle = (stream, address, request) => {
      addresses.add((address ?? '').replace('::ffff:', ''));
      handle(stream, address, request);
    };
    const file = join(sys.dataDir, 'fleet.json');
    const homes = ['gw-0009', 'gw-0010', 'gw-0011', 'gw-0012'];
    await writeFile(
      file,
      JSON.stringify({
        seed: 3,
        duration: 2,
        homes,
        timeline: [{ at: 0.2, do: 'sos', all: true, spread: 0.5 }],
      }),
    );
    // A limit of 258 with 256 reserved leaves two homes a process: four homes need two workers.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [MAIN, 'run', file, '--broker', sys.system.mqttUrl, '--fd-limit', '258'],
      { encoding: 'utf8' },
    );
    expect(stdout).toMatch(/4 homes, seed 3, 2 process\(es\)/);
    expect(stdout).toMatch(/sos +4 +4\n/);
    expect([...addresses].sort()).toEqual(['127.0.0.2', '127.0.0.3']);
    const elders = homes.map((gw) => world.gateways.find((g) => g.id === gw)?.devices[0]?.elderId).sort();
    await eventually(
      async () => {
        const sos = (await alerts(sys, token)).filter((a) => a.type === 'sos' && homes.includes(a.gatewayId));
        return (
          sos
            .map((a) => a.elderId)
            .sort()
            .join() === elders.join()
        );
      },
      5000,
      'four SOS alerts',
    );
  });
});
