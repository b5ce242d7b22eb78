import { rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, spawnSystem, waitForHealth } from './support/process.ts';
import { eventually, tempDir } from './support/system.ts';

describe('npm start', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('starts broker, cloud, dashboard and simulated homes, and prints the dashboard URL and demo logins', async () => {
    const dataDir = join(await tempDir(), 'fresh', 'data');
    dirs.push(dataDir);
    const env = {
      DATA_DIR: dataDir,
      HTTP_PORT: String(await freePort()),
      MQTT_PORT: String(await freePort()),
      SIM_HOMES: '3',
    };
    const proc = spawnSystem(env);
    try {
      await waitForHealth(`http://127.0.0.1:${env.HTTP_PORT}/api/health`, proc);
      await eventually(() => proc.output().includes('sim: 3 homes connected'), 20_000, 'simulated homes');
      expect(proc.output()).toContain(`Dashboard: http://127.0.0.1:${env.HTTP_PORT}/`);
      expect(proc.output()).toMatch(/operator\s+op-/);
      const page = await fetch(`http://127.0.0.1:${env.HTTP_PORT}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<form');
      const metrics = await (await fetch(`http://127.0.0.1:${env.HTTP_PORT}/metrics`)).text();
      expect(metrics).toMatch(/mqtt_connections 4/);
    } finally {
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
    }
  }, 60_000);

  it('a port already in use ends start-up with a one-line error naming the variable and exit code 1', async () => {
    const blocker = createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)),
    );
    const dataDir = await tempDir();
    dirs.push(dataDir);
    try {
      const proc = spawnSystem({
        DATA_DIR: dataDir,
        HTTP_PORT: String(await freePort()),
        MQTT_PORT: String(port),
        SIM_HOMES: '0',
      });
      expect(await proc.exited).toBe(1);
      const lines = proc.output().trim().split('\n');
      expect(lines.at(-1)).toMatch(/^error: MQTT_PORT port \d+ on 127\.0\.0\.1 is already in use$/);
    } finally {
      blocker.close();
    }
  }, 30_000);

  it('a bad value ends start-up naming the variable, before anything starts', async () => {
    const proc = spawnSystem({ HTTP_PORT: 'http', SIM_HOMES: '0' });
    expect(await proc.exited).toBe(1);
    expect(proc.output().trim()).toBe('error: HTTP_PORT must be a whole number from 0 to 65535, got "http"');
  });

  it('an unwritable DATA_DIR ends start-up naming DATA_DIR', async () => {
    const parent = await tempDir();
    dirs.push(parent);
    // A path below a regular file cannot be created by anyone, root included.
    await writeFile(join(parent, 'file'), 'x');
    const target = join(parent, 'file', 'data');
    const proc = spawnSystem({ DATA_DIR: target, HTTP_PORT: '0', MQTT_PORT: '0', SIM_HOMES: '0' });
    expect(await proc.exited).toBe(1);
    expect(proc.output().trim()).toMatch(/^error: DATA_DIR is not a writable directory: /);
  });
});
