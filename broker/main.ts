import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { ConfigError } from '../system/config.ts';
import { closeOnSignals } from '../system/signals.ts';
import { createBroker } from './app.ts';
import { loadBrokerConfig } from './config.ts';
import { verifierFor } from './verifiers.ts';

/** `npm run broker`: one MQTT broker process, alone or one of a cluster sharing REDIS_URL. */
async function main(): Promise<void> {
  const config = loadBrokerConfig(process.env);
  const logger = pino({ level: config.logLevel });
  const gateways = verifierFor(config.gatewayRegistry);
  if (!gateways)
    throw new ConfigError('GATEWAY_REGISTRY', `has an unknown scheme: ${config.gatewayRegistry}`);
  if (!config.redisUrl) mkdirSync(config.dataDir, { recursive: true });
  const broker = await createBroker({
    gateways,
    services: { cloud: config.servicePassword },
    journalPath: join(config.dataDir, 'broker-journal.db'),
    ...(config.redisUrl
      ? {
          cluster: {
            redisUrl: config.redisUrl,
            offlineTtlS: config.offlineTtlS,
            ...(config.brokerId ? { brokerId: config.brokerId } : {}),
          },
        }
      : {}),
    logger,
    registry: new Registry(),
    maxPacketBytes: config.mqttMaxPacketBytes,
  });
  const server = createServer((socket) => broker.handle(socket, socket.remoteAddress));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new ConfigError('MQTT_PORT', `port ${config.mqttPort} on ${config.host} is already in use`)
          : err,
      ),
    );
    server.listen(config.mqttPort, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.mqttPort;
  console.log(
    `broker ${broker.aedes.id} listening on mqtt://${config.host}:${port}${config.redisUrl ? ' (cluster)' : ''}`,
  );

  closeOnSignals(logger, async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await broker.close();
    await closed;
    await gateways.close();
  });
}

main().catch((err: unknown) => {
  console.error(`error: ${(err as Error).message ?? err}`);
  process.exit(1);
});
