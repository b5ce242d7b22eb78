import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ID_PATTERN } from '../../protocol/index.ts';
import type { Directory } from '../domain/directory.ts';
import { covers } from '../domain/scope.ts';
import { currentUser, problem, type RouteDeps, requireUser } from './context.ts';

export interface RegistryReadDeps extends RouteDeps {
  directory: Directory;
}

const IdParams = Type.Object({ id: Type.String({ pattern: ID_PATTERN }) });

/** Who an elder is and what is installed in a home: the dispatcher's file on a case, in scope. */
export const registryReadRoutes: FastifyPluginAsyncTypebox<RegistryReadDeps> = async (app, deps) => {
  app.addHook('onRequest', requireUser(deps));

  app.get('/api/elders/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const elder = await deps.directory.elder(request.params.id);
    // Outside the caller's scope is indistinguishable from absent.
    if (!elder || !covers(currentUser(request), { region: elder.region, elderId: elder.id }))
      return problem(reply, 404, 'ERR_NOT_FOUND', 'no such elder');
    return elder;
  });

  app.get('/api/households/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const household = await deps.directory.household(request.params.id);
    const user = currentUser(request);
    // A family member sees the home of any of their elders; staff see the homes in their region.
    const visible =
      household &&
      (user.role === 'family'
        ? household.elders.some((e) => user.elderIds.includes(e.id))
        : covers(user, { region: household.region, elderId: '' }));
    if (!household || !visible) return problem(reply, 404, 'ERR_NOT_FOUND', 'no such household');
    return household;
  });
};
