import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { REGION_ID_PATTERN } from '../../protocol/index.ts';
import { DEVICE_PROBLEMS, type DeviceHealthRow, type DeviceProblem } from '../domain/device-health.ts';
import { currentUser, type RouteDeps, requireUser } from './context.ts';
import { refuseRegion, reportRegion } from './figures.ts';

export interface DeviceRouteDeps extends RouteDeps {
  deviceHealth(q: { region: string; problem: DeviceProblem }): Promise<DeviceHealthRow[]>;
}

/** The device-health page: gateways and devices offline or running out of battery, for dispatch staff. */
export const deviceRoutes: FastifyPluginAsyncTypebox<DeviceRouteDeps> = async (app, deps) => {
  app.addHook('onRequest', requireUser(deps));

  app.get(
    '/api/devices',
    {
      schema: {
        querystring: Type.Object({
          problem: Type.Optional(Type.Enum(DEVICE_PROBLEMS)),
          region: Type.Optional(Type.String({ pattern: REGION_ID_PATTERN })),
        }),
      },
    },
    async (request, reply) => {
      const scope = await reportRegion(deps, currentUser(request), request.query.region);
      if (!scope.ok) return refuseRegion(reply, scope.status);
      return deps.deviceHealth({ region: scope.region, problem: request.query.problem ?? 'all' });
    },
  );
};
