import { HttpError, InfluxDB, Point, type WriteApi } from '@influxdata/influxdb-client';
import type { Logger } from 'pino';
import type { VitalsEnvelope } from '../../protocol/index.ts';
import { VITALS } from '../domain/vitals-history.ts';
import type { InfluxMetrics } from '../metrics.ts';
import { Spool } from './spool.ts';

/** Where a reading came from: ids only (names and addresses never leave the cloud's own store). */
export interface VitalsSubject {
  gatewayId: string;
  deviceId: string;
  elderId: string;
  region: string;
}

/** Takes each vitals reading once it is committed; must never block or throw. */
export interface VitalsSink {
  write(subject: VitalsSubject, vitals: VitalsEnvelope): void;
}

export interface InfluxSinkOptions {
  url: string;
  token?: string | undefined;
  org: string;
  bucket: string;
  /** The spool file (`DATA_DIR/influx-spool.db`). */
  spoolPath: string;
  /** Spooled points kept at most; past it the oldest are shed. */
  spoolMaxPoints: number;
  batchSize?: number;
  flushIntervalMs?: number;
  /** Pause after a failed replay, doubled on each failure up to `retryMaxMs`. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** HTTP timeout of one write request. */
  timeoutMs?: number;
}

/** Measurement `vitals`, tags elder/gateway/device/region, one float field per vital, time in ms. */
export function vitalsLine(subject: VitalsSubject, vitals: VitalsEnvelope): string | undefined {
  const point = new Point('vitals')
    .tag('elder', subject.elderId)
    .tag('gateway', subject.gatewayId)
    .tag('device', subject.deviceId)
    .tag('region', subject.region)
    .timestamp(Date.parse(vitals.ts));
  for (const k of VITALS) {
    const value = vitals[k];
    if (value !== undefined) point.floatField(k, value);
  }
  return point.toLineProtocol();
}

/** An answer that says the points themselves are bad: sending them again cannot help. */
const isRejection = (err: unknown): boolean =>
  err instanceof HttpError && (err.statusCode === 400 || err.statusCode === 422);

/**
 * Copies every vitals reading to InfluxDB through the client's WriteApi (batched, gzip for big bodies).
 * The client keeps failed batches only in memory, so this sink keeps them on disk instead: a batch that
 * fails goes to the spool, and while the spool holds anything, new points are appended behind it (in
 * order) and one replay loop sends the spool oldest first with a growing pause, removing each batch
 * only after the server accepted it. A restart finds the spool and replays it.
 */
export class InfluxSink implements VitalsSink {
  readonly #spool: Spool;
  readonly #live: WriteApi;
  readonly #replayApi: WriteApi;
  readonly #metrics: InfluxMetrics;
  readonly #log: Logger;
  readonly #batchSize: number;
  readonly #retryMinMs: number;
  readonly #retryMaxMs: number;
  readonly #timeoutMs: number;
  /** Lines handed to the live WriteApi whose outcome (written or failed) is not known yet. */
  #pending = 0;
  #replaying: Promise<void> = Promise.resolve();
  #running = false;
  #wake: (() => void) | null = null;
  #closing = false;
  #outage = false;
  #shedLogged = false;

