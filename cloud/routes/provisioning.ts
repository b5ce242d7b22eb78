import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { DEVICE_KINDS, ID_PATTERN, regionWithin } from '../../protocol/index.ts';
import { ConflictError, ReferenceError_ } from '../domain/registry.ts';
import { hashGatewaySecret, newSecret } from '../domain/secrets.ts';
import { currentUser, problem, type RouteDeps, requireUser } from './context.ts';

const Id = Type.String({ pattern: ID_PATTERN });

const Household = Type.Object({
  id: Id,
  region: Type.String({ minLength: 1, maxLength: 300 }),
  address: Type.String({ minLength: 1, maxLength: 500 }),
});
const Elder = Type.Object({ id: Id, householdId: Id, name: Type.String({ minLength: 1, maxLength: 200 }) });
const Gateway = Type.Object({
  id: Id,
  householdId: Id,
  devices: Type.Array(
    Type.Object(
      { id: Id, kind: Type.Enum(DEVICE_KINDS), elderId: Type.Optional(Id) },
      { additionalProperties: true },
    ),
    { maxItems: 64 },
  ),
});

/** Provisioning for installers: admin only, inside the admin's region. */
export const provisioningRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  app.addHook('onRequest', requireUser(deps));
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (currentUser(request).role !== 'admin')
      await problem(reply, 403, 'ERR_FORBIDDEN', 'provisioning is for admins');
  });

  const inScope = async (request: FastifyRequest, householdId: string): Promise<boolean> => {
    const household = await deps.registry.getHousehold(householdId);
    return household !== null && regionWithin(household.region, currentUser(request).scope);
  };

  const provision = async (reply: FastifyReply, run: () => unknown) => {
    try {
      const result = await run();
      return reply.code(201).send(result);
    } catch (err) {
      if (err instanceof ConflictError) return problem(reply, 409, err.code, err.message);
      if (err instanceof ReferenceError_)
        return problem(reply, 400, err.code, `body/${err.field} ${err.message}`);
      throw err;
    }
  };

  app.post('/api/households', { schema: { body: Household } }, async (request, reply) => {
    if (!regionWithin(request.body.region, currentUser(request).scope)) {
      return problem(reply, 403, 'ERR_OUT_OF_SCOPE', 'body/region is outside your scope');
    }
    return provision(reply, async () => {
      await deps.registry.insertHousehold(request.body);
      deps.logger.info(
        { householdId: request.body.id, by: currentUser(request).username },
        'household provisioned',
      );
      return { id: request.body.id };
    });
  });

  app.post('/api/elders', { schema: { body: Elder } }, async (request, reply) => {
    if (
      (await deps.registry.getHousehold(request.body.householdId)) &&
      !(await inScope(request, request.body.householdId))
    ) {
      return problem(reply, 403, 'ERR_OUT_OF_SCOPE', 'body/householdId is outside your scope');
    }
    return provision(reply, async () => {
      await deps.registry.insertElder(request.body);
      deps.logger.info({ elderId: request.body.id, by: currentUser(request).username }, 'elder provisioned');
      return { id: request.body.id };
    });
  });

  app.post('/api/gateways', { schema: { body: Gateway } }, async (request, reply) => {
    const { id, householdId, devices } = request.body;
    if ((await deps.registry.getHousehold(householdId)) && !(await inScope(request, householdId))) {
      return problem(reply, 403, 'ERR_OUT_OF_SCOPE', 'body/householdId is outside your scope');
    }
    const secret = newSecret();
    const secretHash = hashGatewaySecret(secret);
    return provision(reply, async () => {
      await deps.registry.insertGateway({
        id,
        householdId,
        secretHash,
        devices: devices.map(({ id: devId, kind, elderId, ...config }) => ({
          id: devId,
          kind,
          ...(elderId ? { elderId } : {}),
          config,
        })),
      });
      deps.logger.info({ gatewayId: id, by: currentUser(request).username }, 'gateway provisioned');
      // The secret is shown in this answer only; the registry keeps its scrypt hash.
      return { id, secret };
    });
  });
};
