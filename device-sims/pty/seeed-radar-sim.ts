/**
 * A first-generation Seeed 60 GHz radar (MR60FDA1 fall / MR60BHA1 breathing and heart) on a pty,
 * speaking SY…TC frames (DEVICE-PROTOCOLS §1). It reports on demand, keeps its current state, answers
 * the host's queries from that state and echoes heartbeat and reset frames as the modules do.
 */
import {
  encodeSyFrame,
  encodeSyReading,
  SEEED_RADAR_BAUD,
  SY_CTRL,
  SY_QUERY_DATA,
  SyDecoder,
  type SyFrame,
  type SyMotion,
  type SyReading,
} from '../../edge/codecs/index.ts';
import { SerialDevice, type SerialDeviceOptions } from './serial-device.ts';

export type SeeedRadarModel = 'mr60fda1' | 'mr60bha1';

export interface SeeedRadarSimOptions extends Omit<SerialDeviceOptions, 'baudRate'> {
  model?: SeeedRadarModel;
  /** Answer to the firmware query (0x02/0xA4); default the version printed in the Seeed wiki. */
  firmware?: string;
  baudRate?: number;
}

export interface SeeedRadarState {
  present: boolean;
  motion: SyMotion;
  fallen: boolean;
  residence: boolean;
  heartRate: number;
  breathRate: number;
}

const MOTIONS: readonly SyMotion[] = ['none', 'stationary', 'active'];
/** Where the fall report is cut by `fallSplit`: after the length, so the host holds a header. */
const FALL_SPLIT_AT = 6;
/** In the report groups a query sets the command's high bit (DEVICE-PROTOCOLS §1.2). */
const QUERY_BIT = 0x80;

function wordKey(ctrl: number, cmd: number): number {
  return (ctrl << 8) | cmd;
}

/** The reports the host may query, keyed by control and command word, read from the current state. */
const QUERY_ANSWERS: ReadonlyMap<number, (s: SeeedRadarState) => SyReading> = new Map<
  number,
  (s: SeeedRadarState) => SyReading
>([
  [wordKey(SY_CTRL.human, 0x01), (s) => ({ kind: 'presence', present: s.present })],
  [wordKey(SY_CTRL.human, 0x02), (s) => ({ kind: 'motion', motion: s.motion })],
  [wordKey(SY_CTRL.fall, 0x01), (s) => ({ kind: 'fall', fallen: s.fallen })],
  [wordKey(SY_CTRL.fall, 0x05), (s) => ({ kind: 'residence', stationary: s.residence })],
  [wordKey(SY_CTRL.breath, 0x02), (s) => ({ kind: 'breathRate', perMinute: s.breathRate })],
  [wordKey(SY_CTRL.heart, 0x02), (s) => ({ kind: 'heartRate', bpm: s.heartRate })],
]);

export class SeeedRadarSim extends SerialDevice {
  readonly model: SeeedRadarModel;
  readonly state: SeeedRadarState = {
    present: false,
    motion: 'none',
    fallen: false,
    residence: false,
    heartRate: 0,
    breathRate: 0,
  };
  private readonly firmware: string;
  private readonly hostDecoder = new SyDecoder();
  private heartbeatTimer: NodeJS.Timeout | undefined;

  constructor(options: SeeedRadarSimOptions) {
    super({ ...options, baudRate: options.baudRate ?? SEEED_RADAR_BAUD });
    this.model = options.model ?? 'mr60fda1';
    this.firmware = options.firmware ?? 'G60FD1SYv010104';
  }

  heartbeat(): Promise<void> {
    return this.write(encodeSyReading({ kind: 'heartbeat' }));
  }

  // Each report is encoded before the state changes, so a value the codec rejects changes nothing.
  async presence(present: boolean): Promise<void> {
    const frame = encodeSyReading({ kind: 'presence', present });
    this.state.present = present;
    await this.write(frame);
  }

  /** 0 = none, 1 = stationary, 2 = active. */
  async motion(level: 0 | 1 | 2): Promise<void> {
    const motion = MOTIONS[level];
    if (motion === undefined) throw new RangeError(`motion level ${level} is not 0, 1 or 2`);
    const frame = encodeSyReading({ kind: 'motion', motion });
    this.state.motion = motion;
    await this.write(frame);
  }

  async fall(fallen: boolean): Promise<void> {
    const frame = encodeSyReading({ kind: 'fall', fallen });
    this.state.fallen = fallen;
    await this.write(frame);
  }

  /** The stationary-residence ("stay-still") alarm. */
  async residence(stationary: boolean): Promise<void> {
    const frame = encodeSyReading({ kind: 'residence', stationary });
    this.state.residence = stationary;
    await this.write(frame);
  }

  /** Whole beats per minute, 0..255. */
  async heartRate(bpm: number): Promise<void> {
    const frame = encodeSyReading({ kind: 'heartRate', bpm });
    this.state.heartRate = bpm;
    await this.write(frame);
  }

  /** Whole breaths per minute, 0..255. */
  async breathRate(perMinute: number): Promise<void> {
    const frame = encodeSyReading({ kind: 'breathRate', perMinute });
    this.state.breathRate = perMinute;
    await this.write(frame);
  }

  /** A fall report cut in two writes, so the host has to reassemble it. */
  fallSplit(gapMs?: number): Promise<void> {
    this.state.fallen = true;
    return this.writeSplit(encodeSyReading({ kind: 'fall', fallen: true }), [FALL_SPLIT_AT], gapMs);
  }

  /** Sends a heartbeat every `ms`, as the module does about once a minute. */
  startAutoHeartbeat(ms = 60_000): void {
    this.stopAutoHeartbeat();
    this.heartbeatTimer = setInterval(() => this.reply(encodeSyReading({ kind: 'heartbeat' })), ms);
  }

  stopAutoHeartbeat(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  override async close(): Promise<void> {
    this.stopAutoHeartbeat();
    await super.close();
  }

  protected override onHostData(chunk: Buffer): void {
    for (const frame of this.hostDecoder.push(chunk)) {
      const answer = this.answer(frame);
      if (answer !== null) this.reply(answer);
    }
  }

  /** The module's reply to a host frame, or null for frames it ignores. */
  private answer(frame: SyFrame): Buffer | null {
    const isQuery = frame.data.length === 1 && frame.data[0] === SY_QUERY_DATA;
    if (!isQuery) return null;
    if (frame.ctrl === SY_CTRL.system) {
      if (frame.cmd === 0x01) return encodeSyReading({ kind: 'heartbeat' });
      if (frame.cmd === 0x02) return encodeSyReading({ kind: 'resetAck' });
      return null;
    }
    if (frame.ctrl === SY_CTRL.product && frame.cmd === 0xa4) {
      return encodeSyReading({ kind: 'firmware', version: this.firmware });
    }
    if (frame.ctrl < 0x80 || (frame.cmd & QUERY_BIT) === 0) return null;
    const current = QUERY_ANSWERS.get(wordKey(frame.ctrl, frame.cmd & ~QUERY_BIT));
    return current === undefined ? null : asQueryReply(encodeSyReading(current(this.state)));
  }
}

/** A report frame re-encoded with the query bit set, the form a module answers a query in. */
function asQueryReply(report: Buffer): Buffer {
  const [frame] = new SyDecoder().push(report);
  if (frame === undefined) throw new Error('the SY codec produced a frame it cannot decode');
  return encodeSyFrame(frame.ctrl, frame.cmd | QUERY_BIT, frame.data);
}
