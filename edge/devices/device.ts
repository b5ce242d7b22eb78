import type { EventEmitter } from 'node:events';
import type { EventType, Feedback, VitalsEnvelope } from '../../protocol/index.ts';

/** Readings a driver hands to the agent; the agent stamps ids and times and queues them. */
export type VitalsReading = Omit<VitalsEnvelope, 'id' | 'ts'>;

export interface EdgeSink {
  event(deviceId: string, type: EventType, data?: Record<string, unknown>): void;
  vitals(deviceId: string, reading: VitalsReading): void;
  state(deviceId: string, online: boolean, extra?: { battery?: number; rssi?: number }): void;
}

/** A byte stream to a device (a serial port, a pty): opens, reopens, and says when it comes and goes. */
export interface ByteLink extends EventEmitter<{ data: [Buffer]; open: []; close: [] }> {
  readonly isOpen: boolean;
  start(): void;
  write(bytes: Uint8Array): Promise<void>;
  stop(): Promise<void>;
}

/** One device of the home, with a lifecycle: `start` subscribes, `stop` undoes everything. */
export interface DeviceDriver {
  readonly id: string;
  start(): void;
  stop(): Promise<void>;
  /** An alert of this home changed state: devices that can signal the elder do so. */
  feedback?(feedback: Feedback): void;
}

/** Injected time, so drivers are testable with a fake clock. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): NodeJS.Timeout;
  clearTimeout(t: NodeJS.Timeout | undefined): void;
  setInterval(fn: () => void, ms: number): NodeJS.Timeout;
  clearInterval(t: NodeJS.Timeout | undefined): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (t) => clearTimeout(t),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (t) => clearInterval(t),
};
