import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface CloudMetrics {
  registry: Registry;
  ingested: Counter<'kind'>;
  ingestDropped: Counter<'reason'>;
  duplicates: Counter;
  /** Readings per vitals transaction (group commit). */
  vitalsBatch: Histogram;
  eventBatch: Histogram;
  alertsRaised: Counter<'type' | 'severity'>;
  ingestToRaised: Histogram;
  ruleErrors: Counter<'rule'>;
  influx: InfluxMetrics;
}

/** The InfluxDB copy of vitals (`INFLUX_URL`); all zero when it is not configured. */
export interface InfluxMetrics {
  written: Counter;
  spooled: Counter;
  shed: Counter;
  rejected: Counter;
  writeErrors: Counter<'kind'>;
  spoolSize: Gauge;
}

/** One registry per process; the broker registers its own metrics into it too. */
export function createCloudMetrics(registry = new Registry()): CloudMetrics {
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    ruleErrors: new Counter({
      name: 'rule_errors_total',
      help: 'Rule evaluations that threw',
      labelNames: ['rule'],
      registers,
    }),
    ingested: new Counter({
      name: 'ingest_messages_total',
      help: 'Gateway messages ingested, by kind',
      labelNames: ['kind'],
      registers,
    }),
    ingestDropped: new Counter({
      name: 'ingest_dropped_total',
      help: 'Gateway messages the cloud dropped, by reason',
      labelNames: ['reason'],
      registers,
    }),
    duplicates: new Counter({
      name: 'ingest_duplicate_events_total',
      help: 'Events seen again with an id already recorded',
      registers,
    }),
    vitalsBatch: new Histogram({
      name: 'ingest_vitals_batch_readings',
      help: 'Vitals readings stored per transaction (group commit)',
      buckets: [1, 5, 20, 50, 100, 250, 500],
      registers,
    }),
    eventBatch: new Histogram({
      name: 'ingest_event_batch_events',
      help: 'Device events stored per transaction (group commit)',
      buckets: [1, 5, 20, 50, 100, 250, 500],
      registers,
    }),
    alertsRaised: new Counter({
      name: 'alerts_raised_total',
      help: 'Alerts raised',
      labelNames: ['type', 'severity'],
      registers,
    }),
    ingestToRaised: new Histogram({
      name: 'alert_occurred_to_raised_seconds',
      help: 'From the event on the device to the alert committed',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15, 60, 300],
      registers,
    }),
    influx: influxMetrics(registers),
  };
}

function influxMetrics(registers: Registry[]): InfluxMetrics {
  return {
    written: new Counter({
      name: 'influx_points_written_total',
      help: 'Vitals points InfluxDB accepted, live or replayed from the spool',
      registers,
    }),
    spooled: new Counter({
      name: 'influx_points_spooled_total',
      help: 'Vitals points put in the on-disk spool because InfluxDB could not take them',
      registers,
    }),
    shed: new Counter({
      name: 'influx_points_shed_total',
      help: 'Oldest spooled vitals points dropped to keep the spool within its limit',
      registers,
    }),
    rejected: new Counter({
      name: 'influx_points_rejected_total',
      help: 'Vitals points InfluxDB refused as invalid (HTTP 400/422); not retried',
      registers,
    }),
    writeErrors: new Counter({
      name: 'influx_write_errors_total',
      help: 'Failed InfluxDB writes: unavailable (spooled), rejected (dropped), spool (disk failed)',
      labelNames: ['kind'],
      registers,
    }),
    spoolSize: new Gauge({
      name: 'influx_spool_points',
      help: 'Vitals points waiting in the on-disk spool',
      registers,
    }),
  };
}
