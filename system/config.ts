import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_MAX_PACKET_BYTES } from '../broker/packet-guard.ts';
import { isId } from '../protocol/index.ts';

/** The settings of `npm start` (CONTRACT §1). Read once at boot; nothing else reads process.env. */
export interface SystemConfig {
  httpPort: number;
  mqttPort: number;
  host: string;
  dataDir: string;
  /** DATABASE_URL (`postgres://` or `postgresql://`): the cloud's store on PostgreSQL; unset: SQLite in DATA_DIR. */
  databaseUrl: string | undefined;
  simHomes: number;
  escalateAfterS: number;
  fallGraceS: number;
  logLevel: string;
  /** NODE_RED=1: the cloud embeds Node-RED at `/flows` (admins only); off by default. */
  nodeRed: boolean;
  /** Where families reach the dashboard (links in notifications); unset: the address the server listens on. */
  publicUrl: string | undefined;
  /** `smtp://user:pass@host:port` or `smtps://…`; unset: no e-mail channel. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Key of the webhook signatures; unset: no webhook channel. */
  webhookSecret: string | undefined;
  /** Contact a push service may use about our pushes (RFC 8292 `sub`). */
  vapidSubject: string;
  /** TLS_CERT + TLS_KEY: HTTPS on HTTP_PORT and MQTT over TLS on MQTTS_PORT; unset: plain HTTP and MQTT. */
  tls: { certPath: string; keyPath: string; mqttsPort: number } | undefined;
  /** Largest MQTT packet accepted on any transport; a client declaring a larger one is disconnected. */
  mqttMaxPacketBytes: number;
  /** Path of MQTT over WebSocket on the HTTP(S) server, with the same authentication (browser tools). */
  mqttWsPath: string;
  /** VITALS_RAW_HOURS: every reading kept this long; VITALS_KEEP_DAYS: one-minute aggregates kept this long. */
  vitalsRetention: { rawHours: number; keepDays: number };
  /** INFLUX_*: copy every vitals reading to InfluxDB (v2 write API); unset INFLUX_URL: no copy. */
  influx: InfluxConfig | undefined;
  /** Broker cluster (docs/architecture.md "Broker cluster"); all unset: one broker inside this process. */
  cluster: ClusterConfig;
}

export interface InfluxConfig {
  url: string;
  token: string | undefined;
  org: string;
  bucket: string;
  /** Points kept at most in the on-disk spool while InfluxDB is unreachable; the oldest are shed past it. */
  spoolMaxPoints: number;
}

export interface ClusterConfig {
  /** REDIS_URL: the in-process broker joins the brokers sharing this Redis. */
  redisUrl: string | undefined;
  /** BROKER_URL: run no broker here; the cloud connects to this one (needs REDIS_URL and the password). */
  brokerUrl: string | undefined;
  /** MQTT_SERVICE_PASSWORD: the cloud's password on every broker; unset: a random one (in-process only). */
  servicePassword: string | undefined;
  /** CLOUD_ID: this cloud instance's name among several sharing DATABASE_URL (leases, MQTT client id). */
  cloudId: string;
}

/** A bad setting: the message names the variable, and start-up ends with exit code 1. */
export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`${variable} ${message}`);
    this.variable = variable;
  }
}

export type Env = Record<string, string | undefined>;

export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim()))
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(name, `must be from ${min} to ${max}, got ${value}`);
  return value;
}

const optional = (env: Env, name: string): string | undefined => env[name]?.trim() || undefined;

/** A URL of one of `protocols`; the value is not echoed, since it may hold a password. */
export function url(env: Env, name: string, protocols: string[]): URL | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  const parsed = URL.canParse(raw) ? new URL(raw) : null;
  if (!parsed || !protocols.includes(parsed.protocol))
    throw new ConfigError(name, `must be a ${protocols.join(' or ')} URL`);
  return parsed;
}

