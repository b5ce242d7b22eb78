import type { DatabaseSync } from 'node:sqlite';
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
 * Resolves a rule's settings for one elder: the rule's defaults, then the boot-time overrides, then the
 * `rule_config` rows for everyone (`elder_id = ''`) and for this elder, then the elder's facts.
 */
export function ruleConfigResolver(db: DatabaseSync, overrides: GlobalOverrides = {}): ConfigResolver {
  const configRow = db.prepare('SELECT config FROM rule_config WHERE rule_id = ? AND elder_id = ?');
  const profileRow = db.prepare('SELECT profile FROM elders WHERE id = ?');
  // Every rule asks for the same elder's facts for each input (a vitals message asks eleven times): read
  // the profile once per elder and keep it briefly; profiles change seldom and never mid-event.
  const facts = new Map<string, { at: number; value: ReturnType<typeof elderFacts> }>();
  const factsOf = (elderId: string): ReturnType<typeof elderFacts> => {
    const now = Date.now();
    const hit = facts.get(elderId);
    if (hit && now - hit.at < FACTS_TTL_MS) return hit.value;
    const row = elderId ? profileRow.get(elderId) : undefined;
    const value = elderFacts(row ? (JSON.parse(String(row.profile)) as Record<string, unknown>) : {});
    if (facts.size > 10_000) facts.clear();
    facts.set(elderId, { at: now, value });
    return value;
  };
  return (rule: AnyRule, elderId: string) => {
    const stored = (id: string): Record<string, unknown> => {
      const row = configRow.get(rule.id, id);
      return row ? (JSON.parse(String(row.config)) as Record<string, unknown>) : {};
    };
    const facts = factsOf(elderId);
    return {
      ...(rule.defaults as object),
      ...overrides[rule.id],
      ...stored(''),
      ...(elderId ? stored(elderId) : {}),
      ...facts,
    };
  };
}

/** Stores settings of one rule for one elder (or for everyone with `elderId = ''`). */
export function setRuleConfig(
  db: DatabaseSync,
  ruleId: string,
  elderId: string,
  config: Record<string, unknown>,
): void {
  db.prepare(
    `INSERT INTO rule_config (rule_id, elder_id, config) VALUES (?, ?, ?)
     ON CONFLICT (rule_id, elder_id) DO UPDATE SET config = excluded.config`,
  ).run(ruleId, elderId, JSON.stringify(config));
}
