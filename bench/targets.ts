import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { Alert } from '../protocol/index.ts';
import { freePort, type SystemProcess, spawnSystem, waitForHealth } from '../tests/support/process.ts';
import { startMosquitto } from './mosquitto.ts';
import { startBroker, stopChild } from './processes.ts';
import { WireClient } from './wire.ts';

/** A broker the load generator plays against: ours (`npm start` or `npm run broker`) or Mosquitto. */
export interface Target {
  name: 'ours' | 'ours-broker' | 'mosquitto';
  topology: string;
  port: number;
  /** The process whose memory and CPU are measured. */
  pid: number;
  /** MQTT credentials that may subscribe to every gateway's topics (our cloud's service account). */
  user: string;
  password: string;
  /** `npm start` only: its HTTP API and its SQLite store. */
  httpUrl?: string;
  storePath?: string;
  stop(): Promise<void>;
}

/** Where a bench run keeps the store it provisioned and what our processes need to use it. */
export interface OursSetup {
  /** A provisioned SQLite store (registry + bench gateways), copied for each `npm start`. */
  storePath: string;
  workDir: string;
  servicePassword: string;
  /** Write a CPU profile of each of our processes into this directory (`--cpu-prof`). */
  profileDir?: string;
}

const profiling = (setup: OursSetup): Record<string, string> =>
  setup.profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${setup.profileDir}` } : {};

let runs = 0;

/**
 * `npm start` as one process (embedded broker + cloud, SQLite), on a fresh copy of the provisioned store
 * in a DATA_DIR of its own.
 */
export async function startSystemTarget(setup: OursSetup): Promise<Target> {
  const dataDir = join(setup.workDir, `system-${++runs}`);
  await mkdir(dataDir, { recursive: true });
  const storePath = join(dataDir, 'cloud.db');
  await copyFile(setup.storePath, storePath);
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const proc: SystemProcess = spawnSystem({
    DATA_DIR: dataDir,
    HTTP_PORT: String(httpPort),
    MQTT_PORT: String(mqttPort),
    MQTT_SERVICE_PASSWORD: setup.servicePassword,
    SIM_HOMES: '0',
    LOG_LEVEL: 'error',
    ...profiling(setup),
  });
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  await waitForHealth(`${httpUrl}/api/health`, proc, 60_000);
  return {
    name: 'ours',
    topology: 'npm start: one process (embedded broker + cloud), SQLite',
    port: mqttPort,
    pid: proc.child.pid as number,
    user: 'svc:cloud',
    password: setup.servicePassword,
    httpUrl,
    storePath,
    stop: () => stopChild(proc.child, proc.exited, 15_000),
  };
}

/** `npm run broker` alone (no cloud), checking gateways against the provisioned store. */
export async function startBrokerTarget(setup: OursSetup): Promise<Target> {
  const dataDir = join(setup.workDir, `broker-${++runs}`);
  await mkdir(dataDir, { recursive: true });
  const broker = await startBroker({
    registry: `sqlite:${setup.storePath}`,
    servicePassword: setup.servicePassword,
    dataDir,
    extraEnv: profiling(setup),
  });
  return {
    name: 'ours-broker',
    topology: 'npm run broker: one broker process, no cloud',
    port: broker.port,
    pid: broker.pid,
    user: 'svc:cloud',
    password: setup.servicePassword,
    stop: () => broker.stop(),
  };
}

export async function startMosquittoTarget(): Promise<Target> {
  const m = await startMosquitto();
  return {
    name: 'mosquitto',
    topology: 'mosquitto (Debian package), one process, anonymous, no persistence',
    port: m.port,
    pid: m.pid,
    user: 'bench-tap',
    password: 'x',
    stop: () => m.stop(),
  };
}

/** A raw MQTT subscriber on `filters` (QoS 1), calling `onMessage` with the arrival time. */
export async function openTap(
  target: Target,
  filters: string[],
  onMessage: (topic: string, payload: Buffer, at: number) => void,
): Promise<WireClient> {
  const client = await WireClient.open({
    host: '127.0.0.1',
    port: target.port,
    clientId: `bench-tap-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    username: target.user,
    password: target.password,
    keepalive: 60,
  });
  client.onPublish = (topic, payload) => onMessage(topic, payload, performance.now());
  for (const filter of filters) {
    const granted = await client.subscribe(filter, 1);
    if (granted === 128) throw new Error(`${target.name}: subscription to ${filter} refused`);
  }
  const pinger = setInterval(() => client.ping(), 20_000);
  client.socket.once('close', () => clearInterval(pinger));
  return client;
}

/** A dispatcher's Socket.IO connection (`/dispatch`), logged in; `onRaised` gets each `alert:raised`. */
export async function openDispatcher(
  httpUrl: string,
  login: { username: string; password: string },
  onRaised: (alert: Alert, at: number) => void,
): Promise<Socket> {
  const res = await fetch(`${httpUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(login),
  });
  if (res.status !== 200) throw new Error(`login ${login.username}: ${res.status}`);
  const { token } = (await res.json()) as { token: string };
  const socket = io(`${httpUrl}/dispatch`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
  });
  socket.on('alert:raised', (alert: Alert) => onRaised(alert, performance.now()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}
