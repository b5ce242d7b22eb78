import type { Logger } from 'pino';
import type { Feedback } from '../../protocol/index.ts';
import { encodeRfFrame, RepeatFolder, RF_ACK, RfBridgeDecoder } from '../codecs/index.ts';
import type { DeviceConfig } from '../config.ts';
import { type PressEvent, pressEvent } from './code-action.ts';
import type { ByteLink, Clock, DeviceDriver, EdgeSink } from './device.ts';

/**
 * A Sonoff-style 433 MHz bridge (EFM8BB1 UART, `AA A4 … 55`): every received code is acknowledged with
 * `AA A0 55`, repeats of a held button within 1 s fold into one press, and the config's `codes` say what
 * a press means (`sos`, `sos_cancel`, `checkin`, `service_request:<service>`, or the object form
 * `{"type":"service_request","service":"meal"}`).
 */
export class Rf433BridgeDriver implements DeviceDriver {
  readonly id: string;
  readonly #codes: Map<string, PressEvent>;
  readonly #feedbackCode: string | undefined;
  readonly #link: ByteLink;
  readonly #sink: EdgeSink;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #decoder = new RfBridgeDecoder();
  readonly #folder = new RepeatFolder(1000);
  readonly #unknownLogged = new Set<string>();

  constructor(device: DeviceConfig, deps: { link: ByteLink; sink: EdgeSink; logger: Logger; clock: Clock }) {
    this.id = device.id;
    this.#codes = new Map(
      Object.entries(device.codes ?? {}).map(([code, action]) => [code.toUpperCase(), pressEvent(action)]),
    );
    this.#feedbackCode = device.feedbackCode?.toUpperCase();
    this.#link = deps.link;
    this.#sink = deps.sink;
    this.#clock = deps.clock;
    this.#log = deps.logger.child({ deviceId: device.id, kind: device.kind });
  }

  start(): void {
    this.#link.on('data', this.#onData);
    this.#link.on('open', this.#onOpen);
    this.#link.on('close', this.#onClose);
    this.#link.start();
  }

  async stop(): Promise<void> {
    this.#link.off('data', this.#onData);
    this.#link.off('open', this.#onOpen);
    this.#link.off('close', this.#onClose);
    await this.#link.stop();
  }

  /** When the centre acknowledges, a configured code is sent out (a sounder or lamp by the bed). */
  feedback(feedback: Feedback): void {
    if (feedback.state !== 'acknowledged' || !this.#feedbackCode || !this.#link.isOpen) return;
    const frame = encodeRfFrame({
      kind: 'transmit',
      sync: 9920,
      low: 310,
      high: 970,
      code: this.#feedbackCode,
    });
    this.#link
      .write(frame)
      .catch((err: Error) => this.#log.warn({ err: err.message }, 'feedback code not sent'));
  }

  // The bridge has no keep-alive of its own: it is online exactly while its port is open.
  readonly #onOpen = (): void => this.#sink.state(this.id, true);
  readonly #onClose = (): void => this.#sink.state(this.id, false);

  readonly #onData = (chunk: Buffer): void => {
    for (const frame of this.#decoder.push(chunk)) {
      if (frame.kind !== 'received') continue;
      this.#link
        .write(RF_ACK)
        .catch((err: Error) => this.#log.debug({ err: err.message }, 'ack not written'));
      if (this.#folder.accept(frame.code, this.#clock.now())) this.#press(frame.code);
    }
  };

  #press(code: string): void {
    const action = this.#codes.get(code);
    if (!action) {
      if (!this.#unknownLogged.has(code)) this.#log.warn({ code }, 'unknown 433 MHz code ignored');
      this.#unknownLogged.add(code);
      return;
    }
    this.#sink.event(this.id, action.type, action.data);
  }
}
