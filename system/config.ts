import { resolve } from 'node:path';

/** The settings of `npm start` (CONTRACT §1). Read once at boot; nothing else reads process.env. */
export interface SystemConfig {
  httpPort: number;
  mqttPort: number;
  host: string;
  dataDir: string;
  simHomes: number;
  escalateAfterS: number;
  fallGraceS: number;
  logLevel: string;
}

/** A bad setting: the message names the variable, and start-up ends with exit code 1. */
export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`${variable} ${message}`);
    this.variable = variable;
  }
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim()))
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(name, `must be from ${min} to ${max}, got ${value}`);
  return value;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Env, cwd = process.cwd()): SystemConfig {
  const host = (env.HOST ?? '').trim() || '127.0.0.1';
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(host))
    throw new ConfigError('HOST', `is not a host name or address: "${host}"`);
  const logLevel = (env.LOG_LEVEL ?? '').trim() || 'info';
  if (!LOG_LEVELS.includes(logLevel))
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  return {
    httpPort: integer(env, 'HTTP_PORT', 8080, 0, 65535),
    mqttPort: integer(env, 'MQTT_PORT', 1883, 0, 65535),
    host,
    dataDir: resolve(cwd, (env.DATA_DIR ?? '').trim() || './data'),
    simHomes: integer(env, 'SIM_HOMES', 20, 0, 100_000),
    escalateAfterS: integer(env, 'ESCALATE_AFTER_S', 60, 1, 86_400),
    fallGraceS: integer(env, 'FALL_GRACE_S', 30, 0, 3600),
    logLevel,
  };
}