/** Settings of the notification channels (Web Push, e-mail, webhook). */
function notifyConfig(
  env: Env,
): Pick<SystemConfig, 'publicUrl' | 'smtpUrl' | 'mailFrom' | 'webhookSecret' | 'vapidSubject'> {
  const publicUrl = url(env, 'PUBLIC_URL', ['http:', 'https:']);
  if (publicUrl && (publicUrl.search || publicUrl.hash || publicUrl.username))
    throw new ConfigError(
      'PUBLIC_URL',
      'must be a plain http(s):// address without query, fragment or login',
    );
  const smtpUrl = url(env, 'SMTP_URL', ['smtp:', 'smtps:']);
  if (smtpUrl && !smtpUrl.hostname) throw new ConfigError('SMTP_URL', 'must name the SMTP server host');
  const mailFrom = optional(env, 'MAIL_FROM') ?? 'eldercare@localhost';
  // A line break would let the value add headers to every mail.
  if (!/^[^\r\n]*@[^\r\n]*$/.test(mailFrom))
    throw new ConfigError('MAIL_FROM', `must be an address like eldercare@example.org, got "${mailFrom}"`);
  const webhookSecret = optional(env, 'WEBHOOK_SECRET');
  if (webhookSecret !== undefined && webhookSecret.length < 16)
    throw new ConfigError('WEBHOOK_SECRET', `must be at least 16 characters, got ${webhookSecret.length}`);
  const vapid = url(env, 'VAPID_SUBJECT', ['mailto:', 'https:']);
  if (vapid?.protocol === 'mailto:' && !vapid.pathname.includes('@'))
    throw new ConfigError('VAPID_SUBJECT', 'must be mailto:someone@example.org or an https:// URL');
  return {
    publicUrl: publicUrl?.href.replace(/\/+$/, ''),
    // Passed on as written: nodemailer decodes the login itself.
    smtpUrl: smtpUrl && optional(env, 'SMTP_URL'),
    mailFrom,
    webhookSecret,
    vapidSubject: (vapid && optional(env, 'VAPID_SUBJECT')) ?? 'mailto:admin@localhost',
  };
}

function flag(env: Env, name: string): boolean {
  const raw = (env[name] ?? '').trim();
  if (raw === '' || raw === '0') return false;
  if (raw === '1') return true;
  throw new ConfigError(name, `must be 1 (on) or 0 (off), got "${raw}"`);
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** HOST and LOG_LEVEL, read the same way by `npm start` and `npm run broker`. */
export function hostAndLogLevel(env: Env): { host: string; logLevel: string } {
  const host = (env.HOST ?? '').trim() || '127.0.0.1';
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(host))
    throw new ConfigError('HOST', `is not a host name or address: "${host}"`);
  const logLevel = (env.LOG_LEVEL ?? '').trim() || 'info';
  if (!LOG_LEVELS.includes(logLevel))
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  return { host, logLevel };
}

export function loadConfig(env: Env, cwd = process.cwd()): SystemConfig {
  const { host, logLevel } = hostAndLogLevel(env);
  return {
    httpPort: integer(env, 'HTTP_PORT', 8080, 0, 65535),
    mqttPort: integer(env, 'MQTT_PORT', 1883, 0, 65535),
    host,
    dataDir: resolve(cwd, (env.DATA_DIR ?? '').trim() || './data'),
    databaseUrl: databaseUrl(env),
    simHomes: integer(env, 'SIM_HOMES', 20, 0, 100_000),
    escalateAfterS: integer(env, 'ESCALATE_AFTER_S', 60, 1, 86_400),
    fallGraceS: integer(env, 'FALL_GRACE_S', 30, 0, 3600),
    logLevel,
    nodeRed: flag(env, 'NODE_RED'),
    ...notifyConfig(env),
    tls: tlsConfig(env, cwd),
    mqttWsPath: wsPath(env),
    vitalsRetention: retention(env),
    // At least room for a CONNECT with the longest ids and secrets; at most MQTT's own limit.
    mqttMaxPacketBytes: integer(env, 'MQTT_MAX_PACKET_BYTES', DEFAULT_MAX_PACKET_BYTES, 1024, 268_435_460),
    influx: influxConfig(env),
    cluster: clusterConfig(env),
  };
}

/** A PostgreSQL connection URL naming a host and a database; the value is never echoed (it may hold a password). */
function databaseUrl(env: Env): string | undefined {
  const parsed = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  if (parsed === undefined) return undefined;
  if (!parsed.hostname || parsed.pathname.length <= 1)
    throw new ConfigError(
      'DATABASE_URL',
      'must name a host and a database, like postgres://user:pass@host:5432/eldercare',
    );
  return optional(env, 'DATABASE_URL');
}

const INFLUX_NAMES = ['INFLUX_TOKEN', 'INFLUX_ORG', 'INFLUX_BUCKET', 'INFLUX_SPOOL_POINTS'];

/** An org or bucket name: printable, no leading or trailing space, at most 255 characters. */
function influxName(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw.length > 255 || raw.trim() !== raw || /\p{Cc}/u.test(raw))
    throw new ConfigError(name, 'must be 1 to 255 printable characters without surrounding spaces');
  return raw;
}

