import type { SqlSession } from '../db/sql.ts';
import type { ConfigResolver } from '../rules/engine.ts';
import type { AnyRule } from '../rules/rule.ts';

/** Settings that come from the environment at boot, by rule id (e.g. `{fall: {graceS: 30}}`). */
export type GlobalOverrides = Record<string, Record<string, unknown>>;

const FACTS_TTL_MS = 10_000;
const DEMENTIA = /痴呆|阿尔茨海默|认知障碍|dementia|alzheimer/i;

/** What rules need to know about an elder, read from the registry's profile. */
export function elderFacts(profile: Record<string, unknown>): { livesAlone: boolean; dementia: boolean } {
  const conditions = Array.isArray(profile.conditions) ? profile.conditions.map(String) : [];
  return {
    livesAlone: profile.livesAlone === true,
    dementia: profile.dementia === true || conditions.some((c) => DEMENTIA.test(c)),
  };
}

/**
 * Resolves the rules' settings for one elder: each rule's defaults, then the boot-time overrides, then
 * the `rule_config` rows for everyone (`elder_id = ''`) and for this elder, then the elder's facts.
 */
export function ruleConfigResolver(overrides: GlobalOverrides = {}): ConfigResolver {
  // Every input asks for the same elder's facts: read the profile once per elder and keep it briefly;
  // profiles change seldom and never mid-event. (Filling the cache from a transaction that is later
  // retried is harmless: it holds what the store said.)
  const facts = new Map<string, { at: number; value: ReturnType<typeof elderFacts> }>();
  const factsOf = async (db: SqlSession, elderId: string): Promise<ReturnType<typeof elderFacts>> => {
    const now = Date.now();
    const hit = facts.get(elderId);
    if (hit && now - hit.at < FACTS_TTL_MS) return hit.value;
    const row = elderId ? await db.get('SELECT profile FROM elders WHERE id = $1', [elderId]) : undefined;
    const value = elderFacts(row ? (JSON.parse(String(row.profile)) as Record<string, unknown>) : {});
    if (facts.size > 10_000) facts.clear();
    facts.set(elderId, { at: now, value });
    return value;
  };
  return async (db, elderId) => {
    const rows = await db.all(
      'SELECT rule_id, elder_id, config FROM rule_config WHERE elder_id IN ($1, $2)',
      ['', elderId],
    );
    const stored = (ruleId: string, id: string): Record<string, unknown> => {
      const row = rows.find((r) => r.rule_id === ruleId && r.elder_id === id);
      return row ? (JSON.parse(String(row.config)) as Record<string, unknown>) : {};
    };
    const elder = await factsOf(db, elderId);
    return (rule: AnyRule) => ({
      ...(rule.defaults as object),
      ...overrides[rule.id],
      ...stored(rule.id, ''),
      ...(elderId ? stored(rule.id, elderId) : {}),
      ...elder,
    });
  };
}

/** Stores settings of one rule for one elder (or for everyone with `elderId = ''`). */
export async function setRuleConfig(
  db: SqlSession,
  ruleId: string,
  elderId: string,
  config: Record<string, unknown>,
): Promise<void> {
  await db.run(
    `INSERT INTO rule_config (rule_id, elder_id, config) VALUES ($1, $2, $3)
     ON CONFLICT (rule_id, elder_id) DO UPDATE SET config = excluded.config`,
    [ruleId, elderId, JSON.stringify(config)],
  );
}
