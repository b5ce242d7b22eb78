import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { AlertService } from '../domain/alert-service.ts';
import type { Registry } from '../domain/registry.ts';
import type { User } from '../domain/scope.ts';
import type { Sessions } from '../domain/sessions.ts';
import type { StatusStore } from '../domain/status-store.ts';
import type { CloudMetrics } from '../metrics.ts';
import type { NotificationOutbox } from '../notify/outbox.ts';

export const SESSION_COOKIE = 'eldercare_session';

/** What route modules need; handed to each as plugin options, so nothing hides in decorators. */
export interface RouteDeps {
  registry: Registry;
  sessions: Sessions;
  alerts: AlertService;
  status: StatusStore;
  notifications: NotificationOutbox;
  metrics: CloudMetrics;
  logger: Logger;
  /** Resolves a session token to its user, or null. */
  userForToken(token: string): Promise<User | null>;
}

/** The session token a request carries: `Authorization: Bearer …` first, then the cookie. */
export function requestToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim() || null;
  return request.cookies[SESSION_COOKIE] ?? null;
}

/** An onRequest hook (before body validation) that answers 401 unless the request carries a live session; sets `request.user`. */
export function requireUser(deps: RouteDeps) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const token = requestToken(request);
    const user = token ? await deps.userForToken(token) : null;
    if (!user) {
      await reply.code(401).send({
        statusCode: 401,
        code: 'ERR_UNAUTHENTICATED',
        error: 'Unauthorized',
        message: 'log in first',
      });
      return;
    }
    if (crossSiteCookieWrite(request)) {
      await reply.code(403).send({
        statusCode: 403,
        code: 'ERR_CSRF',
        error: 'Forbidden',
        message: 'cross-site request refused',
      });
      return;
    }
    request.user = user;
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF: a state-changing request authenticated by the cookie alone must come from our own pages. The
 * cookie is SameSite=Strict already; this also refuses a foreign `Origin` (older browsers, or a sibling
 * site). Bearer tokens are never sent by a browser on its own, so they need no check.
 */
function crossSiteCookieWrite(request: FastifyRequest): boolean {
  if (SAFE_METHODS.has(request.method) || request.headers.authorization?.startsWith('Bearer ')) return false;
  const origin = request.headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host !== request.headers.host;
  } catch {
    return true;
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    user?: User;
  }
}

export function currentUser(request: FastifyRequest): User {
  if (!request.user) throw new Error('route registered without requireUser');
  return request.user;
}

export function problem(reply: FastifyReply, statusCode: number, code: string, message: string) {
  const error =
    { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict' }[
      statusCode
    ] ?? 'Error';
  return reply.code(statusCode).send({ statusCode, code, error, message });
}
