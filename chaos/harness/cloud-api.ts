import { io, type Socket } from 'socket.io-client';
import type { Alert } from '../../protocol/index.ts';
import { demoLogin } from '../../tests/support/world.ts';

/** The cloud's REST API as the harness uses it: demo logins, provisioning, alert reads. */
export class CloudApi {
  readonly url: string;

  constructor(url: string) {
    this.url = url;
  }

  login(username: string): Promise<string> {
    return demoLogin(this.url, username);
  }

  async post(token: string, path: string, body: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  }

  async alerts(token: string): Promise<Alert[]> {
    const res = await fetch(`${this.url}/api/alerts`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`GET /api/alerts: ${res.status}`);
    return (await res.json()) as Alert[];
  }
}

/**
 * A city supervisor's dispatch socket that reconnects by itself (through cloud restarts), noting when each
 * event's alert was first pushed.
 */
export class Dispatcher {
  readonly pushedAt = new Map<string, number>();
  readonly #socket: Socket;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('alert:raised', (a: Alert) => {
      if (!this.pushedAt.has(a.eventId)) this.pushedAt.set(a.eventId, Date.now());
    });
  }

  static async connect(api: CloudApi): Promise<Dispatcher> {
    const socket = io(`${api.url}/dispatch`, {
      auth: { token: await api.login('sup-city') },
      transports: ['websocket'],
      reconnectionDelay: 250,
      reconnectionDelayMax: 1000,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return new Dispatcher(socket);
  }

  close(): void {
    this.#socket.close();
  }
}
