import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import Type from 'typebox';
import type { FamilyOverview } from '../domain/family.ts';
import { type AcceptResult, acceptAsFamily } from '../domain/family-accept.ts';
import { currentUser, problem, type RouteDeps, requireUser } from './context.ts';

export interface FamilyDeps extends RouteDeps {
  family: FamilyOverview;
}

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
// Notification ids join alert, reason, recipient, channel and a digest with ':'.
const NotificationParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 400 }) });
const EtaMinutes = Type.Optional(Type.Integer({ minimum: 0, maximum: 600 }));

/** The family page's API: their elders at a glance, and "I'm on my way" from the page or a notification. */
export const familyRoutes: FastifyPluginAsyncTypebox<FamilyDeps> = async (app, deps) => {
  const onRequest = requireUser(deps);
  const accept = (user: Parameters<typeof acceptAsFamily>[1], id: string, body: AcceptBody) =>
    acceptAsFamily(
      { alerts: deps.alerts, cancelChain: (alertId) => deps.notifications.cancelChain(alertId) },
      user,
      id,
      body,
    );

  app.get('/api/family/elders', { onRequest }, async (request, reply) => {
    const user = currentUser(request);
    if (user.role !== 'family') return problem(reply, 403, 'ERR_FORBIDDEN', 'this page is for family users');
    return deps.family.eldersOf(user);
  });

  app.post(
    '/api/alerts/:id/accept',
    {
      onRequest,
      schema: {
        params: IdParams,
        body: Type.Optional(
          Type.Object({ etaMinutes: EtaMinutes, note: Type.Optional(Type.String({ maxLength: 1000 })) }),
        ),
      },
    },
    async (request, reply) =>
      answer(await accept(currentUser(request), request.params.id, request.body ?? {}), reply),
  );

  // No login: the notification's "On my way" button runs in the service worker, which holds no session;
  // the notification's own signed token stands for its recipient.
  app.post(
    '/api/notifications/:id/accept',
    {
      schema: {
        params: NotificationParams,
        body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }), etaMinutes: EtaMinutes }),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!deps.notifications.verify(id, request.body.token))
        return problem(reply, 403, 'ERR_BAD_TOKEN', 'this link is not valid');
      const sent = await deps.notifications.recipientOf(id);
      const user = sent ? (await deps.registry.findUser(sent.recipient))?.user : undefined;
      if (!sent || !user) return problem(reply, 404, 'ERR_NOT_FOUND', 'no such notification');
      const { etaMinutes } = request.body;
      deps.logger.info({ alertId: sent.alertId, notificationId: id }, 'family accepted from a notification');
      return answer(await accept(user, sent.alertId, etaMinutes !== undefined ? { etaMinutes } : {}), reply);
    },
  );
};

type AcceptBody = { etaMinutes?: number; note?: string };

function answer(result: AcceptResult, reply: FastifyReply) {
  if (result.ok) return reply.code(result.changed ? 201 : 200).send(result.alert);
  if (result.code === 'forbidden')
    return problem(reply, 403, 'ERR_FORBIDDEN', 'only a family member can accept an alert');
  if (result.code === 'not_found') return problem(reply, 404, 'ERR_NOT_FOUND', 'no such alert');
  return problem(reply, 409, 'ERR_ALREADY_RESOLVED', 'the alert is already resolved');
}
