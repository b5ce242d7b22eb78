import { EventEmitter } from 'node:events';
import type { EventType } from '../protocol/index.ts';
import type { ByteLink, Clock, EdgeSink, VitalsReading } from './devices/device.ts';

/** A byte link in memory: `deviceSends` plays the device, `written` records what the driver wrote. */
export class FakeLink extends EventEmitter<{ data: [Buffer]; open: []; close: [] }> implements ByteLink {
  isOpen = false;
  readonly written: Buffer[] = [];
  start(): void {
    this.isOpen = true;
    this.emit('open');
  }
  async write(bytes: Uint8Array): Promise<void> {
    this.written.push(Buffer.from(bytes));
  }
  async stop(): Promise<void> {
    this.isOpen = false;
  }
  deviceSends(bytes: Uint8Array): void {
    this.emit('data', Buffer.from(bytes));
  }
  unplug(): void {
    this.isOpen = false;
    this.emit('close');
  }
}

export interface Recorded {
  events: { deviceId: string; type: EventType; data?: Record<string, unknown> }[];
  readings: { deviceId: string; reading: VitalsReading }[];
  states: { deviceId: string; online: boolean; extra?: { battery?: number } }[];
}

export function recordingSink(): EdgeSink & Recorded {
  const r: Recorded = { events: [], readings: [], states: [] };
  return {
    ...r,
    event: (deviceId, type, data) => void r.events.push({ deviceId, type, ...(data ? { data } : {}) }),
    vitals: (deviceId, reading) => void r.readings.push({ deviceId, reading }),
    state: (deviceId, online, extra) => void r.states.push({ deviceId, online, ...(extra ? { extra } : {}) }),
  };
}

/** A clock whose time only moves when the test says so; timers fire in order as it advances. */
export class FakeClock implements Clock {
  #now = Date.UTC(2026, 10, 22, 9, 0, 0);
  #timers = new Map<number, { at: number; fn: () => void; every?: number }>();
  #next = 1;
  now = (): number => this.#now;
  setTimeout = (fn: () => void, ms: number): NodeJS.Timeout => this.#add(fn, ms);
  setInterval = (fn: () => void, ms: number): NodeJS.Timeout => this.#add(fn, ms, ms);
  clearTimeout = (t: NodeJS.Timeout | undefined): void => void this.#timers.delete(t as unknown as number);
  clearInterval = (t: NodeJS.Timeout | undefined): void => void this.#timers.delete(t as unknown as number);
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      const due = [...this.#timers.entries()]
        .filter(([, t]) => t.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      const [id, timer] = due;
      this.#now = timer.at;
      if (timer.every) timer.at += timer.every;
      else this.#timers.delete(id);
      timer.fn();
    }
    this.#now = end;
  }
  get pending(): number {
    return this.#timers.size;
  }
  #add(fn: () => void, ms: number, every?: number): NodeJS.Timeout {
    const id = this.#next++;
    this.#timers.set(id, { at: this.#now + ms, fn, ...(every ? { every } : {}) });
    return id as unknown as NodeJS.Timeout;
  }
}
