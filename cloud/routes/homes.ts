import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ID_PATTERN, TIMESTAMP_PATTERN } from '../../protocol/index.ts';
import { covers } from '../domain/scope.ts';
import { currentUser, problem, type RouteDeps, requireUser } from './context.ts';

const Id = Type.String({ pattern: ID_PATTERN });
const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 }));

/** What happened in a home and how an elder is doing: device events and vitals history, in scope. */
export const homeRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  app.addHook('onRequest', requireUser(deps));

  app.get(
    '/api/households/:id/events',
    { schema: { params: Type.Object({ id: Id }), querystring: Type.Object({ limit: Limit }) } },
    async (request, reply) => {
      const household = deps.registry.getHousehold(request.params.id);
      const elders = household ? deps.registry.eldersOf(household.id) : [];
      const user = currentUser(request);
      const visible =
        household &&
        (user.role === 'family'
          ? elders.some((e) => user.elderIds.includes(e.id))
          : covers(user, { region: household.region, elderId: '' }));
      if (!household || !visible) return problem(reply, 404, 'ERR_NOT_FOUND', 'no such household');
      return deps.status.eventsOfHousehold(household.id, request.query.limit ?? 100);
    },
  );

  app.get(
    '/api/elders/:id/vitals',
    {
      schema: {
        params: Type.Object({ id: Id }),
        querystring: Type.Object({
          since: Type.Optional(Type.String({ pattern: TIMESTAMP_PATTERN })),
          limit: Limit,
        }),
      },
    },
    async (request, reply) => {
      const elder = deps.registry.getElder(request.params.id);
      const household = elder ? deps.registry.getHousehold(elder.householdId) : null;
      if (
        !elder ||
        !household ||
        !covers(currentUser(request), { region: household.region, elderId: elder.id })
      ) {
        return problem(reply, 404, 'ERR_NOT_FOUND', 'no such elder');
      }
      const since = request.query.since ?? new Date(Date.now() - 6 * 3600_000).toISOString();
      return deps.status.vitalsOf(elder.id, since, request.query.limit ?? 1000);
    },
  );
};
