import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ID_PATTERN, TIMESTAMP_PATTERN } from '../../protocol/index.ts';
import { covers } from '../domain/scope.ts';
import type { VitalsHistory } from '../domain/vitals-history.ts';
import { currentUser, problem, type RouteDeps, requireUser } from './context.ts';

export interface HomeRouteDeps extends RouteDeps {
  vitals: VitalsHistory;
}

const Id = Type.String({ pattern: ID_PATTERN });
const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 }));

/** What happened in a home and how an elder is doing: device events and vitals history, in scope. */
export const homeRoutes: FastifyPluginAsyncTypebox<HomeRouteDeps> = async (app, deps) => {
  app.addHook('onRequest', requireUser(deps));

  app.get(
    '/api/households/:id/events',
    { schema: { params: Type.Object({ id: Id }), querystring: Type.Object({ limit: Limit }) } },
    async (request, reply) => {
      const household = await deps.registry.getHousehold(request.params.id);
      const elders = household ? await deps.registry.eldersOf(household.id) : [];
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
          until: Type.Optional(Type.String({ pattern: TIMESTAMP_PATTERN })),
          resolution: Type.Optional(Type.Enum(['raw', 'minute'])),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20_000 })),
        }),
      },
    },
    async (request, reply) => {
      const elder = await deps.registry.getElder(request.params.id);
      const household = elder ? await deps.registry.getHousehold(elder.householdId) : null;
      if (
        !elder ||
        !household ||
        !covers(currentUser(request), { region: household.region, elderId: elder.id })
      ) {
        return problem(reply, 404, 'ERR_NOT_FOUND', 'no such elder');
      }
      const {
        since = new Date(Date.now() - 6 * 3600_000).toISOString(),
        until,
        resolution,
        limit,
      } = request.query;
      const end = until ?? '9999-12-31T23:59:59.999Z';
      if (end <= since) return problem(reply, 400, 'ERR_BAD_PERIOD', 'querystring/until must be after since');
      // Each reading as it came (kept VITALS_RAW_HOURS), or one point per minute (kept VITALS_KEEP_DAYS).
      return resolution === 'minute'
        ? await deps.vitals.minutes(elder.id, since, end, limit ?? 10_080)
        : await deps.vitals.raw(elder.id, since, end, limit ?? 1000);
    },
  );
};
