import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import Type from 'typebox';
import { SERVICE_STATES } from '../../protocol/index.ts';
import { covers } from '../domain/scope.ts';
import { type ServiceActionResult, ServiceDesk } from '../domain/service-desk.ts';
import { currentUser, problem, type RouteDeps, requireUser } from './context.ts';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const NoteBody = Type.Optional(Type.Object({ note: Type.Optional(Type.String({ maxLength: 4000 })) }));

export interface ServiceRouteDeps extends RouteDeps {
  services: ServiceDesk;
}

/**
 * The helpers' queue of service tickets (the green key), scoped exactly like alerts: staff see their
 * region, a family user their own elder's requests (and may not handle them); outside scope is 404.
 */
export const serviceRoutes: FastifyPluginAsyncTypebox<ServiceRouteDeps> = async (app, deps) => {
  app.addHook('onRequest', requireUser(deps));

  app.get(
    '/api/service-requests',
    { schema: { querystring: Type.Object({ state: Type.Optional(Type.Enum(SERVICE_STATES)) }) } },
    async (request) => deps.services.store.listForUser(currentUser(request), request.query.state),
  );

  app.get('/api/service-requests/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const ticket = await deps.services.store.get(request.params.id);
    if (!ticket || !covers(currentUser(request), ticket))
      return problem(reply, 404, 'ERR_NOT_FOUND', 'no such service request');
    return ticket;
  });

  /** 404 outside scope, 403 for a family user, else the action's answer. */
  const act = async (
    id: string,
    user: ReturnType<typeof currentUser>,
    reply: FastifyReply,
    run: () => Promise<ServiceActionResult>,
  ) => {
    const ticket = await deps.services.store.get(id);
    if (!ticket || !covers(user, ticket))
      return problem(reply, 404, 'ERR_NOT_FOUND', 'no such service request');
    if (!ServiceDesk.canHandle(user, ticket))
      return problem(reply, 403, 'ERR_FORBIDDEN', 'service requests are handled by the community’s helpers');
    const result = await run();
    if (result.ok) return result.ticket;
    if (result.code === 'not_found') return problem(reply, 404, 'ERR_NOT_FOUND', 'no such service request');
    return problem(reply, 409, 'ERR_SERVICE_CLOSED', 'the service request is already done or cancelled');
  };

  app.post(
    '/api/service-requests/:id/accept',
    { schema: { params: IdParams, body: NoteBody } },
    async (request, reply) => {
      const user = currentUser(request);
      return act(request.params.id, user, reply, () => deps.services.accept(request.params.id, user));
    },
  );

  app.post(
    '/api/service-requests/:id/done',
    { schema: { params: IdParams, body: NoteBody } },
    async (request, reply) => {
      const user = currentUser(request);
      const note = request.body?.note || undefined;
      return act(request.params.id, user, reply, () => deps.services.finish(request.params.id, user, note));
    },
  );

  app.post(
    '/api/service-requests/:id/cancel',
    { schema: { params: IdParams, body: NoteBody } },
    async (request, reply) => {
      const user = currentUser(request);
      const note = request.body?.note || undefined;
      return act(request.params.id, user, reply, () => deps.services.cancel(request.params.id, user, note));
    },
  );
};