  constructor(options: InfluxSinkOptions, metrics: InfluxMetrics, logger: Logger) {
    this.#metrics = metrics;
    this.#log = logger.child({ component: 'influx' });
    this.#batchSize = options.batchSize ?? 1000;
    this.#retryMinMs = options.retryMinMs ?? 500;
    this.#retryMaxMs = options.retryMaxMs ?? 10_000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#spool = new Spool(options.spoolPath, options.spoolMaxPoints);
    metrics.spoolSize.set(this.#spool.size);
    const influx = new InfluxDB({ url: options.url, token: options.token, timeout: this.#timeoutMs });
    const common = { gzipThreshold: 64 * 1024, maxRetries: 0 };
    this.#live = influx.getWriteApi(options.org, options.bucket, 'ms', {
      ...common,
      batchSize: this.#batchSize,
      flushInterval: options.flushIntervalMs ?? 1000,
      writeSuccess: (lines) => this.#settled(lines, null),
      // A promise here replaces the client's in-memory retry: the spool is the retry buffer.
      writeFailed: (err, lines) => {
        this.#settled(lines, err);
        return Promise.resolve();
      },
    });
    // Replays send exactly one spool batch per flush and must learn whether it was written.
    this.#replayApi = influx.getWriteApi(options.org, options.bucket, 'ms', {
      ...common,
      batchSize: this.#batchSize + 1,
      flushInterval: 0,
      writeFailed: (err) => Promise.reject(err),
    });
  }

  /** Replays what an earlier run left in the spool. */
  start(): void {
    if (this.#spool.size > 0) {
      this.#log.info({ spooled: this.#spool.size }, 'replaying spooled vitals points');
      this.#kick();
    }
  }

  write(subject: VitalsSubject, vitals: VitalsEnvelope): void {
    try {
      const line = vitalsLine(subject, vitals);
      if (line === undefined || this.#closing) return;
      // Behind a non-empty spool, so points arrive in order and a down server is not hammered.
      if (this.#spool.size > 0) {
        this.#toSpool([line]);
        return;
      }
      this.#pending += 1;
      this.#live.writeRecord(line);
    } catch (err) {
      this.#metrics.writeErrors.inc({ kind: 'spool' });
      this.#log.error({ err, gatewayId: subject.gatewayId }, 'vitals point lost: could not queue it');
    }
  }

  /** Flushes what is buffered (to InfluxDB, or else to the spool) and closes the spool. */
  async close(): Promise<void> {
    this.#closing = true;
    this.#wake?.();
    await this.#replaying;
    await this.#live.close().catch(() => {});
    // Batches sent before close may still be on the wire; their outcome must reach the spool first.
    const deadline = Date.now() + this.#timeoutMs + 1000;
    while (this.#pending > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (this.#pending > 0) this.#log.error({ lost: this.#pending }, 'vitals points lost at shutdown');
    this.#replayApi.dispose();
    this.#spool.close();
  }

  #settled(lines: string[], err: Error | null): void {
    this.#pending -= lines.length;
    if (err === null) {
      this.#metrics.written.inc(lines.length);
      return;
    }
    if (isRejection(err)) {
      this.#rejected(lines.length, err);
      return;
    }
    this.#unavailable(err);
    try {
      this.#toSpool(lines);
    } catch (spoolErr) {
      this.#metrics.writeErrors.inc({ kind: 'spool' });
      this.#log.error({ err: spoolErr, lost: lines.length }, 'vitals points lost: the spool failed');
    }
  }

  #toSpool(lines: readonly string[]): void {
    const shed = this.#spool.append(lines);
    this.#metrics.spooled.inc(lines.length);
    this.#metrics.spoolSize.set(this.#spool.size);
    if (shed > 0) {
      this.#metrics.shed.inc(shed);
      if (!this.#shedLogged)
        this.#log.warn(
          { shed, limit: this.#spool.maxPoints },
          'vitals spool full: shedding its oldest points (counted in influx_points_shed_total)',
        );
      this.#shedLogged = true;
    }
    this.#kick();
  }

  #kick(): void {
    if (this.#running || this.#closing) return;
    this.#running = true;
    this.#replaying = this.#replay().catch((err: unknown) => {
      this.#log.error({ err }, 'vitals spool replay stopped; it resumes with the next point');
    });
  }

  async #replay(): Promise<void> {
    try {
      await this.#drain();
    } finally {
      // Cleared in the same tick the spool was found empty: a point spooled after this starts a new loop.
      this.#running = false;
    }
  }

  async #drain(): Promise<void> {
    let pause = this.#retryMinMs;
    for (;;) {
      if (this.#closing) return;
      const batch = this.#spool.peek(this.#batchSize);
      if (batch === null) break;
      try {
        this.#replayApi.writeRecords(batch.lines);
        await this.#replayApi.flush();
        this.#spool.remove(batch.throughSeq);
        this.#metrics.written.inc(batch.lines.length);
        pause = this.#retryMinMs;
      } catch (err) {
        if (isRejection(err)) {
          this.#spool.remove(batch.throughSeq);
          this.#rejected(batch.lines.length, err);
        } else {
          this.#unavailable(err);
          await this.#sleep(pause);
          pause = Math.min(pause * 2, this.#retryMaxMs);
        }
      }
      this.#metrics.spoolSize.set(this.#spool.size);
    }
    if (this.#outage) this.#log.info('InfluxDB answers again; the vitals spool is replayed');
    this.#outage = false;
    this.#shedLogged = false;
  }

  /** A pause that `close` cuts short (and that a closing sink does not start). */
  #sleep(ms: number): Promise<void> {
    if (this.#closing) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = null;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
    });
  }

  #unavailable(err: unknown): void {
    this.#metrics.writeErrors.inc({ kind: 'unavailable' });
    if (!this.#outage)
      this.#log.warn({ err }, 'InfluxDB write failed; spooling vitals points on disk until it answers');
    this.#outage = true;
  }

  #rejected(count: number, err: unknown): void {
    this.#metrics.writeErrors.inc({ kind: 'rejected' });
    this.#metrics.rejected.inc(count);
    this.#log.error({ err, count }, 'InfluxDB refused vitals points as invalid; they are dropped');
  }
}
