import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { REGION_ID_PATTERN, regionWithin } from '../../protocol/index.ts';
import type { Inventory } from '../domain/inventory.ts';
import { currentUser, problem, type RouteDeps, requireUser } from './context.ts';

export interface InventoryRouteDeps extends RouteDeps {
  inventory: Inventory;
}

const Query = Type.Object({ region: Type.Optional(Type.String({ pattern: REGION_ID_PATTERN })) });

/** Lists of households, elders and gateways for the admin page, in the admin's region (or `?region=` inside it). */
export const inventoryRoutes: FastifyPluginAsyncTypebox<InventoryRouteDeps> = async (app, deps) => {
  app.addHook('onRequest', requireUser(deps));
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (currentUser(request).role !== 'admin')
      await problem(reply, 403, 'ERR_FORBIDDEN', 'the installation lists are for admins');
  });

  const region = async (request: FastifyRequest, requested: string | undefined): Promise<string | null> => {
    const scope = currentUser(request).scope;
    const wanted = requested ?? scope;
    return regionWithin(wanted, scope) && (await deps.registry.regionExists(wanted)) ? wanted : null;
  };
  const schema = { querystring: Query };

  app.get('/api/households', { schema }, async (request, reply) => {
    const r = await region(request, request.query.region);
    return r ? await deps.inventory.households(r) : problem(reply, 404, 'ERR_NOT_FOUND', 'no such region');
  });
  app.get('/api/elders', { schema }, async (request, reply) => {
    const r = await region(request, request.query.region);
    return r ? await deps.inventory.elders(r) : problem(reply, 404, 'ERR_NOT_FOUND', 'no such region');
  });
  app.get('/api/gateways', { schema }, async (request, reply) => {
    const r = await region(request, request.query.region);
    return r ? await deps.inventory.gateways(r) : problem(reply, 404, 'ERR_NOT_FOUND', 'no such region');
  });
};