function influxConfig(env: Env): InfluxConfig | undefined {
  const parsed = url(env, 'INFLUX_URL', ['http:', 'https:']);
  if (parsed === undefined) {
    // A setting that would be silently ignored is more likely a forgotten INFLUX_URL than a wish.
    const stray = INFLUX_NAMES.find((n) => optional(env, n) !== undefined);
    if (stray) throw new ConfigError(stray, 'is set but INFLUX_URL is not');
    return undefined;
  }
  if (!parsed.hostname || parsed.username || parsed.password || parsed.search || parsed.hash)
    throw new ConfigError(
      'INFLUX_URL',
      'must be a plain http(s)://host:port address, without login, query or fragment (the token goes in INFLUX_TOKEN)',
    );
  const token = env.INFLUX_TOKEN;
  // A line break would let the value add HTTP headers to every write; the value is never echoed.
  if (token !== undefined && /\p{Cc}/u.test(token))
    throw new ConfigError('INFLUX_TOKEN', 'must be one line of printable characters');
  return {
    url: parsed.href.replace(/\/+$/, ''),
    token: token?.trim() || undefined,
    org: influxName(env, 'INFLUX_ORG', 'eldercare'),
    bucket: influxName(env, 'INFLUX_BUCKET', 'vitals'),
    spoolMaxPoints: integer(env, 'INFLUX_SPOOL_POINTS', 1_000_000, 100, 100_000_000),
  };
}

function clusterConfig(env: Env): ClusterConfig {
  const redisUrl = url(env, 'REDIS_URL', ['redis:', 'rediss:']) && optional(env, 'REDIS_URL');
  const brokerUrl = url(env, 'BROKER_URL', ['mqtt:', 'mqtts:']) && optional(env, 'BROKER_URL');
  const servicePassword = optional(env, 'MQTT_SERVICE_PASSWORD');
  if (servicePassword !== undefined && servicePassword.length < 16)
    throw new ConfigError(
      'MQTT_SERVICE_PASSWORD',
      `must be at least 16 characters, got ${servicePassword.length}`,
    );
  if (brokerUrl && !redisUrl)
    throw new ConfigError(
      'REDIS_URL',
      'must be set with BROKER_URL (revocations reach the brokers through it)',
    );
  if (brokerUrl && !servicePassword)
    throw new ConfigError('MQTT_SERVICE_PASSWORD', 'must be set with BROKER_URL (the cloud logs in with it)');
  const cloudId = optional(env, 'CLOUD_ID') ?? 'cloud-1';
  if (!isId(cloudId)) throw new ConfigError('CLOUD_ID', 'must be 1 to 64 characters of A-Z a-z 0-9 _ -');
  return { redisUrl, brokerUrl, servicePassword, cloudId };
}

function retention(env: Env): SystemConfig['vitalsRetention'] {
  const rawHours = integer(env, 'VITALS_RAW_HOURS', 48, 1, 8760);
  const keepDays = integer(env, 'VITALS_KEEP_DAYS', 90, 1, 3650);
  // The long view is built from the readings: aggregates kept shorter than readings would be a hole.
  if (keepDays * 24 < rawHours)
    throw new ConfigError(
      'VITALS_KEEP_DAYS',
      `must cover VITALS_RAW_HOURS (${rawHours} h), got ${keepDays} days`,
    );
  return { rawHours, keepDays };
}

function readable(env: Env, name: string, cwd: string): string | undefined {
  const raw = (env[name] ?? '').trim();
  if (!raw) return undefined;
  const path = resolve(cwd, raw);
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new ConfigError(name, `is not a readable file: ${path}`);
  }
  return path;
}

function tlsConfig(env: Env, cwd: string): SystemConfig['tls'] {
  const certPath = readable(env, 'TLS_CERT', cwd);
  const keyPath = readable(env, 'TLS_KEY', cwd);
  if (!certPath && !keyPath) return undefined;
  if (!certPath) throw new ConfigError('TLS_CERT', 'must be set together with TLS_KEY');
  if (!keyPath) throw new ConfigError('TLS_KEY', 'must be set together with TLS_CERT');
  return { certPath, keyPath, mqttsPort: integer(env, 'MQTTS_PORT', 8883, 0, 65535) };
}

function wsPath(env: Env): string {
  const raw = (env.MQTT_WS_PATH ?? '').trim() || '/mqtt';
  if (!/^\/[A-Za-z0-9/_-]*$/.test(raw) || raw.startsWith('/api') || raw.startsWith('/socket.io')) {
    throw new ConfigError(
      'MQTT_WS_PATH',
      `must be a path like /mqtt, not under /api or /socket.io: "${raw}"`,
    );
  }
  return raw;
}
