// @ts-check
const { EventEmitter } = require('node:events');
const { io } = require('socket.io-client');

/** @typedef {{status: number, body: unknown, retryAfterS?: number}} ApiAnswer */
/** @typedef {'idle' | 'connecting' | 'connected' | 'disconnected'} ConnectionState */
/** @typedef {'alert:raised' | 'alert:updated'} AlertEvent */
/** @typedef {(event: AlertEvent, alert: Record<string, unknown>) => void} AlertListener */

const REQUEST_TIMEOUT_MS = 10_000;
const MAX_RETRY_MS = 60_000;

/** The body of an answer: parsed JSON when it is JSON, else the text. */
async function readBody(/** @type {Response} */ res) {
  const text = await res.text();
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

/**
 * One account on one eldercare cloud: logs in once (`POST /api/session`), logs in again when a request
 * answers 401 (session expired or revoked), and keeps one Socket.IO `/dispatch` connection that every
 * alert node of this server shares. Emits `state` (ConnectionState, detail) when the socket's state changes.
 */
class EldercareClient extends EventEmitter {
  #url;
  #username;
  #password;
  #retryMs;
  /** @type {string | null} */
  #token = null;
  /** @type {Promise<ApiAnswer | null> | null} */
  #loggingIn = null;
  /** @type {ApiAnswer | null} The refusal of these credentials: they are not tried again (see `#login`). */
  #refused = null;
  /** @type {import('socket.io-client').Socket | null} */
  #socket = null;
  /** @type {Set<AlertListener>} */
  #listeners = new Set();
  /** @type {NodeJS.Timeout | null} */
  #retry = null;
  /** @type {Set<Promise<unknown>>} */
  #inFlight = new Set();
  #failures = 0;
  /** Counts socket closes, so a connection attempt that outlived its socket's close stands down. */
  #generation = 0;
  #closed = false;
  /** @type {ConnectionState} */
  state = 'idle';
  detail = '';

  /** @param {{url: string, username: string, password: string, retryMs?: number}} options */
  constructor(options) {
    super();
    this.#url = String(options.url ?? '').replace(/\/+$/, '');
    this.#username = options.username;
    this.#password = options.password;
    this.#retryMs = options.retryMs ?? 2000;
  }

  get url() {
    return this.#url;
  }

  /**
   * Calls the REST API with this account's session. Resolves with every HTTP answer (the caller decides
   * what a 409 means); a refused login resolves with the login's answer. Rejects only when the cloud
   * cannot be reached.
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   * @returns {Promise<ApiAnswer>}
   */
  request(method, path, body) {
    if (this.#closed) return Promise.reject(new Error('the eldercare server node is closed'));
    const answer = this.#request(method, path, body);
    // `close` waits for these: a request still open when the cloud shuts down would hold its server up.
    this.#inFlight.add(answer);
    const forget = () => this.#inFlight.delete(answer);
    answer.then(forget, forget);
    return answer;
  }

  /**
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   * @returns {Promise<ApiAnswer>}
   */
  async #request(method, path, body) {
    for (let attempt = 0; ; attempt++) {
      if (!this.#token) {
        const refusal = await this.#login();
        if (refusal) return refusal;
      }
      const token = this.#token;
      const res = await fetch(`${this.#url}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const answer = { status: res.status, body: await readBody(res) };
      // A 401 means the session ended (expiry, logout, restart of the cloud with another database).
      if (res.status !== 401 || attempt > 0) return answer;
      if (this.#token === token) this.#token = null;
    }
  }

  /**
   * Listens for alerts on the shared `/dispatch` socket; the socket opens with the first listener and
   * closes with the last. Returns the function that stops listening.
   * @param {AlertListener} listener
   */
  subscribe(listener) {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1 && !this.#closed) void this.#connect();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#closeSocket();
    };
  }

  /** Closes the socket and ends the session on the cloud (best effort: the cloud may be gone already). */
  async close() {
    this.#closed = true;
    this.#listeners.clear();
    this.#closeSocket();
    // Let requests and a login under way finish (each has a timeout), then end the session.
    await Promise.allSettled([...this.#inFlight, this.#loggingIn]);
    const token = this.#token;
    this.#token = null;
    if (!token) return;
    await fetch(`${this.#url}/api/session`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(2000),
    }).then(
      (res) => res.body?.cancel(),
      () => {},
    );
  }

  /**
   * Logs in once for all concurrent callers. Resolves with null when a token was obtained, else with the
   * refusing answer; rejects when the cloud cannot be reached.
   * @returns {Promise<ApiAnswer | null>}
   */
  #login() {
    if (this.#refused) return Promise.resolve(this.#refused);
    if (!this.#loggingIn) {
      this.#loggingIn = (async () => {
        try {
          const res = await fetch(`${this.#url}/api/session`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json' },
            body: JSON.stringify({ username: this.#username, password: this.#password }),
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          });
          const body = await readBody(res);
          const token = /** @type {{token?: unknown} | undefined} */ (body)?.token;
          if (res.status !== 200 || typeof token !== 'string') {
            const retryAfterS = Number(res.headers.get('retry-after')) || undefined;
            const refusal = { status: res.status, body, ...(retryAfterS ? { retryAfterS } : {}) };
            // Wrong credentials stay wrong until the node is redeployed with others; trying them again
            // would only lock the account (the cloud locks it after a few failures).
            if (res.status === 400 || res.status === 401) this.#refused = refusal;
            return refusal;
          }
          this.#token = token;
          return null;
        } finally {
          this.#loggingIn = null;
        }
      })();
    }
    return this.#loggingIn;
  }

  /** Logs in if needed, then opens (or reopens) the socket; on failure, tries again later. */
  async #connect() {
    this.#clearRetry();
    const generation = this.#generation;
    this.#setState('connecting');
    /** @type {ApiAnswer | null} */
    let refusal = null;
    /** @type {string} */
    let unreachable = '';
    try {
      refusal = this.#token ? null : await this.#login();
    } catch (err) {
      unreachable = `cannot reach ${this.#url}: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (this.#closed || generation !== this.#generation) return;
    if (refusal === this.#refused && refusal) {
      this.#setState('disconnected', `login refused (${refusal.status}): check the username and password`);
      return;
    }
    if (refusal || unreachable) {
      this.#setState('disconnected', unreachable || `login refused (${refusal?.status})`);
      this.#retryLater((refusal?.retryAfterS ?? 0) * 1000);
      return;
    }
    if (this.#socket) {
      this.#socket.connect();
      return;
    }
    const socket = io(`${this.#url}/dispatch`, {
      // A function, so every reconnection presents the current token rather than the first one.
      auth: (cb) => cb({ token: this.#token ?? '' }),
      reconnectionDelay: 1000,
      reconnectionDelayMax: 10_000,
    });
    this.#socket = socket;
    socket.on('connect', () => {
      this.#failures = 0;
      this.#setState('connected');
    });
    socket.on('disconnect', (reason) => {
      this.#setState('disconnected', reason);
      // The server dropped us on purpose (session revoked): Socket.IO does not come back by itself.
      if (reason === 'io server disconnect') this.#relogin();
    });
    socket.on('connect_error', (err) => {
      this.#setState('disconnected', err.message);
      // Refused by the server's auth middleware (an expired session): no automatic reconnection either.
      if (!socket.active) this.#relogin();
    });
    socket.on('alert:raised', (alert) => this.#deliver('alert:raised', alert));
    socket.on('alert:updated', (alert) => this.#deliver('alert:updated', alert));
  }

  #relogin() {
    this.#token = null;
    this.#retryLater();
  }

  /** Backs off 2 s, 4 s, … up to a minute (or longer when the cloud asks for it: a locked account). */
  #retryLater(atLeastMs = 0) {
    if (this.#closed || this.#retry) return;
    const delay = Math.max(atLeastMs, Math.min(MAX_RETRY_MS, this.#retryMs * 2 ** this.#failures));
    this.#failures++;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      void this.#connect();
    }, delay);
  }

  #clearRetry() {
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
  }

  #closeSocket() {
    this.#generation++;
    this.#clearRetry();
    const socket = this.#socket;
    this.#socket = null;
    if (socket) {
      socket.removeAllListeners();
      socket.disconnect();
    }
    this.#setState('idle');
  }

  /**
   * @param {AlertEvent} event
   * @param {Record<string, unknown>} alert
   */
  #deliver(event, alert) {
    for (const listener of this.#listeners) {
      try {
        listener(event, alert);
      } catch (err) {
        // One node's failure must not keep the alert from the others.
        this.emit('listener-error', err);
      }
    }
  }

  /**
   * @param {ConnectionState} state
   * @param {string} [detail]
   */
  #setState(state, detail = '') {
    if (state === this.state && detail === this.detail) return;
    this.state = state;
    this.detail = detail;
    this.emit('state', state, detail);
  }
}

module.exports = { EldercareClient };
