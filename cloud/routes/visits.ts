import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { ID_PATTERN, REGION_ID_PATTERN, TIMESTAMP_PATTERN } from '../../protocol/index.ts';
import { LOCAL_OFFSET_MS } from '../domain/figures.ts';
import { covers } from '../domain/scope.ts';
import {
  VISIT_INTERVAL_DAYS,
  VISIT_KINDS,
  VISIT_OUTCOMES,
  VisitInFutureError,
  type VisitStore,
} from '../domain/visits.ts';
import { currentUser, problem, type RouteDeps, requireUser } from './context.ts';
import { refuseRegion, reportRegion } from './figures.ts';

export interface VisitRouteDeps extends RouteDeps {
  visits: VisitStore;
}

const IdParams = Type.Object({ id: Type.String({ pattern: ID_PATTERN }) });
const NewVisit = Type.Object({
  visitedAt: Type.String({ pattern: TIMESTAMP_PATTERN }),
  visitor: Type.String({ minLength: 1, maxLength: 100 }),
  kind: Type.Enum(VISIT_KINDS),
  outcome: Type.Enum(VISIT_OUTCOMES),
  notes: Type.Optional(Type.String({ maxLength: 4000 })),
});
const Region = Type.Optional(Type.String({ pattern: REGION_ID_PATTERN }));
const MONTH_PATTERN = '^\\d{4}-(0[1-9]|1[0-2])$';

/** The local (+08:00) month of an instant, `YYYY-MM`. */
const localMonth = (ms: number): string => new Date(ms + LOCAL_OFFSET_MS).toISOString().slice(0, 7);

/** Welfare visits (探访) to at-risk elders: recording them, and who is owed one. */
export const visitRoutes: FastifyPluginAsyncTypebox<VisitRouteDeps> = async (app, deps) => {
  app.addHook('onRequest', requireUser(deps));

  /** The elder when the caller may see them (family: their own), else null (→ 404). */
  const visibleElder = async (request: FastifyRequest, id: string) => {
    const elder = await deps.registry.getElder(id);
    const household = elder ? await deps.registry.getHousehold(elder.householdId) : null;
    if (!elder || !household) return null;
    return covers(currentUser(request), { region: household.region, elderId: elder.id }) ? elder : null;
  };

  app.post(
    '/api/elders/:id/visits',
    { schema: { params: IdParams, body: NewVisit } },
    async (request, reply) => {
      const user = currentUser(request);
      if (user.role === 'family') return problem(reply, 403, 'ERR_FORBIDDEN', 'visits are recorded by staff');
      const elder = await visibleElder(request, request.params.id);
      if (!elder) return problem(reply, 404, 'ERR_NOT_FOUND', 'no such elder');
      try {
        const visit = await deps.visits.record({ ...request.body, elderId: elder.id }, user.username);
        deps.logger.info({ visitId: visit.id, elderId: elder.id, kind: visit.kind }, 'visit recorded');
        return reply.code(201).send(visit);
      } catch (err) {
        if (err instanceof VisitInFutureError)
          return problem(reply, 400, err.code, `body/visitedAt ${err.message}`);
        throw err;
      }
    },
  );

  // Family members may read the visits to their own elder: it tells them someone went.
  app.get(
    '/api/elders/:id/visits',
    {
      schema: {
        params: IdParams,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }),
      },
    },
    async (request, reply) => {
      const elder = await visibleElder(request, request.params.id);
      if (!elder) return problem(reply, 404, 'ERR_NOT_FOUND', 'no such elder');
      return deps.visits.listForElder(elder.id, request.query.limit ?? 1000);
    },
  );

  app.get(
    '/api/visits/overdue',
    { schema: { querystring: Type.Object({ region: Region }) } },
    async (request, reply) => {
      const scope = await reportRegion(deps, currentUser(request), request.query.region);
      if (!scope.ok) return refuseRegion(reply, scope.status);
      const now = Date.now();
      return {
        region: scope.region,
        asOf: new Date(now).toISOString(),
        intervalDays: VISIT_INTERVAL_DAYS,
        communities: await deps.visits.overdue(scope.region, now),
      };
    },
  );

  app.get(
    '/api/visits/rate',
    {
      schema: {
        querystring: Type.Object({
          month: Type.Optional(Type.String({ pattern: MONTH_PATTERN })),
          region: Region,
        }),
      },
    },
    async (request, reply) => {
      const scope = await reportRegion(deps, currentUser(request), request.query.region);
      if (!scope.ok) return refuseRegion(reply, scope.status);
      return deps.visits.monthlyRate(scope.region, request.query.month ?? localMonth(Date.now()));
    },
  );
};
