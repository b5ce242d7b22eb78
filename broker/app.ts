import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Aedes, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  decodePayload,
  type EventType,
  JOURNAL_ACK_TOPIC,
  type ParsedTopic,
  parseJournalAck,
  parseTopic,
} from '../protocol/index.ts';
import { logPseudonym } from '../protocol/log-privacy.ts';
import { canPublish, canSubscribe, type Principal } from './acl.ts';
import { ConnectAuthenticator, type GatewayVerifier } from './auth.ts';
import { type ClusterWiring, joinCluster } from './cluster.ts';
import { EventJournal, type Journal } from './journal.ts';
import { indexedMemoryPersistence } from './memory-persistence.ts';
import { type BrokerMetrics, createBrokerMetrics } from './metrics.ts';
import { announceAccessChange, type Emitter, onAccessChange } from './notices.ts';
import { DEFAULT_MAX_PACKET_BYTES, guardConnection } from './packet-guard.ts';
import { GatewayRateLimiter, NEVER_LIMITED, type RateLimits } from './rate-limit.ts';
import { JournalReplay } from './replay.ts';

export interface BrokerOptions {
  gateways: GatewayVerifier;
  /** Service accounts (the cloud): name → password. They log in as `svc:<name>`. */
  services: Record<string, string>;
  /** Path of the SQLite file of the event journal (one broker; a cluster's journal is in Redis). */
  journalPath: string;
  /** Join the brokers sharing this Redis (REDIS_URL): emitter, persistence and journal live there. */
  cluster?: { redisUrl: string; brokerId?: string; offlineTtlS?: number };
  /** How often unacknowledged events are looked for, and how old they must be to be replayed (ms). */
  replay?: { intervalMs?: number; afterMs?: number };
  logger: Logger;
  registry: Registry;
  /** Messages per second per gateway (life-safety events are never limited). */
  rateLimits?: Partial<RateLimits>;
  /** Largest MQTT packet (fixed header included); a connection declaring a larger one is closed. */
  maxPacketBytes?: number;
}

export interface Broker {
  aedes: Aedes;
  journal: Journal;
  metrics: BrokerMetrics;
  /**
   * Serves one connection of any transport through the packet guard; use it instead of `aedes.handle`.
   * `address` is the client's, for the log line when the guard cuts the connection.
   */
  handle(stream: Duplex, address: string | undefined, request?: IncomingMessage): void;
  maxPacketBytes: number;
  /** Disconnects every live connection of a gateway on every broker of the cluster (revocation). */
  disconnectGateway(gatewayId: string): void;
  close(): Promise<void>;
}

/**
 * Messages that pass the ACL but carry a bad payload are accepted on the wire (a denied QoS 1 publish
 * would be resent by MQTT.js forever and block the gateway's whole outbox, SOS included) and rerouted
 * here, a topic nothing is ever forwarded from.
 */
const DROPPED_TOPIC = '$dropped';

function authError(code: 4 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: code }) as AuthenticateError;
}

