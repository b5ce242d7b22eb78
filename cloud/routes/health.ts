import type { FastifyPluginAsync } from 'fastify';
import type { RouteDeps } from './context.ts';

/** Liveness without login, and Prometheus metrics. */
export const healthRoutes: FastifyPluginAsync<RouteDeps> = async (app, deps) => {
  app.get('/api/health', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_request, reply) => {
    reply.type(deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
};
