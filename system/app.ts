import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Registry as MetricsRegistry } from 'prom-client';
import { type Broker, createBroker } from '../broker/app.ts';
import { clusterNotices } from '../broker/cluster.ts';
import { buildCloud, type Cloud } from '../cloud/app.ts';
import { createChannels, type PushSubscriptions } from '../cloud/notify/channels/index.ts';
import { readDemoWorld } from '../cloud/seed.ts';
import { ensureDashboard } from '../dashboard/build.ts';
import { ConfigError, type SystemConfig } from './config.ts';
import { HomeSimulator } from './home-simulator.ts';
import { type ExtraMqtt, startExtraMqtt } from './mqtt-transports.ts';

export const DEMO_WORLD = join(import.meta.dirname, '..', 'device-sims', 'fixtures', 'demo-world.json');
const SIM_MAIN = join(import.meta.dirname, '..', 'device-sims', 'main.ts');

export interface System {
  cloud: Cloud;
  /** The in-process broker; null when BROKER_URL points the cloud at a broker of a cluster. */
  broker: Broker | null;
  httpUrl: string;
  mqttUrl: string;
  /** MQTT over TLS, when TLS_CERT and TLS_KEY are set (in-process broker only). */
  mqttsUrl?: string;
  /** MQTT over WebSocket on the HTTP(S) server (in-process broker only). */
  mqttWsUrl?: string;
  close(): Promise<void>;
}

function ensureWritable(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new ConfigError(
      'DATA_DIR',
      `is not a writable directory: ${dir} (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
}

function listen(server: Server, port: number, host: string, variable: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new ConfigError(variable, `port ${port} on ${host} is already in use`)
          : err,
      );
    });
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Web Push always; e-mail and webhook when SMTP_URL and WEBHOOK_SECRET are set. */
function channelsOf(config: SystemConfig, outbox: () => PushSubscriptions) {
  return createChannels({
    dataDir: config.dataDir,
    smtpUrl: config.smtpUrl,
    mailFrom: config.mailFrom,
    webhookSecret: config.webhookSecret,
    vapidSubject: config.vapidSubject,
    outbox,
  });
}

/**
 * The whole system in one process: broker, cloud and dashboard on embedded storage, plus the simulated
 * homes as a child process in the same process group.
 */
export async function startSystem(config: SystemConfig, logger: Logger): Promise<System> {
  ensureWritable(config.dataDir);
  // A fresh checkout has no dashboard build yet; make it before the cloud decides what to serve at `/`.
  const buildStarted = Date.now();
  await ensureDashboard().then(
    (did) => did === 'built' && logger.info({ ms: Date.now() - buildStarted }, 'dashboard built'),
    (err: unknown) => logger.warn({ err }, 'dashboard build failed; serving the plain page'),
  );
  const metricsRegistry = new MetricsRegistry();
  const servicePassword = config.cluster.servicePassword ?? randomBytes(24).toString('base64url');
  // The tester's panel drives the demo homes; their secrets exist only in the demo world file.
  const simulator = new HomeSimulator({ gateways: (await readDemoWorld(DEMO_WORLD)).gateways, logger });
  // The outbox is made inside buildCloud, which needs the channels first; the worker asks only later.
  const channels = channelsOf(config, () => cloud.notifications);
  const tls = config.tls
    ? { key: readFileSync(config.tls.keyPath), cert: readFileSync(config.tls.certPath) }
    : undefined;
  const cloud: Cloud = await buildCloud({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    logger,
    metricsRegistry,
    escalateAfterS: config.escalateAfterS,
    fallGraceS: config.fallGraceS,
    // In a cluster the cloud keeps a persistent session in Redis (docs/architecture.md "Broker cluster").
    mqtt: {
      username: 'svc:cloud',
      password: servicePassword,
      clientId: config.cluster.cloudId,
      clean: config.cluster.redisUrl === undefined,
    },
    instanceId: config.cluster.cloudId,
    redisUrl: config.cluster.redisUrl,
    channels,
    simulator,
    nodeRed: config.nodeRed,
    vitalsRetention: config.vitalsRetention,
    ...(config.influx ? { influx: config.influx } : {}),
    ...(tls ? { https: tls } : {}),
  });
  await cloud.seedIfEmpty(DEMO_WORLD);
  const external = config.cluster.brokerUrl;
  // With BROKER_URL the brokers are other processes: revocations reach them over Redis.
  const notices =
    external && config.cluster.redisUrl ? clusterNotices(config.cluster.redisUrl, logger) : null;
  const broker = external
    ? null
    : await createBroker({
        gateways: cloud.registry,
        services: { cloud: servicePassword },
        journalPath: join(config.dataDir, 'broker-journal.db'),
        ...(config.cluster.redisUrl ? { cluster: { redisUrl: config.cluster.redisUrl } } : {}),
        logger,
        registry: metricsRegistry,
        maxPacketBytes: config.mqttMaxPacketBytes,
      });
  cloud.gatewayAccess.on('changed', (gatewayId) => {
    broker?.disconnectGateway(gatewayId);
    notices?.announce(gatewayId);
  });
  const mqttServer = broker ? createServer((socket) => broker.handle(socket, socket.remoteAddress)) : null;
  let sims: ChildProcess | null = null;
  let extra: ExtraMqtt | null = null;
  const close = async (): Promise<void> => {
    sims?.kill('SIGTERM');
    await simulator.stop();
    await extra?.close();
    await cloud.close();
    await notices?.close();
    // Stop accepting first; the server's close only completes once Aedes has dropped every client.
    const closed = new Promise<void>((resolve) =>
      mqttServer ? mqttServer.close(() => resolve()) : resolve(),
    );
    await broker?.close();
    await closed;
  };
  try {
    const mqttUrl =
      external ??
      `mqtt://${config.host}:${await listen(mqttServer as Server, config.mqttPort, config.host, 'MQTT_PORT')}`;
    await cloud.app
      .listen({ port: config.httpPort, host: config.host })
      .catch((err: NodeJS.ErrnoException) => {
        throw err.code === 'EADDRINUSE'
          ? new ConfigError('HTTP_PORT', `port ${config.httpPort} on ${config.host} is already in use`)
          : err;
      });
    const address = cloud.app.server.address();
    const httpPort = typeof address === 'object' && address ? address.port : config.httpPort;
    const httpUrl = `${tls ? 'https' : 'http'}://${config.host}:${httpPort}`;
    extra =
      broker &&
      (await startExtraMqtt({
        broker,
        httpServer: cloud.app.server,
        host: config.host,
        httpPort,
        wsPath: config.mqttWsPath,
        ...(tls && config.tls ? { tls: { ...tls, port: config.tls.mqttsPort } } : {}),
        listen: (server, port) => listen(server, port, config.host, 'MQTTS_PORT'),
      }));
    cloud.notifications.setPublicUrl(config.publicUrl ?? httpUrl);
    await cloud.connect(mqttUrl);
    await cloud.flows?.start();
    simulator.start(mqttUrl);
    if (config.simHomes > 0) {
      sims = spawn(
        process.execPath,
        [SIM_MAIN, 'fleet', '--homes', String(config.simHomes), '--broker', mqttUrl],
        {
          stdio: ['ignore', 'inherit', 'inherit'],
        },
      );
    }
    return {
      cloud,
      broker,
      httpUrl,
      mqttUrl,
      ...(extra?.mqttsUrl ? { mqttsUrl: extra.mqttsUrl } : {}),
      ...(extra ? { mqttWsUrl: extra.wsUrl } : {}),
      close,
    };
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
}
