import { io, type Socket } from 'socket.io-client';
import {
  DISPATCH_NAMESPACE,
  type DispatchClientEvents,
  type DispatchServerEvents,
} from '../../../protocol/alerts.ts';
import { statusOf } from '../api.ts';
import { call } from './api.ts';
import type { FamilyElder } from './types.ts';

/** Events come in bursts (raised, then acknowledged a second later): one re-read serves the burst. */
const COALESCE_MS = 150;
/** Also re-read on a slow beat, so a push lost without a disconnect still shows up. */
const RESYNC_EVERY_MS = 60_000;
const RETRY_MS = 5000;

export interface FamilyLiveDeps {
  token: string;
  onElders(elders: FamilyElder[]): void;
  onConnection(connected: boolean): void;
  onExpired(): void;
}

/**
 * The family page's link: the `/dispatch` socket (family users hear of their own elders' alerts and
 * service requests only)
 * says that something changed, and the page re-reads `GET /api/family/elders`, which also carries what
 * the centre did. Every (re)connect re-reads too, since a push may have been missed while away.
 */
export class FamilyLive {
  readonly #deps: FamilyLiveDeps;
  #socket: Socket<DispatchServerEvents, DispatchClientEvents> | null = null;
  #pending: ReturnType<typeof setTimeout> | null = null;
  #beat: ReturnType<typeof setInterval> | null = null;
  #seq = 0;
  readonly #online = (): void => this.soon();

  constructor(deps: FamilyLiveDeps) {
    this.#deps = deps;
  }

  start(): void {
    const s: Socket<DispatchServerEvents, DispatchClientEvents> = io(DISPATCH_NAMESPACE, {
      auth: { token: this.#deps.token },
    });
    this.#socket = s;
    s.on('connect', () => {
      this.#deps.onConnection(true);
      this.soon(0);
    });
    s.on('disconnect', (reason) => {
      if (s !== this.#socket) return;
      this.#deps.onConnection(false);
      if (reason === 'io server disconnect') s.connect();
    });
    s.on('connect_error', (err) => {
      if (s !== this.#socket) return;
      if (err.message === 'unauthorized') return this.#deps.onExpired();
      this.#deps.onConnection(false);
      if (!s.active) setTimeout(() => this.#socket === s && s.connect(), RETRY_MS);
    });
    s.on('alert:raised', () => this.soon());
    s.on('alert:updated', () => this.soon());
    s.on('service:raised', () => this.soon());
    s.on('service:updated', () => this.soon());
    window.addEventListener('online', this.#online);
    this.#beat = setInterval(() => this.soon(0), RESYNC_EVERY_MS);
  }

  stop(): void {
    const s = this.#socket;
    this.#socket = null;
    s?.disconnect();
    window.removeEventListener('online', this.#online);
    if (this.#beat) clearInterval(this.#beat);
    if (this.#pending) clearTimeout(this.#pending);
  }

  /** Re-reads after `ms`, folding calls that come meanwhile into one. */
  soon(ms = COALESCE_MS): void {
    if (this.#pending) return;
    this.#pending = setTimeout(() => {
      this.#pending = null;
      void this.resync();
    }, ms);
  }

  async resync(): Promise<void> {
    const seq = ++this.#seq;
    try {
      const elders = await call<FamilyElder[]>('GET', '/api/family/elders');
      // A slower, older answer must not overwrite a newer one.
      if (seq === this.#seq && this.#socket) this.#deps.onElders(elders);
    } catch (err) {
      if (!this.#socket || statusOf(err) === 401) return;
      this.soon(RETRY_MS);
    }
  }
}
