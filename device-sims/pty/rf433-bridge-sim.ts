/**
 * A Sonoff RF Bridge (EFM8BB1) on a pty, 19200 baud (DEVICE-PROTOCOLS §5.1a): it reports each
 * received 433 MHz code as `AA A4 … 55` and counts the host's `AA A0 55` acknowledgements.
 */
import { encodeRfReceived, RF_BRIDGE_BAUD, RfBridgeDecoder } from '../../edge/codecs/index.ts';
import { SerialDevice, type SerialDeviceOptions, sleep } from './serial-device.ts';

export interface Rf433BridgeSimOptions extends Omit<SerialDeviceOptions, 'baudRate'> {
  baudRate?: number;
}

export interface PressOptions {
  /** Frames sent, like a button held long enough for the pendant to repeat; default 3. */
  repeats?: number;
  /** Pause between the repeats in ms; default 100, well inside the edge's 1 s repeat window. */
  gapMs?: number;
  /** Pulse timings in µs; defaults are the ESPurna documented frame (9920 / 310 / 970). */
  sync?: number;
  low?: number;
  high?: number;
}

export class Rf433BridgeSim extends SerialDevice {
  /** `AA A0 55` frames the host has sent. */
  acks = 0;
  private readonly hostDecoder = new RfBridgeDecoder();

  constructor(options: Rf433BridgeSimOptions) {
    super({ ...options, baudRate: options.baudRate ?? RF_BRIDGE_BAUD });
  }

  /** Reports `codeHex` (six hex digits, e.g. `511451`) `repeats` times, as a held pendant button does. */
  async press(codeHex: string, options: PressOptions = {}): Promise<void> {
    const { repeats = 3, gapMs = 100, sync = 9920, low = 310, high = 970 } = options;
    // Encoded up front, so a bad code throws before anything is sent.
    const frame = encodeRfReceived({ sync, low, high, code: codeHex });
    for (let i = 0; i < repeats; i++) {
      if (i > 0) await sleep(gapMs);
      await this.write(frame);
    }
  }

  protected override onHostData(chunk: Buffer): void {
    for (const frame of this.hostDecoder.push(chunk)) {
      if (frame.kind === 'ack') this.acks++;
    }
  }
}
