import { createHash } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { type Namespace, Server, type Socket } from 'socket.io';
import {
  DISPATCH_NAMESPACE,
  type DispatchClientEvents,
  type DispatchServerEvents,
  regionAncestors,
} from '../../protocol/index.ts';
import type { AlertChange, AlertService } from '../domain/alert-service.ts';
import type { AlertView } from '../domain/alert-store.ts';
import type { User } from '../domain/scope.ts';
import type { ServiceDesk } from '../domain/service-desk.ts';

const regionRoom = (region: string): string => `region:${region}`;
const elderRoom = (elderId: string): string => `elder:${elderId}`;
/** Every socket of one user, on whichever cloud instance: what a disable or a role change hangs up. */
const userRoom = (username: string): string => `user:${username}`;
/** Every socket of one session (named by a digest, never the token): what a logout hangs up. */
const sessionRoom = (token: string): string =>
  `session:${createHash('sha256').update(token).digest('base64url').slice(0, 22)}`;

/** The rooms whose members may see an alert: every region above it, and its elder's family. */
export function roomsFor(alert: Pick<AlertView, 'region' | 'elderId'>): string[] {
  return [...regionAncestors(alert.region).map(regionRoom), elderRoom(alert.elderId)];
}

/** The room a user joins: their region, or their elders for family users. */
export function roomsOf(user: User): string[] {
  return user.role === 'family' ? user.elderIds.map(elderRoom) : [regionRoom(user.scope)];
}

type Authenticate = (token: string) => Promise<User | null>;

/**
 * Socket.IO push of alert changes on `/dispatch`, only to users whose scope covers the alert. The
 * handshake carries `auth: {token}`, the same session token as the REST API.
 */
export class DispatchPush {
  readonly #io: Server;
  readonly #nsp: Namespace;
  readonly #unsubscribe: (() => void)[];
  /** Pushes in the order the changes were committed, each after the one before. */
  #pushing: Promise<void> = Promise.resolve();
  readonly #redis: Redis | null;
  readonly #sweeper: NodeJS.Timeout;

