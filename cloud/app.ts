import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { Logger } from 'pino';
import type { Registry as MetricsRegistry } from 'prom-client';
import { LeaseKeeper, LeaseStore } from './cluster/leases.ts';
import { openStore } from './db/open.ts';
import type { Sql } from './db/sql.ts';
import { AlertService } from './domain/alert-service.ts';
import { AuditLog } from './domain/audit.ts';
import { deviceHealth } from './domain/device-health.ts';
import { Directory } from './domain/directory.ts';
import { FamilyOverview } from './domain/family.ts';
import { figureReader } from './domain/figures.ts';
import { Inventory } from './domain/inventory.ts';
import { loadOrCreateSecret } from './domain/keys.ts';
import { regionTree } from './domain/region-tree.ts';
import { Registry } from './domain/registry.ts';
import { AlertScheduler } from './domain/scheduler.ts';
import type { User } from './domain/scope.ts';
import { ServiceDesk } from './domain/service-desk.ts';
import { Sessions } from './domain/sessions.ts';
import type { HomeSimulatorPort } from './domain/sim-panel.ts';
import { StatusStore } from './domain/status-store.ts';
import { UserStore } from './domain/user-store.ts';
import { VisitStore } from './domain/visits.ts';
import { RetentionSweep, VitalsHistory, type VitalsRetention } from './domain/vitals-history.ts';
import { WatchList } from './domain/watchlist.ts';
import { EmbeddedNodeRed } from './flows/embedded-node-red.ts';
import { httpLogger } from './http-log.ts';
import { Ingest } from './ingest/ingest.ts';
import { MqttLink } from './ingest/mqtt-link.ts';
import { type CloudMetrics, createCloudMetrics } from './metrics.ts';
import { vapidPublicKey } from './notify/channels/vapid.ts';
import { NotificationOutbox } from './notify/outbox.ts';
import type { NotifyPolicy } from './notify/policy.ts';
import type { Channel, ChannelSender } from './notify/types.ts';
import { NotificationWorker } from './notify/worker.ts';
import { DispatchPush } from './push/dispatch-io.ts';
import { alertActionRoutes } from './routes/alert-actions.ts';
import { alertRoutes } from './routes/alerts.ts';
import { auditHook, auditRoutes } from './routes/audit.ts';
import type { RouteDeps } from './routes/context.ts';
import { deviceRoutes } from './routes/devices.ts';
import { familyRoutes } from './routes/family.ts';
import { figureRoutes } from './routes/figures.ts';
import { type GatewayAccessEvents, gatewayAccessRoutes } from './routes/gateway-access.ts';
import { healthRoutes } from './routes/health.ts';
import { homeRoutes } from './routes/homes.ts';
import { importRoutes } from './routes/import.ts';
import { inventoryRoutes } from './routes/inventory.ts';
import { meNotificationRoutes } from './routes/me-notifications.ts';
import { provisioningRoutes } from './routes/provisioning.ts';
import { regionRoutes } from './routes/regions.ts';
import { registryReadRoutes } from './routes/registry-read.ts';
import { ruleSettingRoutes } from './routes/rule-settings.ts';
import { serviceRoutes } from './routes/services.ts';
import { sessionRoutes } from './routes/session.ts';
import { simRoutes } from './routes/sim.ts';
import { userRoutes } from './routes/users.ts';
import { visitRoutes } from './routes/visits.ts';
import { watchListRoutes } from './routes/watchlist.ts';
import { readDemoWorld, seedWorld } from './seed.ts';
import { InfluxSink, type InfluxSinkOptions } from './vitals/influx-sink.ts';

