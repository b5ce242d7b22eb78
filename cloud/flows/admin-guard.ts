import { EventEmitter } from 'node:events';
import {
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { Duplex } from 'node:stream';
import { fastifyCookie } from '@fastify/cookie';
import type { User } from '../domain/scope.ts';
import { SESSION_COOKIE } from '../routes/context.ts';

export type Authenticate = (token: string) => Promise<User | null>;

/** A successful change made through the flow editor, for the audit log. */
export interface FlowsWrite {
  method: string;
  route: string;
  status: number;
  address: string;
}

type Verdict = { status: 200; user: User } | { status: 401 | 403; code: string; message: string };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The session token of a raw request, as the REST API reads it: `Authorization: Bearer` first, then the cookie. */
export function sessionToken(headers: IncomingHttpHeaders): string | null {
  const header = headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim() || null;
  return headers.cookie ? fastifyCookie.parse(headers.cookie)[SESSION_COOKIE] || null : null;
}

/**
 * Cookie-authenticated writes (and WebSocket upgrades) must come from our own pages: the cookie is
 * SameSite=Strict already; a foreign `Origin` is refused too, as the REST API does.
 */
function crossSite(headers: IncomingHttpHeaders, method: string): boolean {
  if (SAFE_METHODS.has(method) || headers.authorization?.startsWith('Bearer ') || !headers.origin)
    return false;
  try {
    return new URL(headers.origin).host !== headers.host;
  } catch {
    return true;
  }
}

/** The embedded Node-RED runs arbitrary code and sees every alert: only admins reach it. */
export async function flowsAccess(
  headers: IncomingHttpHeaders,
  method: string,
  authenticate: Authenticate,
): Promise<Verdict> {
  const token = sessionToken(headers);
  const user = token ? await authenticate(token) : null;
  if (!user) return { status: 401, code: 'ERR_UNAUTHENTICATED', message: 'log in first' };
  if (user.role !== 'admin')
    return { status: 403, code: 'ERR_FORBIDDEN', message: 'the flow editor is for admins only' };
  if (crossSite(headers, method))
    return { status: 403, code: 'ERR_CSRF', message: 'cross-site request refused' };
  return { status: 200, user };
}

/**
 * A middleware mounted at `/flows` ahead of Node-RED's own: answers 401 / 403 itself (in the REST API's
 * problem format), else passes the request on; successful writes are reported to `onWrite`.
 */
export function flowsGuard(authenticate: Authenticate, onWrite?: (user: User, write: FlowsWrite) => void) {
  return (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void => {
    const method = req.method ?? 'GET';
    // The cloud's own security headers are set by a Fastify hook, which Node-RED's answers never pass.
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('x-frame-options', 'SAMEORIGIN');
    flowsAccess(req.headers, method, authenticate).then((verdict) => pass(verdict, req, res, next), next);
  };

  function pass(
    verdict: Verdict,
    req: IncomingMessage,
    res: ServerResponse,
    next: (err?: unknown) => void,
  ): void {
    const method = req.method ?? 'GET';
    if (verdict.status !== 200) {
      const { status, code, message } = verdict;
      res
        .writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
        .end(JSON.stringify({ statusCode: status, code, error: STATUS_CODES[status], message }));
      return;
    }
    if (onWrite && !SAFE_METHODS.has(method)) {
      // @fastify/middie keeps the URL before it stripped the mount path in `originalUrl`.
      const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '';
      const route = url.split('?')[0] ?? '';
      res.once('finish', () => {
        if (res.statusCode < 400)
          onWrite(verdict.user, {
            method,
            route,
            status: res.statusCode,
            address: req.socket.remoteAddress ?? '',
          });
      });
    }
    next();
  }
}

/**
 * WebSocket upgrades bypass HTTP middleware, and Node-RED's editor lives on one (`/flows/comms`: deploy
 * notices, debug messages with alert data). Node-RED is handed this emitter as its "server": it sees only
 * the upgrades under `prefix` that an admin made; the rest are answered 401 / 403 here and closed.
 */
export class UpgradeGate extends EventEmitter {
  readonly #server: Server;
  readonly #onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

  constructor(server: Server, prefix: string, authenticate: Authenticate) {
    super();
    this.#server = server;
    this.#onUpgrade = (req, socket, head) => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (path !== prefix && !path.startsWith(`${prefix}/`)) return;
      flowsAccess(req.headers, 'UPGRADE', authenticate).then(
        (verdict) => {
          if (verdict.status === 200) {
            this.emit('upgrade', req, socket, head);
            return;
          }
          socket.end(
            `HTTP/1.1 ${verdict.status} ${STATUS_CODES[verdict.status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
          );
        },
        () => socket.destroy(),
      );
    };
    server.on('upgrade', this.#onUpgrade);
  }

  close(): void {
    this.#server.off('upgrade', this.#onUpgrade);
    this.removeAllListeners();
  }
}