/** Builds the Aedes broker with authentication, the contract ACL and the event journal; opens no port. */
export async function createBroker(options: BrokerOptions): Promise<Broker> {
  const log = options.logger.child({ component: 'broker' });
  const metrics = createBrokerMetrics(options.registry);
  const brokerId = options.cluster?.brokerId ?? randomUUID();
  const cluster: ClusterWiring | null = options.cluster
    ? await joinCluster({ ...options.cluster, brokerId, logger: log })
    : null;
  const journal: Journal = cluster?.journal ?? new EventJournal(options.journalPath);
  const authenticator = new ConnectAuthenticator(options.gateways, options.services);
  const principals = new WeakMap<Client, Principal>();
  // The client's address per connection stream, for log lines (Aedes sees only the guarded stream).
  const addresses = new WeakMap<object, string>();
  const addressOf = (client: Client): string | undefined => addresses.get(client.conn);

  const drop = (packet: PublishPacket, reason: string, detail: Record<string, unknown>): void => {
    metrics.dropped.inc({ reason });
    log.warn({ ...detail, reason, topic: packet.topic }, 'message dropped');
    packet.topic = DROPPED_TOPIC;
    packet.retain = false;
  };

  const limiter = new GatewayRateLimiter(options.rateLimits);
  const sweeper = setInterval(() => limiter.sweep(Date.now()), 60_000);
  sweeper.unref();

  const accept = async (packet: PublishPacket, parsed: ParsedTopic): Promise<void> => {
    const decoded = decodePayload(parsed.kind, packet.payload as Buffer);
    if (!decoded.ok) {
      drop(packet, decoded.reason, { gatewayId: parsed.gatewayId, detail: decoded.detail });
      return;
    }
    const critical =
      parsed.kind === 'device-event' && NEVER_LIMITED.has((decoded.value as { type: EventType }).type);
    if (!critical && !limiter.take(parsed.gatewayId, Date.now())) {
      drop(packet, 'rate_limit', { gatewayId: parsed.gatewayId });
      return;
    }
    if (parsed.kind === 'device-event') {
      const event = decoded.value as { id: string };
      const entry = { gatewayId: parsed.gatewayId, eventId: event.id, topic: packet.topic };
      await journal.append({ ...entry, payload: packet.payload as Buffer }, new Date());
      metrics.journaled.inc();
    }
  };

  // The cloud acknowledges events only after committing them (explicitly: see JOURNAL_ACK_TOPIC), and the
  // journal lets go of them then. In a cluster the journal is shared: any broker may take the ack.
  const acknowledge = (packet: PublishPacket): void => {
    const acks = parseJournalAck(packet.payload as Buffer);
    packet.topic = DROPPED_TOPIC;
    packet.retain = false;
    if (!acks) {
      metrics.dropped.inc({ reason: 'bad_ack' });
      log.warn({ bytes: (packet.payload as Buffer).length }, 'journal acknowledgement not understood');
      return;
    }
    // One commit for the whole acknowledgement (up to 500 events), not one fsync per event.
    journal
      .remove(acks)
      .catch((err: unknown) => log.warn({ err, events: acks.length }, 'journal removal failed'));
  };

  const aedes = await Aedes.createBroker({
    id: brokerId,
    // Alone, Aedes's memory persistence with retained messages indexed by topic (memory-persistence.ts).
    ...(cluster
      ? { mq: cluster.mq, persistence: cluster.persistence }
      : { persistence: indexedMemoryPersistence() }),
    drainTimeout: 30_000,
    concurrency: 1000,
    maxClientsIdLength: 64,
    authenticate: (client, username, password, done) => {
      authenticator.authenticate(username, password).then(
        (result) => {
          if (result.ok) {
            principals.set(client, result.principal);
            return done(null, true);
          }
          metrics.connectRefused.inc({ reason: result.reason });
          // A refused username may be a secret typed into the wrong field: only its keyed hash is logged.
          log.warn(
            {
              clientId: client.id,
              user: username && logPseudonym(username),
              address: addressOf(client),
              reason: result.reason,
            },
            'connect refused',
          );
          done(authError(result.reason === 'anonymous' ? 5 : 4, result.reason), false);
        },
        (err: unknown) => {
          log.error({ err }, 'authentication failed');
          done(Object.assign(new Error('server unavailable'), { returnCode: 3 }) as AuthenticateError, false);
        },
      );
    },
    authorizePublish: (client, packet, callback) => {
      const principal = client ? principals.get(client) : undefined;
      if (packet.topic === JOURNAL_ACK_TOPIC && principal?.kind === 'service') {
        acknowledge(packet);
        return callback(null);
      }
      const parsed = parseTopic(packet.topic);
      // An obsolete will published with no client: only a gateway's own state topic is ever a will.
      const allowed = principal ? canPublish(principal, packet.topic) : parsed?.kind === 'gateway-state';
      if (!allowed || parsed === null) {
        metrics.aclDenied.inc({ action: 'publish' });
        drop(packet, 'acl', { clientId: client?.id });
        return callback(null);
      }
      if (principal?.kind !== 'gateway') return callback(null);
      accept(packet, parsed).then(
        () => callback(null),
        (err: unknown) => {
          // The journal could not commit (disk full, Redis down): no PUBACK, so the gateway keeps the event.
          log.error({ err, gatewayId: parsed.gatewayId }, 'event journal commit failed');
          callback(err as Error);
        },
      );
    },
    authorizeSubscribe: (client, sub, callback) => {
      const principal = principals.get(client);
      if (principal && canSubscribe(principal, sub.topic)) return callback(null, sub);
      metrics.aclDenied.inc({ action: 'subscribe' });
      log.warn({ clientId: client.id, topic: sub.topic }, 'subscription refused');
      callback(null, null);
    },
    authorizeForward: (client, packet) => {
      if (packet.topic === DROPPED_TOPIC) return null;
      const principal = principals.get(client);
      if (principal?.kind === 'gateway' && !canSubscribe(principal, packet.topic)) return null;
      return packet;
    },
  });

  // The live connections of each gateway, kept as they come and go: looking them up by scanning every
  // client made each CONNECT cost as much as the connections already there (a third of a connect storm).
  const connections = new Map<string, Set<Client>>();
  const clientsOf = (gatewayId: string): Client[] =>
    [...(connections.get(gatewayId) ?? [])].filter((c) => !(c as { closed?: boolean }).closed);
  aedes.on('clientDisconnect', (client) => {
    const p = principals.get(client);
    if (p?.kind !== 'gateway') return;
    const set = connections.get(p.gatewayId);
    set?.delete(client);
    if (set?.size === 0) connections.delete(p.gatewayId);
  });

  aedes.on('client', (client) => {
    metrics.connections.inc();
    // One connection per gateway id: the newer wins (a gateway that rebooted, or a clone of its secret).
    const p = principals.get(client);
    if (p?.kind !== 'gateway') return;
    const set = connections.get(p.gatewayId) ?? new Set<Client>();
    connections.set(p.gatewayId, set);
    const others = clientsOf(p.gatewayId);
    set.clear();
    for (const c of others) set.add(c);
    set.add(client);
    for (const other of others) {
      if (other === client) continue;
      metrics.connectRefused.inc({ reason: 'replaced' });
      log.warn(
        { gatewayId: p.gatewayId, clientId: other.id, newClientId: client.id },
        'older connection of the gateway closed',
      );
      other.close();
    }
  });
  aedes.on('clientDisconnect', () => metrics.connections.dec());
  aedes.on('clientError', (client, err) =>
    log.debug({ clientId: client.id, err: err.message }, 'client error'),
  );

  const hostsCloud = (): boolean =>
    Object.values((aedes as unknown as { clients: Record<string, Client> }).clients).some(
      (c) => principals.get(c)?.kind === 'service',
    );
  const replay = new JournalReplay({ aedes, journal, metrics, logger: log, hostsCloud, ...options.replay });
  replay.start();
  // Whatever the cloud has not acknowledged yet is replayed each time it subscribes to events.
  aedes.on('subscribe', (subscriptions, client) => {
    if (principals.get(client)?.kind !== 'service') return;
    if (subscriptions.some((s) => s.topic.endsWith('/event') || s.topic.endsWith('#'))) replay.all();
  });

  const maxPacketBytes = options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
  const handle = (stream: Duplex, address: string | undefined, request?: IncomingMessage): void => {
    // Without it Nagle holds a small PUBLISH back until the peer's delayed ACK (~40 ms on Linux): an SOS
    // forwarded to the cloud's link or a PUBACK to a gateway waited for it (found by `npm run bench`).
    if (stream instanceof Socket) stream.setNoDelay(true);
    const guarded = guardConnection(stream, maxPacketBytes, (violation) => {
      metrics.connectionsCut.inc({ reason: violation.reason });
      log.warn({ ...violation, address, maxPacketBytes }, 'connection cut by the packet guard');
    });
    if (address) addresses.set(guarded, address);
    aedes.handle(guarded, request);
  };
  const cutOff = (gatewayId: string): void => {
    authenticator.forget(gatewayId);
    for (const client of clientsOf(gatewayId)) client.close();
  };
  // Revocation and rotation reach every broker through the shared emitter.
  const mq = (aedes as unknown as { mq: Emitter }).mq;
  const offAccess = onAccessChange(mq, cutOff);

  return {
    aedes,
    journal,
    metrics,
    handle,
    maxPacketBytes,
    disconnectGateway(gatewayId) {
      // Here at once (no reconnect may slip through on the old digest), then on every other broker.
      cutOff(gatewayId);
      announceAccessChange(mq, gatewayId).catch((err: unknown) =>
        log.error({ err, gatewayId }, 'gateway access notice failed'),
      );
    },
    async close() {
      clearInterval(sweeper);
      await replay.stop();
      offAccess();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await journal.close();
      await cluster?.close();
    },
  };
}
