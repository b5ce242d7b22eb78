import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { io, type Socket } from 'socket.io-client';
import { afterAll } from 'vitest';
import { SimulatedHome } from '../../device-sims/mqtt-home.ts';
import type { Alert } from '../../protocol/index.ts';
import { type System, startSystem } from '../../system/app.ts';
import { loadConfig } from '../../system/config.ts';
import { type PostgresServer, startPostgres } from './postgres.ts';
import { demoGateway, demoLogin } from './world.ts';

export { eventually } from './process.ts';
export { type DemoUser, type DemoWorldFile, demoGateway, demoUser, world } from './world.ts';

export function tempDir(prefix = 'eldercare-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/**
 * TEST_DATABASE=postgres: the systems of a test file keep their store on one throwaway PostgreSQL (started
 * on first use, stopped after the file), each DATA_DIR with a database of its own, so a restart on the
 * same DATA_DIR finds its store again.
 */
const onPostgres = process.env.TEST_DATABASE === 'postgres';
let postgres: Promise<PostgresServer> | null = null;
const databases = new Map<string, string>();
afterAll(async () => {
  const server = postgres;
  postgres = null;
  databases.clear();
  if (server !== null) await (await server).stop();
});

/** A database URL on this file's throwaway PostgreSQL, the same one every time for one `key`. */
export async function postgresDatabase(key: string): Promise<string> {
  postgres ??= startPostgres();
  const server = await postgres;
  let url = databases.get(key);
  if (!url) {
    url = await server.newDatabase(`sys_${process.pid}_${databases.size + 1}`);
    databases.set(key, url);
  }
  return url;
}

/** A whole system in this process on free ports and a temp DATA_DIR; `stop` removes what it made. */
export class TestSystem {
  system!: System;
  dataDir!: string;
  readonly #homes: SimulatedHome[] = [];
  readonly #sockets: Socket[] = [];
  #ownsDir = false;

  /**
   * Ports default to free ones; fixed ports let gateways outside the test process reconnect to a restart.
   * The logger defaults to a silent one (TEST_LOG_LEVEL changes its level); pass one to read the logs.
   */
  static async start(
    dataDir?: string,
    ports: { http?: number; mqtt?: number } = {},
    env: Record<string, string> = {},
    logger: Logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  ): Promise<TestSystem> {
    const t = new TestSystem();
    t.#ownsDir = dataDir === undefined;
    t.dataDir = dataDir ?? (await tempDir());
    const database =
      onPostgres && env.DATABASE_URL === undefined ? { DATABASE_URL: await postgresDatabase(t.dataDir) } : {};
    const config = loadConfig({
      HTTP_PORT: String(ports.http ?? 0),
      MQTT_PORT: String(ports.mqtt ?? 0),
      DATA_DIR: t.dataDir,
      SIM_HOMES: '0',
      ...database,
      ...env,
    });
    t.system = await startSystem(config, logger);
    return t;
  }

  get http(): string {
    return this.system.httpUrl;
  }

  /**
   * The gateway's simulated home, connected. One per gateway: a second connection with the same id would
   * take over from the first (one connection per gateway), and the two would keep pushing each other off.
   */
  async home(gatewayId: string): Promise<SimulatedHome> {
    const open = this.#homes.find((h) => h.gateway.id === gatewayId && h.isConnected);
    if (open) return open;
    const home = new SimulatedHome(demoGateway(gatewayId));
    await home.connect(this.system.mqttUrl);
    this.#homes.push(home);
    return home;
  }

  login(username: string): Promise<string> {
    return demoLogin(this.http, username);
  }

  /** GET/POST against the REST API with a bearer token; returns status and parsed body. */
  async api<T = unknown>(
    token: string | null,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.http}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /** A dispatch socket logged in as `username`, recording every alert event it receives. */
  async dispatcher(username: string): Promise<{ socket: Socket; raised: Alert[]; updated: Alert[] }> {
    const socket = await this.dispatcherWithToken(await this.login(username));
    const raised: Alert[] = [];
    const updated: Alert[] = [];
    socket.on('alert:raised', (a: Alert) => raised.push(a));
    socket.on('alert:updated', (a: Alert) => updated.push(a));
    return { socket, raised, updated };
  }

  /** A connected dispatch socket with a session token already in hand; it does not reconnect by itself. */
  async dispatcherWithToken(token: string): Promise<Socket> {
    const socket = io(`${this.http}/dispatch`, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
    });
    this.#sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  }

  /** Stops the system but keeps DATA_DIR (for restart tests). */
  async stopSystem(): Promise<void> {
    for (const s of this.#sockets.splice(0)) s.close();
    await Promise.all(this.#homes.splice(0).map((h) => h.close()));
    await this.system.close();
  }

  async stop(): Promise<void> {
    await this.stopSystem();
    if (this.#ownsDir) await rm(this.dataDir, { recursive: true, force: true });
  }
}