export interface CloudOptions {
  /** Directory of the embedded store (`cloud.db`) when there is no `databaseUrl`, and of the cloud's keys. */
  dataDir: string;
  /** `postgres://…` (DATABASE_URL): the store is this PostgreSQL database instead of the embedded SQLite. */
  databaseUrl?: string | undefined;
  logger: Logger;
  metricsRegistry?: MetricsRegistry;
  /** Seconds before an unacknowledged alert escalates one level (ESCALATE_AFTER_S). */
  escalateAfterS?: number;
  /** Seconds a fall waits for a recovery or cancel (FALL_GRACE_S). */
  fallGraceS?: number;
  /** The time source of the alert engine (tests use a fake one). */
  clock?: () => number;
  /** Beat of the alert scheduler in ms; 0 disables it (tests tick by hand). */
  tickMs?: number;
  /** How the cloud reaches the broker, as an ordinary MQTT client. */
  mqtt: { url?: string; username: string; password: string; clientId?: string; clean?: boolean };
  /** Serve HTTPS with this key and certificate (PEM). */
  https?: { key: Buffer; cert: Buffer };
  /** Notification channels (Web Push, e-mail, webhook); none configured: notifications wait in the outbox. */
  channels?: Partial<Record<Channel, ChannelSender>>;
  /** Who in the family is told when (defaults: critical at once, high at the first escalation). */
  notifyPolicy?: Partial<NotifyPolicy>;
  /** Simulated homes for the tester's panel (`/api/sim/*`); only `npm start` plugs them in. */
  simulator?: HomeSimulatorPort;
  /** Embed Node-RED at `/flows`, for admins only (NODE_RED=1); flows live in `dataDir/node-red`. */
  nodeRed?: boolean;
  /** How long vitals history is kept (default: every reading 48 h, one-minute aggregates 90 days). */
  vitalsRetention?: VitalsRetention;
  /**
   * Also copy every vitals reading to InfluxDB (INFLUX_URL): the long-term, analytics copy. The dashboard
   * still reads the cloud's own store. Points that cannot be written wait in `dataDir/influx-spool.db`.
   */
  influx?: Omit<InfluxSinkOptions, 'spoolPath' | 'spoolMaxPoints'> & { spoolMaxPoints?: number };
  /**
   * This cloud instance among several sharing one PostgreSQL (CLOUD_ID): with a `databaseUrl` the
   * instances share the ingest partitions and run the scheduler, notifier and retention sweep one at a
   * time, by leases in the store. Default `cloud-1`.
   */
  instanceId?: string;
  /** REDIS_URL: Socket.IO pushes go through Redis, so every dashboard sees every alert, whichever instance. */
  redisUrl?: string | undefined;
}

/** Ingest partitions shared out among cloud instances (more than instances will ever run, fewer than gateways). */
export const INGEST_PARTITIONS = 32;
const SINGLETONS = ['scheduler', 'notifier', 'retention'] as const;

/** Default bound of the InfluxDB spool (INFLUX_SPOOL_POINTS). */
export const DEFAULT_INFLUX_SPOOL_POINTS = 1_000_000;

export interface Cloud {
  /** The relational store (SQLite or PostgreSQL) behind every repository. */
  store: Sql;
  notifications: NotificationOutbox;
  /** `changed` fires when a gateway is revoked or its secret rotated: the broker closes its connections. */
  gatewayAccess: GatewayAccessEvents;
  /** The embedded Node-RED when `nodeRed` is set, else null: `start()` it once the server listens. */
  flows: EmbeddedNodeRed | null;
  /** Every route the app registered (method and URL as declared), for the access matrix's completeness check. */
  routes: readonly { method: string; url: string }[];
  app: FastifyInstance<
    RawServerDefault,
    IncomingMessage,
    ServerResponse,
    FastifyBaseLogger,
    TypeBoxTypeProvider
  >;
  registry: Registry;
  alerts: AlertService;
  /** Service tickets of the green key (the helpers' queue). */
  services: ServiceDesk;
  /** Gateway messages into the store (the MQTT link's end; vitals by group commit). */
  ingest: Ingest;
  metrics: CloudMetrics;
  /** Loads the world at `path` when the registry is empty (first start on a new DATA_DIR). */
  seedIfEmpty(path: string): Promise<boolean>;
  /** Connects to the broker (default: `options.mqtt.url`) and resolves once subscribed. */
  connect(brokerUrl?: string): Promise<void>;
  close(): Promise<void>;
}

const DASHBOARD = join(import.meta.dirname, '..', 'dashboard');
/** The Vite build when there is one, else the plain first page; decided when the cloud is built. */
const dashboardDir = (): string =>
  existsSync(join(DASHBOARD, 'dist', 'index.html')) ? join(DASHBOARD, 'dist') : join(DASHBOARD, 'public');

/** The first answer of `make`, kept (a key read from disk once rather than per request). */
function once<T>(make: () => T): () => T {
  let made: { value: T } | null = null;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}

