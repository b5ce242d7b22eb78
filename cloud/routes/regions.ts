import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RegionNode } from '../domain/region-tree.ts';
import { currentUser, problem, type RouteDeps, requireUser } from './context.ts';

export interface RegionRouteDeps extends RouteDeps {
  regionTree(scope: string): RegionNode[];
}

/** The caller's part of the region tree with the alerts waiting in each region, rolled up. */
export const regionRoutes: FastifyPluginAsyncTypebox<RegionRouteDeps> = async (app, deps) => {
  app.addHook('onRequest', requireUser(deps));

  app.get('/api/regions', async (request, reply) => {
    const user = currentUser(request);
    // A family member's scope is their household's community; its other homes are none of theirs.
    if (user.role === 'family') return problem(reply, 403, 'ERR_FORBIDDEN', 'regions are for dispatch staff');
    return deps.regionTree(user.scope);
  });
};
