import type { Logger } from 'pino';
import {
  encodeSyFrame,
  encodeTinyFrame,
  interpretSy,
  interpretTinyFrame,
  SyDecoder,
  type SyReading,
  TF_TYPE,
  TinyFrameDecoder,
  type TinyReading,
} from '../codecs/index.ts';
import type { DeviceConfig } from '../config.ts';
import type { ByteLink, Clock, DeviceDriver, EdgeSink, VitalsReading } from './device.ts';
import { Watchdog } from './watchdog.ts';

type Reading = SyReading | TinyReading;

/** How one radar family frames its bytes: a decoder, and a query that makes the module answer. */
export interface RadarProtocol {
  decoder(): { push(chunk: Uint8Array): Reading[] };
  keepAliveQuery: Buffer;
}

export const SEEED_SY: RadarProtocol = {
  decoder() {
    const d = new SyDecoder({ maxDataLength: 64 });
    return { push: (chunk) => d.push(chunk).flatMap((f) => interpretSy(f) ?? []) };
  },
  // The heartbeat frame: the module echoes it, which proves it is alive between its own heartbeats.
  keepAliveQuery: encodeSyFrame(0x01, 0x01, Uint8Array.of(0x0f)),
};

export const TINYFRAME: RadarProtocol = {
  decoder() {
    const d = new TinyFrameDecoder();
    return { push: (chunk) => d.push(chunk).flatMap((f) => interpretTinyFrame(f) ?? []) };
  },
  // "Get parameters": every Hi-Link radar answers a command, so it doubles as a keep-alive.
  keepAliveQuery: encodeTinyFrame(TF_TYPE.getParameters),
};

const MOTION_EVERY_MS = 5 * 60_000;
const KEEPALIVE_EVERY_MS = 60_000;

/**
 * A 60 GHz radar (MR60FDA1/BHA1 over SY frames, MR60FDA2/BHA2 over TinyFrame): fall and presence become
 * events on change, heart and breath rates become folded vitals, and the module's own traffic keeps it
 * supervised. A fall "cleared" is reported only after a fall was seen, never from an unknown state.
 */
export class RadarDriver implements DeviceDriver {
  readonly id: string;
  readonly #link: ByteLink;
  readonly #sink: EdgeSink;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #protocol: RadarProtocol;
  readonly #decoder: { push(chunk: Uint8Array): Reading[] };
  readonly #watchdog: Watchdog;
  readonly #vitalsEveryMs: number;
  #fallen: boolean | null = null;
  #present: boolean | null = null;
  #stationary = false;
  #lastMotionAt = Number.NEGATIVE_INFINITY;
  #pending: VitalsReading = {};
  #timers: NodeJS.Timeout[] = [];

  constructor(
    device: DeviceConfig,
    deps: {
      link: ByteLink;
      sink: EdgeSink;
      logger: Logger;
      clock: Clock;
      protocol: RadarProtocol;
      vitalsEveryMs: number;
    },
  ) {
    this.id = device.id;
    this.#link = deps.link;
    this.#sink = deps.sink;
    this.#clock = deps.clock;
    this.#protocol = deps.protocol;
    this.#decoder = deps.protocol.decoder();
    this.#vitalsEveryMs = deps.vitalsEveryMs;
    this.#log = deps.logger.child({ deviceId: device.id, kind: device.kind });
    this.#watchdog = new Watchdog((device.silentAfterS ?? 180) * 1000, deps.clock, (alive) =>
      this.#sink.state(this.id, alive),
    );
  }

  start(): void {
    this.#link.on('data', this.#onData);
    this.#link.on('open', this.#onOpen);
    this.#link.on('close', this.#onClose);
    this.#timers.push(this.#clock.setInterval(() => this.#query(), KEEPALIVE_EVERY_MS));
    this.#timers.push(this.#clock.setInterval(() => this.#flushVitals(), this.#vitalsEveryMs));
    this.#link.start();
  }

  async stop(): Promise<void> {
    for (const t of this.#timers) this.#clock.clearInterval(t);
    this.#timers = [];
    this.#watchdog.stop();
    this.#link.off('data', this.#onData);
    this.#link.off('open', this.#onOpen);
    this.#link.off('close', this.#onClose);
    await this.#link.stop();
  }

  readonly #onOpen = (): void => {
    this.#log.info('port open');
    this.#query();
  };

  readonly #onClose = (): void => {
    this.#log.warn('port closed');
    this.#watchdog.lost();
  };

  readonly #onData = (chunk: Buffer): void => {
    for (const reading of this.#decoder.push(chunk)) {
      this.#watchdog.feed();
      this.#handle(reading);
    }
  };

  #handle(r: Reading): void {
    switch (r.kind) {
      case 'fall':
        this.#fall(r.fallen);
        break;
      case 'presence':
        if (r.present !== this.#present) this.#sink.event(this.id, r.present ? 'presence' : 'absence');
        this.#present = r.present;
        break;
      case 'residence':
        this.#stationary = r.stationary;
        break;
      case 'motion':
        this.#motion(r.motion === 'active');
        break;
      case 'heartRate':
        if (r.bpm > 0 && r.bpm <= 300) this.#pending.hr = r.bpm;
        break;
      case 'breathRate':
        if (r.perMinute > 0 && r.perMinute <= 120) this.#pending.rr = r.perMinute;
        break;
      default:
        break;
    }
  }

  #fall(fallen: boolean): void {
    if (fallen && this.#fallen !== true) this.#sink.event(this.id, 'fall', { stationary: this.#stationary });
    if (!fallen && this.#fallen === true) this.#sink.event(this.id, 'fall_cleared');
    this.#fallen = fallen;
  }

  #motion(active: boolean): void {
    const now = this.#clock.now();
    if (!active || now - this.#lastMotionAt < MOTION_EVERY_MS) return;
    this.#lastMotionAt = now;
    this.#sink.event(this.id, 'motion');
  }

  #flushVitals(): void {
    if (Object.keys(this.#pending).length === 0) return;
    this.#sink.vitals(this.id, this.#pending);
    this.#pending = {};
  }

  #query(): void {
    if (!this.#link.isOpen) return;
    this.#link
      .write(this.#protocol.keepAliveQuery)
      .catch((err: Error) => this.#log.debug({ err: err.message }, 'query failed'));
  }
}
