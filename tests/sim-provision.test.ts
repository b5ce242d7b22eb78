import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../protocol/index.ts';
import { eventually, TestSystem, tempDir } from './support/system.ts';

const MAIN = join(import.meta.dirname, '..', 'device-sims', 'main.ts');
const run = promisify(execFile);
const sim = (...args: string[]) => run(process.execPath, [MAIN, ...args], { timeout: 60_000 });

describe('a generated sim fleet loaded into the registry of npm start', () => {
  let dir: string;
  let scenario: string;
  let sys: TestSystem | null = null;
  beforeAll(async () => {
    dir = await tempDir('eldercare-provision-');
    scenario = join(dir, 'fleet.json');
    await writeFile(
      scenario,
      JSON.stringify({
        name: 'provisioned fleet',
        seed: 1,
        duration: 3,
        homes: { generate: 12, prefix: 'pv' },
        timeline: [{ at: 1, do: 'sos', all: true, spread: 1 }],
      }),
    );
  });
  afterAll(async () => {
    await sys?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('is provisioned once, with the demo world, and its homes raise alerts a dispatcher sees', async () => {
    const first = await sim('provision', scenario, '--data-dir', dir);
    expect(first.stdout).toContain('provisioned 12 homes in ziyang.');
    const again = await sim('provision', scenario, '--data-dir', dir);
    expect(again.stdout).toContain('provisioned 0 homes');
    expect(again.stdout).toContain('(12 were there already)');

    // The SQLite store of this DATA_DIR is the one provisioned (not a throwaway PostgreSQL).
    sys = await TestSystem.start(dir, {}, { DATABASE_URL: '' });
    const token = await sys.login('sup-city');
    await sim('run', scenario, '--broker', sys.system.mqttUrl, '--speed', '4', '--json');
    const open = await eventually(async () => {
      const list = (await sys?.api<Alert[]>(token, 'GET', '/api/alerts?state=open'))?.body ?? [];
      const fleet = list.filter((a) => a.gatewayId.startsWith('pv-gw-') && a.type === 'sos');
      return fleet.length === 12 && fleet;
    }, 15_000);
    expect(new Set(open.map((a) => a.elderId)).size).toBe(12);
  }, 90_000);

  it('refuses a region the store does not have, naming it', async () => {
    const other = await tempDir();
    await expect(
      sim('provision', scenario, '--data-dir', other, '--region', 'ziyang.nowhere'),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('--region ziyang.nowhere is not a region') });
    await rm(other, { recursive: true, force: true });
  });
});
