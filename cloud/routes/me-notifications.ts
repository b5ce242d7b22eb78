import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { SEVERITIES } from '../../protocol/index.ts';
import type { NotificationPrefs } from '../notify/types.ts';
import { currentUser, problem, type RouteDeps, requireUser } from './context.ts';

export interface MeNotificationDeps extends RouteDeps {
  /** The VAPID public key browsers subscribe with; absent when Web Push is not set up. */
  vapidPublicKey?: () => string;
}

const HHMM = '^([01][0-9]|2[0-3]):[0-5][0-9]$';
const B64URL = '^[A-Za-z0-9_-]+=*$';
const Endpoint = Type.String({ pattern: '^https://[^\\s]+$', maxLength: 2048 });
const Subscription = Type.Object({
  endpoint: Endpoint,
  keys: Type.Object({
    p256dh: Type.String({ pattern: B64URL, minLength: 16, maxLength: 200 }),
    auth: Type.String({ pattern: B64URL, minLength: 8, maxLength: 100 }),
  }),
});
const Prefs = Type.Object(
  {
    push: Type.Boolean(),
    email: Type.Optional(Type.String({ pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$', maxLength: 254 })),
    webhook: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 2048 })),
    severities: Type.Array(Type.Enum(SEVERITIES), { maxItems: SEVERITIES.length, uniqueItems: true }),
    quietHours: Type.Optional(
      Type.Object(
        { start: Type.String({ pattern: HHMM }), end: Type.String({ pattern: HHMM }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** A URL the schema's pattern let through may still not parse (`https://[`); say which field. */
function badUrl(value: string | undefined): boolean {
  if (value === undefined) return false;
  try {
    new URL(value);
    return false;
  } catch {
    return true;
  }
}

/** Where and when a logged-in user is told of alerts: Web Push subscriptions and notification preferences. */
export const meNotificationRoutes: FastifyPluginAsyncTypebox<MeNotificationDeps> = async (app, deps) => {
  const onRequest = requireUser(deps);

  // Public: the key is what every browser needs before it can subscribe, and it is no secret.
  app.get('/api/push/vapid-public-key', async (_request, reply) => {
    if (!deps.vapidPublicKey)
      return problem(reply, 404, 'ERR_PUSH_DISABLED', 'Web Push is not set up on this server');
    return { publicKey: deps.vapidPublicKey() };
  });

  app.post(
    '/api/me/push-subscriptions',
    { onRequest, schema: { body: Subscription } },
    async (request, reply) => {
      const { endpoint, keys } = request.body;
      if (badUrl(endpoint)) return problem(reply, 400, 'ERR_BAD_REQUEST', 'body/endpoint is not a URL');
      await deps.notifications.subscribe(currentUser(request).username, endpoint, keys);
      return reply.code(201).send({ endpoint });
    },
  );

  app.delete(
    '/api/me/push-subscriptions',
    {
      onRequest,
      schema: { body: Type.Object({ endpoint: Type.String({ minLength: 1, maxLength: 2048 }) }) },
    },
    async (request, reply) => {
      const { endpoint } = request.body;
      // Only one's own: another user's endpoint is as absent as an unknown one.
      if (!(await deps.notifications.pushEndpoints(currentUser(request).username)).includes(endpoint))
        return problem(reply, 404, 'ERR_NOT_FOUND', 'no such subscription');
      await deps.notifications.unsubscribe(endpoint);
      return reply.code(204).send();
    },
  );

  app.get('/api/me/notifications', { onRequest }, async (request) =>
    deps.notifications.prefs(currentUser(request).username),
  );

  app.put('/api/me/notifications', { onRequest, schema: { body: Prefs } }, async (request, reply) => {
    const { email, webhook, quietHours, push } = request.body;
    if (badUrl(webhook)) return problem(reply, 400, 'ERR_BAD_REQUEST', 'body/webhook is not a URL');
    // Critical alerts always reach the family (types.ts): the choice is only about the others.
    const severities = SEVERITIES.filter((s) => s === 'critical' || request.body.severities.includes(s));
    const prefs: NotificationPrefs = {
      push,
      severities,
      ...(email ? { email } : {}),
      ...(webhook ? { webhook } : {}),
      ...(quietHours && quietHours.start !== quietHours.end ? { quietHours } : {}),
    };
    await deps.notifications.setPrefs(currentUser(request).username, prefs);
    return prefs;
  });
};
