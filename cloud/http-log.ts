import type { FastifyBaseLogger } from 'fastify';
import type { Logger } from 'pino';

/**
 * Paths pino blanks in HTTP log lines. The request serializer below already leaves headers and bodies
 * out; these catch them should an error or a plugin log one anyway.
 */
export const HTTP_LOG_REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'res.headers["set-cookie"]',
  'req.body',
  'body.password',
  'body.token',
  'body.secret',
  'body.address',
  'body.name',
];

interface LoggedRequest {
  method: string;
  url: string;
  ip?: string;
  id?: unknown;
}

/** A request in a log line: method, path without its query string, client address, request id. */
export function requestForLog(req: LoggedRequest): Record<string, unknown> {
  return { method: req.method, url: req.url.split('?')[0], remoteAddress: req.ip, reqId: req.id };
}

/**
 * Fastify's logger: warnings and errors only (per-request lines would drown the dispatch log), or every
 * request too when the root logger is at debug or trace.
 */
export function httpLogger(root: Logger): FastifyBaseLogger {
  return root.child(
    { component: 'http' },
    {
      level: root.isLevelEnabled('debug') ? 'info' : 'warn',
      redact: { paths: HTTP_LOG_REDACT, censor: '[redacted]' },
      serializers: { req: requestForLog },
    },
  ) as FastifyBaseLogger;
}
