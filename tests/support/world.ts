import { readFileSync } from 'node:fs';
import type { SimGateway } from '../../device-sims/mqtt-home.ts';
import { DEMO_WORLD } from '../../system/app.ts';

/**
 * The demo world the system seeds (device-sims/fixtures/demo-world.json) and its sign-ins. Free of vitest,
 * so that runners outside the test suite (`npm run chaos`) share it with the tests.
 */
export interface DemoUser {
  username: string;
  password: string;
  role: string;
  scope: string;
  elderIds?: string[];
}
export interface DemoWorldFile {
  gateways: SimGateway[];
  users: DemoUser[];
  elders: { id: string; householdId: string; name: string }[];
  households: { id: string; region: string; address: string }[];
}

export const world = JSON.parse(readFileSync(DEMO_WORLD, 'utf8')) as DemoWorldFile;

export function demoGateway(id: string): SimGateway {
  const gw = world.gateways.find((g) => g.id === id);
  if (!gw) throw new Error(`no demo gateway ${id}`);
  return gw;
}

export function demoUser(username: string): DemoUser {
  const user = world.users.find((u) => u.username === username);
  if (!user) throw new Error(`no demo user ${username}`);
  return user;
}

/** Signs a demo user in to the cloud at `httpUrl` (`POST /api/session`) and answers the session token. */
export async function demoLogin(httpUrl: string, username: string): Promise<string> {
  const res = await fetch(`${httpUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: demoUser(username).password }),
  });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}