/** Builds the cloud: store, domain, ingest, REST, Socket.IO. Opens no port. */
export async function buildCloud(options: CloudOptions): Promise<Cloud> {
  const db = await openStore({ dataDir: options.dataDir, databaseUrl: options.databaseUrl });
  const metrics = createCloudMetrics(options.metricsRegistry);
  const registry = new Registry(db);
  const sessions = new Sessions(db);
  const notifications = new NotificationOutbox(
    db,
    loadOrCreateSecret(join(options.dataDir, 'notify.key')),
    options.notifyPolicy,
  );
  // Green-key requests become service tickets in the same transaction that stores their event.
  const services = new ServiceDesk(db, options.clock ? { clock: options.clock } : {});
  const alerts = new AlertService(db, {
    onEvent: (tx, ctx, event, receivedAt) => services.inEvent(tx, ctx, event, receivedAt),
    // The notification outbox is written in the same transaction as the alert change that causes it.
    inTransaction: (tx, changes, now) => notifications.in(tx).plan(changes, now),
    escalateAfterS: options.escalateAfterS ?? 60,
    ruleOverrides: { fall: { graceS: options.fallGraceS ?? 30 } },
    onRuleError: (ruleId, err) => {
      metrics.ruleErrors.inc({ rule: ruleId });
      logger.error({ ruleId, err }, 'rule failed; the other rules went on');
    },
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const status = new StatusStore(db);
  const logger = options.logger.child({ component: 'cloud' });
  const vitals = new VitalsHistory(db, options.vitalsRetention);
  const influx = options.influx
    ? new InfluxSink(
        {
          ...options.influx,
          spoolPath: join(options.dataDir, 'influx-spool.db'),
          spoolMaxPoints: options.influx.spoolMaxPoints ?? DEFAULT_INFLUX_SPOOL_POINTS,
        },
        metrics.influx,
        logger,
      )
    : null;
  influx?.start();
  const ingest = new Ingest({ registry, alerts, status, vitals, vitalsSink: influx, metrics, logger });
  const userForToken = async (token: string): Promise<User | null> => {
    const username = await sessions.resolve(token);
    const found = username ? await registry.findUser(username) : null;
    // Disabling ends the sessions too; this also covers a token resolved in the same instant.
    return found && found.disabledAt === null ? found.user : null;
  };
  const deps: RouteDeps = {
    registry,
    sessions,
    alerts,
    status,
    notifications,
    metrics,
    logger,
    userForToken,
  };

  const app = Fastify({
    loggerInstance: httpLogger(options.logger),
    bodyLimit: 256 * 1024,
    requestTimeout: 30_000,
    forceCloseConnections: true,
    // HTTPS when a certificate is configured; the type stays http.Server's, whose API https.Server shares.
    serverFactory: (handler) =>
      (options.https
        ? createHttpsServer(options.https, handler)
        : createHttpServer(handler)) as RawServerDefault,
  }).withTypeProvider<TypeBoxTypeProvider>();
  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  await app.register(fastifyCookie);
  const audit = new AuditLog(db);
  auditHook(app, audit);
  // Security headers on every answer; CORS stays closed (no Access-Control-* headers are ever sent).
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    if (!request.url.startsWith('/flows')) reply.header('x-frame-options', 'DENY');
    if (request.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000');
  });
  await app.register(fastifyStatic, { root: dashboardDir(), index: ['index.html'] });
  await app.register(healthRoutes, deps);
  await app.register(sessionRoutes, { ...deps, onLogout: (token) => push.disconnectSession(token) });
  await app.register(alertRoutes, deps);
  await app.register(alertActionRoutes, deps);
  await app.register(serviceRoutes, { ...deps, services });
  await app.register(provisioningRoutes, deps);
  await app.register(auditRoutes, { ...deps, audit });
  await app.register(importRoutes, { ...deps, sql: db });
  const gatewayAccess: GatewayAccessEvents = new EventEmitter();
  await app.register(gatewayAccessRoutes, { ...deps, gatewayAccess });
  await app.register(homeRoutes, { ...deps, vitals });
  await app.register(ruleSettingRoutes, { ...deps, sql: db });
  await app.register(figureRoutes, { ...deps, figures: figureReader(db) });
  await app.register(visitRoutes, { ...deps, visits: new VisitStore(db) });
  await app.register(watchListRoutes, {
    ...deps,
    watchlist: new WatchList(db),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const directory = new Directory(db);
  await app.register(registryReadRoutes, { ...deps, directory });
  await app.register(familyRoutes, {
    ...deps,
    family: new FamilyOverview(db, alerts.store, directory, services.store, options.clock),
  });
  await app.register(meNotificationRoutes, {
    ...deps,
    vapidPublicKey: once(() => vapidPublicKey(options.dataDir)),
  });
  // The family page is the build's second entry; `/family/` is its address and its service worker's scope.
  app.get('/family', (_request, reply) => reply.redirect('/family/'));
  app.get('/family/', (_request, reply) => reply.sendFile('family.html'));
  await app.register(deviceRoutes, { ...deps, deviceHealth: (q) => deviceHealth(db, q) });
  await app.register(regionRoutes, { ...deps, regionTree: (scope) => regionTree(db, scope) });
  await app.register(simRoutes, { ...deps, simulator: options.simulator ?? null });
  await app.register(inventoryRoutes, { ...deps, inventory: new Inventory(db) });
  await app.register(userRoutes, {
    ...deps,
    users: new UserStore(db),
    // Sessions first: a socket that reconnects at once must already be refused.
    endSessions: async (username) => {
      await sessions.revokeUser(username);
      push.disconnectUser(username);
    },
    dropSockets: (username) => push.disconnectUser(username),
  });
  const flows = options.nodeRed
    ? await EmbeddedNodeRed.mount(app, {
        dataDir: options.dataDir,
        logger,
        authenticate: userForToken,
        onWrite: (user, write) => {
          audit
            .record(user, { at: new Date().toISOString(), ...write, target: null })
            .catch((err: unknown) => logger.error({ err }, 'audit record of a flows write failed'));
        },
      })
    : null;

  const push = new DispatchPush(app.server, {
    alerts,
    services,
    authenticate: userForToken,
    logger,
    ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
  });
  alerts.onChange((change, alert) => {
    if (change !== 'raised') return;
    metrics.alertsRaised.inc({ type: alert.type, severity: alert.severity });
    metrics.ingestToRaised.observe(
      Math.max(0, Date.parse(alert.raisedAt) - Date.parse(alert.occurredAt)) / 1000,
    );
    logger.info(
      { alertId: alert.id, eventId: alert.eventId, gatewayId: alert.gatewayId, type: alert.type },
      'alert raised',
    );
  });
  // Several instances on one PostgreSQL share the work by leases; alone (SQLite) an instance does it all.
  const instanceId = options.instanceId ?? 'cloud-1';
  const keeper = options.databaseUrl
    ? new LeaseKeeper({
        store: new LeaseStore(db),
        holder: instanceId,
        partitions: INGEST_PARTITIONS,
        singletons: SINGLETONS,
      })
    : null;
  const leads = (name: (typeof SINGLETONS)[number]) => () => keeper === null || keeper.holds(name);
  const scheduler = new AlertScheduler(alerts, logger, options.tickMs ?? 1000, leads('scheduler'));
  const notifier = new NotificationWorker({
    outbox: notifications,
    alerts,
    channels: options.channels ?? {},
    logger,
    active: leads('notifier'),
  });
  const retention = new RetentionSweep(vitals, logger, undefined, leads('retention'));
  // Leases first: an instance that connects before it owns any partition would pass everything by.
  await keeper?.start();
  if ((options.tickMs ?? 1000) > 0) {
    scheduler.start();
    notifier.start();
    retention.start();
  }
  let link: MqttLink | null = null;
  app.addHook('preClose', async () => {
    // First: the flows' own requests to this server must be over before push.close() waits for its connections.
    await flows?.stop();
    await scheduler.stop();
    await notifier.stop();
    await retention.stop();
    await link?.stop();
    // Readings the link took and the group commit still holds are stored before the store closes.
    await ingest.stop();
    // Given back at once, so the other instances take over without waiting for the leases to end.
    await keeper?.stop();
    // After the link: nothing more is ingested; what the sink holds goes to InfluxDB or its spool.
    await influx?.close();
    await push.close();
    // After the pushes: their "first on a screen" marks are committed before the store closes.
    await alerts.flush();
  });
  app.addHook('onClose', async () => {
    await db.close();
  });

  return {
    store: db,
    app,
    registry,
    alerts,
    services,
    ingest,
    metrics,
    notifications,
    gatewayAccess,
    flows,
    routes,
    async seedIfEmpty(path) {
      if (!(await registry.isEmpty())) return false;
      if (!(await seedWorld(db, registry, await readDemoWorld(path)))) return false;
      logger.info({ path }, 'demo world loaded');
      return true;
    },
    async connect(brokerUrl = options.mqtt.url) {
      if (!brokerUrl) throw new Error('no broker URL to connect to');
      link = new MqttLink({
        ...options.mqtt,
        url: brokerUrl,
        clientId: options.mqtt.clientId ?? `cloud-${process.pid}`,
        ingest,
        ...(keeper ? { owns: (gatewayId: string) => keeper.ownsGateway(gatewayId) } : {}),
        alerts,
        logger,
      });
      await link.start();
    },
    close: () => app.close(),
  };
}
