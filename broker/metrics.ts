import { Counter, Gauge, type Registry } from 'prom-client';

export interface BrokerMetrics {
  connections: Gauge;
  connectRefused: Counter<'reason'>;
  dropped: Counter<'reason'>;
  aclDenied: Counter<'action'>;
  journaled: Counter;
  journalReplayed: Counter;
  connectionsCut: Counter<'reason'>;
}

export function createBrokerMetrics(registry: Registry): BrokerMetrics {
  const registers = [registry];
  return {
    connections: new Gauge({ name: 'mqtt_connections', help: 'Open MQTT connections', registers }),
    connectRefused: new Counter({
      name: 'mqtt_connect_refused_total',
      help: 'CONNECTs refused, by reason',
      labelNames: ['reason'],
      registers,
    }),
    dropped: new Counter({
      name: 'mqtt_messages_dropped_total',
      help: 'Gateway messages accepted on the wire but dropped, by reason',
      labelNames: ['reason'],
      registers,
    }),
    aclDenied: new Counter({
      name: 'mqtt_acl_denied_total',
      help: 'Publishes and subscriptions refused by the ACL',
      labelNames: ['action'],
      registers,
    }),
    journaled: new Counter({
      name: 'mqtt_events_journaled_total',
      help: 'Events committed before PUBACK',
      registers,
    }),
    journalReplayed: new Counter({
      name: 'mqtt_events_replayed_total',
      help: 'Journaled events replayed to the cloud after it (re)subscribed',
      registers,
    }),
    connectionsCut: new Counter({
      name: 'mqtt_connections_cut_total',
      help: 'Connections closed by the packet guard before reading a packet, by reason (too_large, malformed)',
      labelNames: ['reason'],
      registers,
    }),
  };
}
