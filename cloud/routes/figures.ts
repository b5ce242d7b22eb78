import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { REGION_ID_PATTERN, regionWithin } from '../../protocol/index.ts';
import { type FigureReader, GROUP_BYS, localDayStart } from '../domain/figures.ts';
import type { User } from '../domain/scope.ts';
import { currentUser, problem, type RouteDeps, requireUser } from './context.ts';

/** A T string, or a local (+08:00) date meaning the instant that day begins. */
const INSTANT_PATTERN = '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z)?$';
const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 30;
/** A year and a leap day: enough for an annual report, bounded so one request cannot scan forever. */
const MAX_DAYS = 366;

export interface FigureRouteDeps extends RouteDeps {
  figures: FigureReader;
}

const Region = Type.Optional(Type.String({ pattern: REGION_ID_PATTERN }));
const Period = {
  from: Type.Optional(Type.String({ pattern: INSTANT_PATTERN })),
  to: Type.Optional(Type.String({ pattern: INSTANT_PATTERN })),
  region: Region,
};

/**
 * The region a report covers: the caller's scope unless they name one inside it. Family users see
 * only their own elders, never a community's figures (403); a region outside the scope or unknown
 * is indistinguishable from absent (404).
 */
export async function reportRegion(
  deps: RouteDeps,
  user: User,
  requested: string | undefined,
): Promise<{ ok: true; region: string } | { ok: false; status: 403 | 404 }> {
  if (user.role === 'family') return { ok: false, status: 403 };
  const region = requested ?? user.scope;
  if (!regionWithin(region, user.scope) || !(await deps.registry.regionExists(region)))
    return { ok: false, status: 404 };
  return { ok: true, region };
}

/** Answers a failed `reportRegion`; the route returns what this returns. */
export function refuseRegion(reply: FastifyReply, status: 403 | 404) {
  return status === 403
    ? problem(reply, 403, 'ERR_FORBIDDEN', 'reports are for dispatch staff')
    : problem(reply, 404, 'ERR_NOT_FOUND', 'no such region');
}

const instant = (value: string): number => (value.length === 10 ? localDayStart(value) : Date.parse(value));

/** [from, to): defaults to the 30 days before now; a date alone is local midnight. */
function period(
  query: { from?: string; to?: string },
  now: number,
): { ok: true; from: string; to: string } | { ok: false; message: string } {
  const to = query.to === undefined ? now : instant(query.to);
  const from = query.from === undefined ? to - DEFAULT_DAYS * DAY_MS : instant(query.from);
  if (Number.isNaN(from)) return { ok: false, message: 'querystring/from is not a valid date' };
  if (Number.isNaN(to)) return { ok: false, message: 'querystring/to is not a valid date' };
  if (from >= to) return { ok: false, message: 'querystring/from must be before to' };
  if (to - from > MAX_DAYS * DAY_MS)
    return { ok: false, message: `querystring/to must be within ${MAX_DAYS} days of from` };
  return { ok: true, from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/** Service figures for supervisors and the civil-affairs bureau: answer times, outcomes, false alarms. */
export const figureRoutes: FastifyPluginAsyncTypebox<FigureRouteDeps> = async (app, deps) => {
  app.addHook('onRequest', requireUser(deps));

  const reportQuery = async (
    request: FastifyRequest,
    reply: FastifyReply,
    query: { from?: string; to?: string; region?: string },
  ) => {
    const scope = await reportRegion(deps, currentUser(request), query.region);
    if (!scope.ok) return { answer: refuseRegion(reply, scope.status) };
    const span = period(query, Date.now());
    if (!span.ok) return { answer: problem(reply, 400, 'ERR_BAD_PERIOD', span.message) };
    return { region: scope.region, from: span.from, to: span.to };
  };

  app.get(
    '/api/figures',
    { schema: { querystring: Type.Object({ ...Period, groupBy: Type.Optional(Type.Enum(GROUP_BYS)) }) } },
    async (request, reply) => {
      const q = await reportQuery(request, reply, request.query);
      if ('answer' in q) return q.answer;
      return deps.figures.compute({ ...q, groupBy: request.query.groupBy ?? 'none' });
    },
  );

  app.get('/api/figures/daily', { schema: { querystring: Type.Object(Period) } }, async (request, reply) => {
    const q = await reportQuery(request, reply, request.query);
    if ('answer' in q) return q.answer;
    return { ...q, days: await deps.figures.daily(q) };
  });
};
