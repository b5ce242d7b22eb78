import type { EventEmitter } from 'node:events';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ID_PATTERN, regionWithin, timestamp } from '../../protocol/index.ts';
import { hashGatewaySecret, newSecret } from '../domain/secrets.ts';
import { currentUser, problem, type RouteDeps, requireUser } from './context.ts';

/** Tells the broker a gateway's credentials changed, so its live connections are closed at once. */
export type GatewayAccessEvents = EventEmitter<{ changed: [gatewayId: string] }>;

const Params = Type.Object({ id: Type.String({ pattern: ID_PATTERN }) });

/** Admins revoke a lost or stolen gateway, or rotate its secret (shown once); both cut it off at once. */
export const gatewayAccessRoutes: FastifyPluginAsyncTypebox<
  RouteDeps & { gatewayAccess: GatewayAccessEvents }
> = async (app, deps) => {
  app.addHook('onRequest', requireUser(deps));

  const inScope = async (request: Parameters<typeof currentUser>[0], id: string): Promise<boolean> => {
    const household = await deps.registry.gatewayHousehold(id);
    return household !== null && regionWithin(household.region, currentUser(request).scope);
  };

  app.post('/api/gateways/:id/revoke', { schema: { params: Params } }, async (request, reply) => {
    if (currentUser(request).role !== 'admin')
      return problem(reply, 403, 'ERR_FORBIDDEN', 'only admins manage gateways');
    if (!(await inScope(request, request.params.id)))
      return problem(reply, 404, 'ERR_NOT_FOUND', 'no such gateway');
    const revokedAt = timestamp();
    await deps.registry.revokeGateway(request.params.id, revokedAt);
    deps.gatewayAccess.emit('changed', request.params.id);
    deps.logger.warn({ gatewayId: request.params.id, by: currentUser(request).username }, 'gateway revoked');
    return { id: request.params.id, revokedAt };
  });

  app.post('/api/gateways/:id/rotate', { schema: { params: Params } }, async (request, reply) => {
    if (currentUser(request).role !== 'admin')
      return problem(reply, 403, 'ERR_FORBIDDEN', 'only admins manage gateways');
    if (!(await inScope(request, request.params.id)))
      return problem(reply, 404, 'ERR_NOT_FOUND', 'no such gateway');
    const secret = newSecret();
    await deps.registry.rotateGatewaySecret(request.params.id, hashGatewaySecret(secret));
    deps.gatewayAccess.emit('changed', request.params.id);
    deps.logger.warn(
      { gatewayId: request.params.id, by: currentUser(request).username },
      'gateway secret rotated',
    );
    // Shown in this answer only; the registry keeps the hash.
    return { id: request.params.id, secret };
  });
};
