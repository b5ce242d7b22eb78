import { io, type Socket } from 'socket.io-client';
import {
  DISPATCH_NAMESPACE,
  type DispatchClientEvents,
  type DispatchServerEvents,
} from '../../protocol/alerts.ts';
import { get, getOptional, statusOf } from './api.ts';
import type { AlertQueue } from './queue-store.ts';
import type { ServiceQueue } from './service-store.ts';
import type { AlertView, ServiceTicket } from './types.ts';

/** A REST re-sync also runs on this beat, so even a push lost without a disconnect shows up. */
const RESYNC_EVERY_MS = 30_000;
const RETRY_MS = 5000;

export interface LiveDeps {
  token: string;
  queue: AlertQueue;
  /** The helpers' service tickets, fed by `service:*` pushes and the same re-syncs. */
  services: ServiceQueue;
  /** The socket's state, for the disconnected banner. */
  onConnection(connected: boolean): void;
  /** A REST re-sync failed (with the HTTP status, 0 for no answer) or, with null, worked again. */
  onSyncError(status: number | null): void;
  onExpired(): void;
}

/**
 * Never miss an alert: the `/dispatch` socket pushes changes, and after every (re)connect the queue is
 * re-read from REST, because the server's connection-state recovery only covers short drops.
 */
export class LiveLink {
  readonly #deps: LiveDeps;
  #socket: Socket<DispatchServerEvents, DispatchClientEvents> | null = null;
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #beat: ReturnType<typeof setInterval> | null = null;
  readonly #offline = (): void => this.#deps.onConnection(false);
  readonly #online = (): void => {
    if (this.#socket?.connected) this.#deps.onConnection(true);
    void this.resync();
  };

  constructor(deps: LiveDeps) {
    this.#deps = deps;
  }

  start(): void {
    const s: Socket<DispatchServerEvents, DispatchClientEvents> = io(DISPATCH_NAMESPACE, {
      auth: { token: this.#deps.token },
    });
    this.#socket = s;
    s.on('connect', () => {
      this.#deps.onConnection(true);
      void this.resync();
    });
    s.on('disconnect', (reason) => {
      if (s !== this.#socket) return;
      this.#deps.onConnection(false);
      // The server hung up: the client will not retry by itself.
      if (reason === 'io server disconnect') s.connect();
    });
    s.on('connect_error', (err) => {
      if (s !== this.#socket) return;
      if (err.message === 'unauthorized') return this.#deps.onExpired();
      this.#deps.onConnection(false);
      if (!s.active) this.#later(() => s.connect(), RETRY_MS);
    });
    s.on('alert:raised', (alert) => this.#deps.queue.apply(alert as AlertView));
    s.on('alert:updated', (alert) => this.#deps.queue.apply(alert as AlertView));
    s.on('service:raised', (ticket) => this.#deps.services.apply(ticket));
    s.on('service:updated', (ticket) => this.#deps.services.apply(ticket));
    window.addEventListener('offline', this.#offline);
    window.addEventListener('online', this.#online);
    this.#beat = setInterval(() => void this.resync(), RESYNC_EVERY_MS);
  }

  stop(): void {
    const s = this.#socket;
    this.#socket = null; // first, so the closing socket does not raise the banner on its way out
    s?.disconnect();
    window.removeEventListener('offline', this.#offline);
    window.removeEventListener('online', this.#online);
    if (this.#beat) clearInterval(this.#beat);
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  /** Re-reads the open and acknowledged alerts (and the service tickets); a newer re-sync supersedes one still in flight. */
  async resync(): Promise<void> {
    const { queue } = this.#deps;
    const seq = queue.beginSync();
    try {
      const lists = await Promise.all(
        (['open', 'acknowledged'] as const).map((state) => get<AlertView[]>(`/api/alerts?state=${state}`)),
      );
      const tickets = await getOptional<ServiceTicket[]>('/api/service-requests');
      if (tickets) this.#deps.services.load(tickets);
      if (queue.finishSync(seq, lists.flat())) this.#deps.onSyncError(null);
    } catch (err) {
      if (!this.#socket) return;
      const status = statusOf(err);
      if (status === 401) return; // api() already reported the expiry
      this.#deps.onSyncError(status);
      this.#later(() => void this.resync(), RETRY_MS);
    }
  }

  #later(fn: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#socket) fn();
    }, ms);
    this.#timers.add(timer);
  }
}
