import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { ID_PATTERN } from '../../protocol/index.ts';
import { ruleConfigResolver, setRuleConfig } from '../domain/rule-config.ts';
import { covers } from '../domain/scope.ts';
import { checkRuleOverride } from '../rules/config-check.ts';
import { RULES, ruleById } from '../rules/registry.ts';
import { currentUser, problem, type RouteDeps, requireUser } from './context.ts';

const Params = Type.Object({
  id: Type.String({ pattern: ID_PATTERN }),
  ruleId: Type.String({ maxLength: 64 }),
});

/**
 * Per-elder rule settings (thresholds, windows): supervisors and admins in scope read and change them;
 * every change is written to the elder's rule settings and logged with who made it.
 */
export const ruleSettingRoutes: FastifyPluginAsyncTypebox<
  RouteDeps & { db: import('node:sqlite').DatabaseSync }
> = async (app, deps) => {
  app.addHook('onRequest', requireUser(deps));
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const role = currentUser(request).role;
    if (role !== 'supervisor' && role !== 'admin')
      await problem(reply, 403, 'ERR_FORBIDDEN', 'rule settings are for supervisors');
  });
  const resolve = ruleConfigResolver(deps.db);

  const elderInScope = (request: FastifyRequest, elderId: string) => {
    const elder = deps.registry.getElder(elderId);
    const household = elder ? deps.registry.getHousehold(elder.householdId) : null;
    return elder && household && covers(currentUser(request), { region: household.region, elderId })
      ? elder
      : null;
  };

  app.get('/api/rules', async () => RULES.map((r) => ({ id: r.id, defaults: r.defaults })));

  app.get(
    '/api/elders/:id/rules',
    { schema: { params: Type.Object({ id: Type.String({ pattern: ID_PATTERN }) }) } },
    async (request, reply) => {
      if (!elderInScope(request, request.params.id))
        return problem(reply, 404, 'ERR_NOT_FOUND', 'no such elder');
      return RULES.map((r) => ({ id: r.id, effective: resolve(r, request.params.id) }));
    },
  );

  app.put(
    '/api/elders/:id/rules/:ruleId',
    { schema: { params: Params, body: Type.Record(Type.String(), Type.Unknown()) } },
    async (request, reply) => {
      const rule = ruleById(request.params.ruleId);
      if (!rule || !elderInScope(request, request.params.id))
        return problem(reply, 404, 'ERR_NOT_FOUND', 'no such elder or rule');
      const issue = checkRuleOverride(rule, request.body);
      if (issue) return problem(reply, 400, 'ERR_BAD_RULE_SETTING', `body${issue}`);
      setRuleConfig(deps.db, rule.id, request.params.id, request.body);
      deps.logger.info(
        { elderId: request.params.id, ruleId: rule.id, by: currentUser(request).username },
        'rule settings changed',
      );
      return { id: rule.id, effective: resolve(rule, request.params.id) };
    },
  );
};
