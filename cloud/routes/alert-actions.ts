import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { canHandleAlert, canSeeAlert } from '../domain/scope.ts';
import { currentUser, problem, type RouteDeps, requireUser } from './context.ts';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const MILESTONES = [
  'responder_accepted',
  'on_scene',
  'help_confirmed',
  'family_notified',
  'ems_called',
] as const;

/** What dispatchers add to an alert besides acknowledging and resolving: notes and responder milestones. */
export const alertActionRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  app.addHook('onRequest', requireUser(deps));

  const guard = async (id: string, user: ReturnType<typeof currentUser>) => {
    const alert = await deps.alerts.store.get(id);
    if (!alert || !canSeeAlert(user, alert)) return 404;
    return canHandleAlert(user, alert) ? 200 : 403;
  };

  app.post(
    '/api/alerts/:id/notes',
    {
      schema: {
        params: IdParams,
        body: Type.Object({ note: Type.String({ minLength: 1, maxLength: 4000 }) }),
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      const status = await guard(request.params.id, user);
      if (status !== 200)
        return problem(
          reply,
          status,
          status === 404 ? 'ERR_NOT_FOUND' : 'ERR_FORBIDDEN',
          'cannot add a note here',
        );
      const result = await deps.alerts.record(request.params.id, user, {
        action: 'note',
        note: request.body.note,
      });
      return result.ok
        ? reply.code(201).send(result.alert)
        : problem(reply, 404, 'ERR_NOT_FOUND', 'no such alert');
    },
  );

  app.post(
    '/api/alerts/:id/milestones',
    {
      schema: {
        params: IdParams,
        body: Type.Object({
          milestone: Type.Enum(MILESTONES),
          responder: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          etaMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 600 })),
          note: Type.Optional(Type.String({ maxLength: 4000 })),
        }),
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      const status = await guard(request.params.id, user);
      if (status !== 200)
        return problem(
          reply,
          status,
          status === 404 ? 'ERR_NOT_FOUND' : 'ERR_FORBIDDEN',
          'cannot record a milestone here',
        );
      const { milestone, note, ...data } = request.body;
      const result = await deps.alerts.record(request.params.id, user, {
        action: milestone,
        ...(note ? { note } : {}),
        data,
      });
      return result.ok
        ? reply.code(201).send(result.alert)
        : problem(reply, 404, 'ERR_NOT_FOUND', 'no such alert');
    },
  );
};