  /**
   * `redisUrl`: several cloud instances; every emit goes through a Redis stream to the sockets of all of
   * them (the Redis Streams adapter, which also keeps connection-state recovery working across them).
   */
  constructor(
    server: HttpServer,
    deps: {
      alerts: AlertService;
      /** Service tickets go to the same rooms as an alert of their elder would, under their own event names. */
      services?: ServiceDesk;
      authenticate: Authenticate;
      logger: Logger;
      redisUrl?: string;
    },
  ) {
    const log = deps.logger.child({ component: 'dispatch-io' });
    this.#redis = deps.redisUrl ? new Redis(deps.redisUrl, { lazyConnect: false }) : null;
    this.#redis?.on('error', (err: Error) => log.warn({ err: err.message }, 'redis of the socket adapter'));
    this.#io = new Server(server, {
      ...(this.#redis ? { adapter: createAdapter(this.#redis) } : {}),
      serveClient: true,
      // Other WebSocket upgrades on this server (MQTT over WebSocket, Node-RED) are not Socket.IO's to destroy.
      destroyUpgrade: false,
      // A recovered connection is authenticated again: its session may have ended while it was away.
      connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: false },
      cors: { origin: false },
    });
    const nsp = this.#io.of(DISPATCH_NAMESPACE);
    nsp.use((socket: Socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown }).token;
      (typeof token === 'string' ? deps.authenticate(token) : Promise.resolve(null)).then((user) => {
        if (!user) return next(new Error('unauthorized'));
        socket.data.user = user;
        socket.data.token = token;
        next();
      }, next);
    });
    nsp.on('connection', (socket: Socket<DispatchClientEvents, DispatchServerEvents>) => {
      // A recovered socket gets its old rooms back; the user's scope may have changed since, so re-fit them.
      const user = socket.data.user as User;
      const wanted = [...roomsOf(user), userRoom(user.username), sessionRoom(socket.data.token as string)];
      for (const room of socket.rooms)
        if (room !== socket.id && !wanted.includes(room)) void socket.leave(room);
      void socket.join(wanted);
    });
    this.#nsp = nsp;
    this.#sweeper = setInterval(() => this.#sweepEndedSessions(deps.authenticate), 60_000);
    this.#sweeper.unref();
    const push = async (change: AlertChange, alert: AlertView): Promise<void> => {
      const event = change === 'raised' ? 'alert:raised' : 'alert:updated';
      const rooms = roomsFor(alert);
      nsp.to(rooms).emit(event, alert);
      // "First on a screen" is a response-time milestone: record it when someone was there to see it.
      // Only dispatchers' (region) rooms count: a family page open on the elder is not the centre seeing it.
      const regions = rooms.filter((r) => r.startsWith('region:'));
      if (!alert.firstPushedAt) {
        // Not awaited: the next push need not wait for this mark's commit (marks are group-committed).
        if (regions.some((r) => (nsp.adapter.rooms.get(r)?.size ?? 0) > 0))
          void deps.alerts
            .markPushed(alert.id)
            .catch((err: unknown) => log.warn({ err, alertId: alert.id }, 'first-on-screen mark failed'));
        // Nobody here: ask the other instances, outside the push chain (a silent one answers after a timeout).
        else if (this.#redis)
          void nsp
            .in(regions)
            .fetchSockets()
            .then((sockets) => (sockets.length > 0 ? deps.alerts.markPushed(alert.id) : undefined))
            .catch((err: unknown) => log.warn({ err, alertId: alert.id }, 'first-on-screen check failed'));
      }
      log.debug({ alertId: alert.id, event }, 'pushed');
    };
    this.#unsubscribe = [
      deps.alerts.onChange((change, alert) => {
        this.#pushing = this.#pushing
          .then(() => push(change, alert))
          .catch((err: unknown) => log.error({ err, alertId: alert.id }, 'push failed'));
      }),
    ];
    const services = deps.services;
    if (services)
      this.#unsubscribe.push(
        services.onChange((change, ticket) => {
          // In the same chain as alerts, so every push keeps the order of the commits.
          // Caught like an alert's push: a rejected chain would skip every push after it.
          this.#pushing = this.#pushing
            .then(() => {
              nsp
                .to(roomsFor(ticket))
                .emit(change === 'raised' ? 'service:raised' : 'service:updated', ticket);
              log.debug({ ticketId: ticket.id, change }, 'service pushed');
            })
            .catch((err: unknown) => log.error({ err, ticketId: ticket.id }, 'service push failed'));
        }),
      );
  }

  /**
   * Hangs up every socket of `username` (a plain namespace disconnect, which connection-state recovery
   * does not restore): a disabled user's reconnect is refused, a changed user's rejoins their new rooms.
   */
  disconnectUser(username: string): void {
    // Through the adapter: the user's sockets on every instance.
    this.#nsp.in(userRoom(username)).disconnectSockets();
  }

  /** Hangs up the sockets of one session (a logout), on every instance. */
  disconnectSession(token: string): void {
    this.#nsp.in(sessionRoom(token)).disconnectSockets();
  }

  /**
   * Logout, disable and password reset hang their sockets up at once (session and user rooms); expiry is
   * announced by nobody, so every minute this instance checks its own sockets' sessions and hangs up the
   * ended ones. Never per push: that would cost a session lookup per socket per alert change.
   */
  #sweepEndedSessions(authenticate: Authenticate): void {
    for (const socket of this.#nsp.sockets.values())
      void authenticate(socket.data.token as string).then(
        (user) => {
          if (!user) socket.disconnect(true);
        },
        () => {},
      );
  }

  /**
   * Drops every socket but leaves the HTTP server to Fastify: `io.close()` would wait for the server to
   * close, which waits for open requests, which Fastify only force-closes after its preClose hooks.
   */
  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    await this.#pushing;
    // This instance's sockets only: through the adapter `io.disconnectSockets` would hang up every instance's.
    this.#io.local.disconnectSockets(true);
    this.#io.engine.close();
    this.#redis?.disconnect();
  }
}
