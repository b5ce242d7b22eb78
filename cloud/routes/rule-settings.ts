import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { ID_PATTERN } from '../../protocol/index.ts';
import type { Sql } from '../db/sql.ts';
import { ruleConfigResolver, setRuleConfig } from '../domain/rule-config.ts';
import { covers } from '../domain/scope.ts';
import { checkRuleOverride } from '../rules/config-check.ts';
import { RULES, ruleById } from '../rules/registry.ts';
import type { AnyRule } from '../rules/rule.ts';
import { currentUser, problem, type RouteDeps, requireUser } from './context.ts';

const Params = Type.Object({
  id: Type.String({ pattern: ID_PATTERN }),
  ruleId: Type.String({ maxLength: 64 }),
});

/**
 * Per-elder rule settings (thresholds, windows): supervisors and admins in scope read and change them;
 * every change is written to the elder's rule settings and logged with who made it.
 */
export const ruleSettingRoutes: FastifyPluginAsyncTypebox<RouteDeps & { sql: Sql }> = async (app, deps) => {
  app.addHook('onRequest', requireUser(deps));
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const role = currentUser(request).role;
    if (role !== 'supervisor' && role !== 'admin')
      await problem(reply, 403, 'ERR_FORBIDDEN', 'rule settings are for supervisors');
  });
  const resolver = ruleConfigResolver();
  const effective = async (elderId: string) => {
    const configOf = await resolver(deps.sql, elderId);
    return (rule: AnyRule) => ({ id: rule.id, effective: configOf(rule) });
  };

  const elderInScope = async (request: FastifyRequest, elderId: string) => {
    const elder = await deps.registry.getElder(elderId);
    const household = elder ? await deps.registry.getHousehold(elder.householdId) : null;
    return elder && household && covers(currentUser(request), { region: household.region, elderId })
      ? elder
      : null;
  };

  app.get('/api/rules', async () => RULES.map((r) => ({ id: r.id, defaults: r.defaults })));

  app.get(
    '/api/elders/:id/rules',
    { schema: { params: Type.Object({ id: Type.String({ pattern: ID_PATTERN }) }) } },
    async (request, reply) => {
      if (!(await elderInScope(request, request.params.id)))
        return problem(reply, 404, 'ERR_NOT_FOUND', 'no such elder');
      return RULES.map(await effective(request.params.id));
    },
  );

  app.put(
    '/api/elders/:id/rules/:ruleId',
    { schema: { params: Params, body: Type.Record(Type.String(), Type.Unknown()) } },
    async (request, reply) => {
      const rule = ruleById(request.params.ruleId);
      if (!rule || !(await elderInScope(request, request.params.id)))
        return problem(reply, 404, 'ERR_NOT_FOUND', 'no such elder or rule');
      const issue = checkRuleOverride(rule, request.body);
      if (issue) return problem(reply, 400, 'ERR_BAD_RULE_SETTING', `body${issue}`);
      await setRuleConfig(deps.sql, rule.id, request.params.id, request.body);
      deps.logger.info(
        { elderId: request.params.id, ruleId: rule.id, by: currentUser(request).username },
        'rule settings changed',
      );
      return (await effective(request.params.id))(rule);
    },
  );
};
