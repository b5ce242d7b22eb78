import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { REGION_ID_PATTERN, regionWithin } from '../../protocol/index.ts';
import { childIdProblem, childLevel } from '../domain/account-policy.ts';
import type { RegionNode } from '../domain/region-tree.ts';
import type { RegionRow } from '../domain/registry.ts';
import { currentUser, problem, type RouteDeps, requireUser } from './context.ts';

export interface RegionRouteDeps extends RouteDeps {
  regionTree(scope: string): Promise<RegionNode[]>;
}

const RegionId = Type.String({ pattern: REGION_ID_PATTERN });
const NewRegion = Type.Object({
  id: RegionId,
  name: Type.String({ minLength: 1, maxLength: 200 }),
  level: Type.Enum(['city', 'district', 'community']),
  parent: Type.Union([RegionId, Type.Null()]),
});

/** The caller's part of the region tree with the alerts waiting in each region, rolled up; admins add regions. */
export const regionRoutes: FastifyPluginAsyncTypebox<RegionRouteDeps> = async (app, deps) => {
  app.addHook('onRequest', requireUser(deps));

  app.get('/api/regions', async (request, reply) => {
    const user = currentUser(request);
    // A family member's scope is their household's community; its other homes are none of theirs.
    if (user.role === 'family') return problem(reply, 403, 'ERR_FORBIDDEN', 'regions are for dispatch staff');
    return deps.regionTree(user.scope);
  });

  // The role is checked before the body, so a non-admin learns nothing from validation errors.
  const adminOnly = async (request: FastifyRequest, reply: FastifyReply) => {
    if (currentUser(request).role !== 'admin')
      await problem(reply, 403, 'ERR_FORBIDDEN', 'regions are added by admins');
  };

  app.post('/api/regions', { onRequest: adminOnly, schema: { body: NewRegion } }, async (request, reply) => {
    const admin = currentUser(request);
    const { id, name, level, parent } = request.body;
    // A new city would sit above every admin's scope.
    if (parent === null || !regionWithin(parent, admin.scope))
      return problem(reply, 403, 'ERR_OUT_OF_SCOPE', 'body/parent is outside your scope');
    const parentLevel = await deps.registry.regionLevel(parent);
    if (parentLevel === null)
      return problem(reply, 400, 'ERR_BAD_REFERENCE', `body/parent: no region ${parent}`);
    const expected = childLevel(parentLevel as RegionRow['level']);
    if (level !== expected)
      return problem(
        reply,
        400,
        'ERR_BAD_LEVEL',
        expected
          ? `body/level must be ${expected} under a ${parentLevel}`
          : `body/parent: nothing goes under a ${parentLevel}`,
      );
    const badId = childIdProblem(id, parent);
    if (badId) return problem(reply, 400, 'ERR_BAD_ID', `body/id ${badId}`);
    if (await deps.registry.regionExists(id))
      return problem(reply, 409, 'ERR_CONFLICT', `region ${id} exists`);
    const region: RegionRow = { id, name, level, parent };
    await deps.registry.insertRegion(region);
    deps.logger.info({ regionId: id, level, by: admin.username }, 'region added');
    return reply.code(201).send(region);
  });
};
