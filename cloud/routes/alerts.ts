import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ALERT_STATES, OUTCOMES } from '../../protocol/index.ts';
import type { ActionResult } from '../domain/alert-service.ts';
import { centreEntries } from '../domain/family.ts';
import { canHandleAlert, canSeeAlert } from '../domain/scope.ts';
import { currentUser, problem, type RouteDeps, requireUser } from './context.ts';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Note = Type.Optional(Type.String({ maxLength: 4000 }));

/** The alert queue and the operator's actions on it (CONTRACT §4). */
export const alertRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  app.addHook('onRequest', requireUser(deps));

  app.get(
    '/api/alerts',
    {
      schema: {
        querystring: Type.Object({
          state: Type.Optional(Type.Enum(ALERT_STATES)),
        }),
      },
    },
    async (request) => deps.alerts.store.listForUser(currentUser(request), request.query.state),
  );

  app.get('/api/alerts/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const alert = await deps.alerts.store.get(request.params.id);
    // Outside the caller's scope is indistinguishable from absent.
    if (!alert || !canSeeAlert(currentUser(request), alert))
      return problem(reply, 404, 'ERR_NOT_FOUND', 'no such alert');
    return alert;
  });

  app.get('/api/alerts/:id/timeline', { schema: { params: IdParams } }, async (request, reply) => {
    const alert = await deps.alerts.store.get(request.params.id);
    if (!alert || !canSeeAlert(currentUser(request), alert))
      return problem(reply, 404, 'ERR_NOT_FOUND', 'no such alert');
    const timeline = await deps.alerts.store.timeline(alert.id);
    // Families see what the centre is doing, not the operators' own notes and names.
    return currentUser(request).role === 'family' ? centreEntries(timeline) : timeline;
  });

  const guard = async (id: string, request: Parameters<typeof currentUser>[0]) => {
    const alert = await deps.alerts.store.get(id);
    const user = currentUser(request);
    if (!alert || !canSeeAlert(user, alert)) return { status: 404 as const };
    if (!canHandleAlert(user, alert)) return { status: 403 as const };
    return { status: 200 as const, user };
  };

  const answer = (result: ActionResult, reply: Parameters<typeof problem>[0]) => {
    if (result.ok) return result.alert;
    if (result.code === 'not_found') return problem(reply, 404, 'ERR_NOT_FOUND', 'no such alert');
    return problem(reply, 409, 'ERR_ALREADY_RESOLVED', 'the alert is already resolved');
  };

  app.post(
    '/api/alerts/:id/ack',
    { schema: { params: IdParams, body: Type.Optional(Type.Object({ note: Note })) } },
    async (request, reply) => {
      const g = await guard(request.params.id, request);
      if (g.status === 404) return problem(reply, 404, 'ERR_NOT_FOUND', 'no such alert');
      if (g.status === 403)
        return problem(reply, 403, 'ERR_FORBIDDEN', 'your role cannot acknowledge alerts');
      return answer(await deps.alerts.acknowledge(request.params.id, g.user, request.body?.note), reply);
    },
  );

  app.post(
    '/api/alerts/:id/resolve',
    {
      schema: {
        params: IdParams,
        body: Type.Object({ outcome: Type.Enum(OUTCOMES), note: Note }),
      },
    },
    async (request, reply) => {
      const g = await guard(request.params.id, request);
      if (g.status === 404) return problem(reply, 404, 'ERR_NOT_FOUND', 'no such alert');
      if (g.status === 403) return problem(reply, 403, 'ERR_FORBIDDEN', 'your role cannot resolve alerts');
      return answer(
        await deps.alerts.resolve(request.params.id, g.user, request.body.outcome, request.body.note),
        reply,
      );
    },
  );
};
