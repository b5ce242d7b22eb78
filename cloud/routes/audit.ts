import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { AuditLog } from '../domain/audit.ts';
import { currentUser, problem, type RouteDeps, requireUser } from './context.ts';

const WRITE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Records every successful state-changing API request of a logged-in user (after it answered). */
export function auditHook(app: FastifyInstance, audit: AuditLog): void {
  app.addHook('onResponse', async (request, reply) => {
    if (!WRITE.has(request.method) || !request.user || reply.statusCode >= 400) return;
    const params = { ...(request.params as Record<string, string> | undefined) };
    // A created record's id (a user's username) is in the body; only that is kept, never names, notes or passwords.
    const body = request.body as { id?: unknown; username?: unknown } | undefined;
    if (typeof body?.id === 'string') params.id ??= body.id;
    if (typeof body?.username === 'string') params.username ??= body.username;
    await audit.record(request.user, {
      at: new Date().toISOString(),
      method: request.method,
      route: request.routeOptions.url ?? request.url.split('?')[0] ?? '',
      target: Object.keys(params).length > 0 ? params : null,
      status: reply.statusCode,
      address: request.ip,
    });
  });
}

/** The audit log, for admins and supervisors, limited to their scope. */
export const auditRoutes: FastifyPluginAsyncTypebox<RouteDeps & { audit: AuditLog }> = async (app, deps) => {
  app.addHook('onRequest', requireUser(deps));
  app.get(
    '/api/audit',
    {
      schema: {
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          before: Type.Optional(Type.String()),
        }),
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      if (user.role !== 'admin' && user.role !== 'supervisor')
        return problem(reply, 403, 'ERR_FORBIDDEN', 'the audit log is for supervisors and admins');
      return deps.audit.list(user, request.query.limit ?? 200, request.query.before);
    },
  );
};
