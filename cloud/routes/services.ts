import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { SERVICE_STATES } from '../../protocol/index.ts';
import { covers, type User } from '../domain/scope.ts';
import type { ServiceActionResult, ServiceDesk } from '../domain/service-desk.ts';
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

  const refusals = {
    not_found: [404, 'ERR_NOT_FOUND', 'no such service request'],
    forbidden: [403, 'ERR_FORBIDDEN', 'service requests are handled by the community’s helpers'],
    closed: [409, 'ERR_SERVICE_CLOSED', 'the service request is already done or cancelled'],
  } as const;
  const actions = {
    accept: (id: string, user: User) => deps.services.accept(id, user),
    done: (id: string, user: User, note?: string) => deps.services.finish(id, user, note),
    cancel: (id: string, user: User, note?: string) => deps.services.cancel(id, user, note),
  } satisfies Record<string, (id: string, user: User, note?: string) => Promise<ServiceActionResult>>;

  for (const [name, run] of Object.entries(actions))
    app.post(
      `/api/service-requests/:id/${name}`,
      { schema: { params: IdParams, body: NoteBody } },
      async (request, reply) => {
        const result = await run(request.params.id, currentUser(request), request.body?.note || undefined);
        if (result.ok) return result.ticket;
        const [status, code, message] = refusals[result.code];
        return problem(reply, status, code, message);
      },
    );
};
