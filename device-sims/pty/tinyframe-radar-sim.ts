/**
 * An MR60FDA2 / MR60BHA2 kit (Hi-Link LD6002 radar) on a pty, speaking TinyFrame
 * (DEVICE-PROTOCOLS §2). Reports go out with ID 0 like the worked frames; every host command is
 * acknowledged with the same TYPE and ID and no data, as Hi-Link documents.
 */
import {
  encodeTinyFrame,
  encodeTinyReading,
  SEEED_RADAR_BAUD,
  TF_TYPE,
  TinyFrameDecoder,
} from '../../edge/codecs/index.ts';
import { SerialDevice, type SerialDeviceOptions } from './serial-device.ts';

export type TinyFrameRadarModel = 'mr60fda2' | 'mr60bha2';

export interface TinyFrameRadarSimOptions extends Omit<SerialDeviceOptions, 'baudRate'> {
  model?: TinyFrameRadarModel;
  /**
   * Append the 0xFF empty-data checksum to ACKs (the Seeed `FrameCodec` form, 9 bytes) instead of the
   * stock TinyFrame 8-byte form. Default false; the edge decoder must accept both.
   */
  emptyChecksum?: boolean;
  baudRate?: number;
}

export interface TinyFrameRadarState {
  present: boolean;
  fallen: boolean;
  heartRate: number;
  breathRate: number;
}

export class TinyFrameRadarSim extends SerialDevice {
  readonly model: TinyFrameRadarModel;
  readonly state: TinyFrameRadarState = { present: false, fallen: false, heartRate: 0, breathRate: 0 };
  /** The host commands acknowledged so far, by TYPE, in order. */
  readonly commands: number[] = [];
  private readonly emptyChecksum: boolean;
  private readonly hostDecoder = new TinyFrameDecoder();

  constructor(options: TinyFrameRadarSimOptions) {
    super({ ...options, baudRate: options.baudRate ?? SEEED_RADAR_BAUD });
    this.model = options.model ?? 'mr60fda2';
    this.emptyChecksum = options.emptyChecksum ?? false;
  }

  // Each report is encoded before the state changes, so a value the codec rejects changes nothing.
  async presence(present: boolean): Promise<void> {
    const frame = encodeTinyReading({ kind: 'presence', present });
    this.state.present = present;
    await this.write(frame);
  }

  async fall(fallen: boolean): Promise<void> {
    const frame = encodeTinyReading({ kind: 'fall', fallen });
    this.state.fallen = fallen;
    await this.write(frame);
  }

  /** Sent as float32, so 72.1 arrives as the nearest float32. */
  async heartRate(bpm: number): Promise<void> {
    const frame = encodeTinyReading({ kind: 'heartRate', bpm });
    this.state.heartRate = bpm;
    await this.write(frame);
  }

  async breathRate(perMinute: number): Promise<void> {
    const frame = encodeTinyReading({ kind: 'breathRate', perMinute });
    this.state.breathRate = perMinute;
    await this.write(frame);
  }

  /** A 0x0100 debug-log frame such as the BHA2's "invalid BR = 7082"; parsers must skip it. */
  debugText(text: string): Promise<void> {
    return this.write(encodeTinyFrame(TF_TYPE.debugLog, Buffer.from(text, 'latin1')));
  }

  protected override onHostData(chunk: Buffer): void {
    for (const frame of this.hostDecoder.push(chunk)) {
      this.commands.push(frame.type);
      this.reply(
        encodeTinyFrame(frame.type, new Uint8Array(0), frame.id, { emptyChecksum: this.emptyChecksum }),
      );
    }
  }
}
