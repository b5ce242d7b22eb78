import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { REGION_ID_PATTERN } from '../../protocol/index.ts';
import { VISIT_INTERVAL_DAYS } from '../domain/visits.ts';
import type { WatchList } from '../domain/watchlist.ts';
import { currentUser, type RouteDeps, requireUser } from './context.ts';
import { refuseRegion, reportRegion } from './figures.ts';

export interface WatchListRouteDeps extends RouteDeps {
  watchlist: WatchList;
  clock?: () => number;
}

/** The community worker's watch list of at-risk elders (关爱名单): staff, for a region within their scope. */
export const watchListRoutes: FastifyPluginAsyncTypebox<WatchListRouteDeps> = async (app, deps) => {
  app.addHook('onRequest', requireUser(deps));

  app.get(
    '/api/watchlist',
    {
      schema: {
        querystring: Type.Object({ region: Type.Optional(Type.String({ pattern: REGION_ID_PATTERN })) }),
      },
    },
    async (request, reply) => {
      const scope = await reportRegion(deps, currentUser(request), request.query.region);
      if (!scope.ok) return refuseRegion(reply, scope.status);
      const now = (deps.clock ?? Date.now)();
      return {
        region: scope.region,
        asOf: new Date(now).toISOString(),
        intervalDays: VISIT_INTERVAL_DAYS,
        elders: await deps.watchlist.list(scope.region, now),
      };
    },
  );
};
