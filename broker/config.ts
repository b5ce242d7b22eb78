import { resolve } from 'node:path';
import { isId } from '../protocol/index.ts';
import { ConfigError, type Env, hostAndLogLevel, integer, url } from '../system/config.ts';
import { DEFAULT_MAX_PACKET_BYTES } from './packet-guard.ts';

/** The settings of `npm run broker`: one broker process, alone or in a cluster. Read once at boot. */
export interface BrokerConfig {
  mqttPort: number;
  host: string;
  /** Holds the SQLite event journal when there is no REDIS_URL. */
  dataDir: string;
  /** Join the cluster sharing this Redis; unset: a single broker with its journal in DATA_DIR. */
  redisUrl: string | undefined;
  /** Password of the cloud's service account `svc:cloud` (the same on every broker and the cloud). */
  servicePassword: string;
  /** How gateway secrets are checked: `sqlite:PATH` of the cloud's registry (default DATA_DIR/cloud.db). */
  gatewayRegistry: string;
  /** Seconds a message waits for a gateway whose persistent session is offline. */
  offlineTtlS: number;
  brokerId: string | undefined;
  logLevel: string;
  /** MQTT_MAX_PACKET_BYTES, as for `npm start`: a client declaring a larger packet is disconnected. */
  mqttMaxPacketBytes: number;
}

export function loadBrokerConfig(env: Env, cwd = process.cwd()): BrokerConfig {
  const { host, logLevel } = hostAndLogLevel(env);
  const servicePassword = (env.MQTT_SERVICE_PASSWORD ?? '').trim();
  if (servicePassword.length < 16)
    throw new ConfigError(
      'MQTT_SERVICE_PASSWORD',
      'must be set to at least 16 characters (the cloud logs in with it)',
    );
  const brokerId = (env.BROKER_ID ?? '').trim() || undefined;
  if (brokerId !== undefined && !isId(brokerId))
    throw new ConfigError('BROKER_ID', 'must be 1 to 64 characters of A-Z a-z 0-9 _ -');
  const dataDir = resolve(cwd, (env.DATA_DIR ?? '').trim() || './data');
  const gatewayRegistry = (env.GATEWAY_REGISTRY ?? '').trim() || `sqlite:${resolve(dataDir, 'cloud.db')}`;
  if (!/^[a-z][a-z0-9+-]*:.+/.test(gatewayRegistry))
    throw new ConfigError(
      'GATEWAY_REGISTRY',
      'must be SCHEME:LOCATION, e.g. sqlite:/var/lib/eldercare/cloud.db',
    );
  return {
    mqttPort: integer(env, 'MQTT_PORT', 1883, 0, 65535),
    host,
    dataDir,
    // Passed on as written: ioredis decodes the password and database itself.
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']) && env.REDIS_URL?.trim(),
    servicePassword,
    gatewayRegistry,
    offlineTtlS: integer(env, 'OFFLINE_TTL_S', 86_400, 60, 30 * 86_400),
    brokerId,
    logLevel,
    mqttMaxPacketBytes: integer(env, 'MQTT_MAX_PACKET_BYTES', DEFAULT_MAX_PACKET_BYTES, 1024, 268_435_460),
  };
}
