import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { ID_PATTERN, regionWithin } from '../../protocol/index.ts';
import type { User } from '../domain/scope.ts';
import {
  type HomeSimulatorPort,
  SIM_ACTIONS,
  type SimHomeState,
  SimRefusedError,
} from '../domain/sim-panel.ts';
import { currentUser, problem, type RouteDeps, requireUser } from './context.ts';

export interface SimRouteDeps extends RouteDeps {
  /** Present only when the composition root built the cloud with simulated homes (`npm start`). */
  simulator: HomeSimulatorPort | null;
}

export interface SimHomeView extends SimHomeState {
  address: string;
  elderNames: string[];
}

/** The tester's simulator panel: make a demo home press SOS, fall, lose power. Admins only. */
export const simRoutes: FastifyPluginAsyncTypebox<SimRouteDeps> = async (app, deps) => {
  app.addHook('onRequest', requireUser(deps));
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (currentUser(request).role !== 'admin')
      await problem(reply, 403, 'ERR_FORBIDDEN', 'the simulator panel is for admins');
    else if (!deps.simulator)
      await problem(reply, 404, 'ERR_NO_SIMULATOR', 'this cloud runs without simulated homes');
  });

  /** The simulated homes the admin may drive: registered, and inside the admin's region. */
  const homesOf = async (simulator: HomeSimulatorPort, user: User): Promise<SimHomeView[]> => {
    const views: SimHomeView[] = [];
    for (const home of simulator.homes()) {
      const household = await deps.registry.getHousehold(home.householdId);
      if (!household || !regionWithin(household.region, user.scope)) continue;
      const elderNames = (await deps.registry.eldersOf(household.id)).map((e) => e.name);
      views.push({ ...home, address: household.address, elderNames });
    }
    return views;
  };

  app.get('/api/sim/homes', async (request) =>
    deps.simulator ? await homesOf(deps.simulator, currentUser(request)) : [],
  );

  app.post(
    '/api/sim/homes/:gatewayId/:action',
    {
      schema: {
        params: Type.Object({
          gatewayId: Type.String({ pattern: ID_PATTERN }),
          action: Type.Enum(SIM_ACTIONS),
        }),
      },
    },
    async (request, reply) => {
      const { gatewayId, action } = request.params;
      const simulator = deps.simulator;
      if (!simulator)
        return problem(reply, 404, 'ERR_NO_SIMULATOR', 'this cloud runs without simulated homes');
      if (!(await homesOf(simulator, currentUser(request))).some((h) => h.gatewayId === gatewayId))
        return problem(reply, 404, 'ERR_NOT_FOUND', 'no such simulated home');
      try {
        const { eventId } = await simulator.act(gatewayId, action);
        deps.logger.info(
          { gatewayId, action, eventId, by: currentUser(request).username },
          'simulator action',
        );
        return reply.code(202).send({ gatewayId, action, ...(eventId ? { eventId } : {}) });
      } catch (err) {
        if (err instanceof SimRefusedError) return problem(reply, 409, err.code, err.message);
        deps.logger.error({ err, gatewayId, action }, 'simulator action failed');
        return problem(reply, 502, 'ERR_SIM_FAILED', `the simulated home failed: ${(err as Error).message}`);
      }
    },
  );
};
