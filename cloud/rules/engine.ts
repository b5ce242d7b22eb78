import type { SqlSession } from '../db/sql.ts';
import type { AnyRule, RuleAction, RuleInput } from './rule.ts';

/**
 * Settings for one elder, read through `db` (the caller's transaction): a function answering each
 * rule's settings (defaults, then global overrides, then the elder's own).
 */
export type ConfigResolver = (db: SqlSession, elderId: string) => Promise<(rule: AnyRule) => unknown>;

export interface EngineAction {
  ruleId: string;
  action: RuleAction;
}

type OnRuleError = (ruleId: string, err: unknown) => void;

/**
 * Runs pure rules against stored state. The engine owns what rules may not touch: their state and
 * wake-up times live in `rule_state` (so a restart mid-window keeps them), and `now` comes from the
 * caller. Callers run it inside their own transaction (`in(tx)`), together with the alert changes it
 * asks for.
 */
export class RuleEngine {
  readonly #db: SqlSession;
  readonly #rules: readonly AnyRule[];
  readonly #configFor: ConfigResolver;
  readonly #byId: Map<string, AnyRule>;
  readonly #onError: OnRuleError;

  constructor(
    db: SqlSession,
    rules: readonly AnyRule[],
    configFor: ConfigResolver,
    onError: OnRuleError = () => {},
  ) {
    this.#db = db;
    this.#rules = rules;
    this.#configFor = configFor;
    this.#byId = new Map(rules.map((r) => [r.id, r]));
    this.#onError = onError;
  }

  /** The same engine, reading and writing rule state inside `tx`; rule failures go to `onError` if given. */
  in(tx: SqlSession, onError: OnRuleError = this.#onError): RuleEngine {
    return new RuleEngine(tx, this.#rules, this.#configFor, onError);
  }

  /**
   * One rule failing (a bad per-elder setting, a bug) must not stop the others: an SOS still raises when
   * the inactivity rule chokes. The failing rule keeps its old state and is reported.
   */
  #safely<T>(ruleId: string, run: () => T): T | null {
    try {
      return run();
    } catch (err) {
      this.#onError(ruleId, err);
      return null;
    }
  }

  /** Every rule that cares about `input` evaluates it; returns the actions in rule order. */
  async evaluate(input: RuleInput, now: number): Promise<EngineAction[]> {
    const actions: EngineAction[] = [];
    let configOf: ((rule: AnyRule) => unknown) | undefined;
    for (const rule of this.#rules) {
      const key = rule.key(input);
      if (key === null) continue;
      configOf ??= await this.#configFor(this.#db, input.subject.elderId);
      const state = await this.#load(rule.id, key);
      const config = configOf;
      const result = this.#safely(rule.id, () => rule.evaluate(input, state, now, config(rule)));
      if (!result) continue;
      await this.#store(rule.id, key, input.subject.elderId, result.nextState, result.wakeAt);
      for (const action of result.actions) actions.push({ ruleId: rule.id, action });
    }
    return actions;
  }

  /** Ticks every rule state whose wake-up time has come. */
  async due(now: number): Promise<EngineAction[]> {
    const rows = await this.#db.all(
      'SELECT rule_id, key, elder_id, state FROM rule_state WHERE wake_at <= $1 ORDER BY wake_at',
      [now],
    );
    const actions: EngineAction[] = [];
    const configs = new Map<string, (rule: AnyRule) => unknown>();
    for (const row of rows) {
      const rule = this.#byId.get(String(row.rule_id));
      const key = String(row.key);
      if (!rule?.tick) {
        await this.#db.run('UPDATE rule_state SET wake_at = NULL WHERE rule_id = $1 AND key = $2', [
          String(row.rule_id),
          key,
        ]);
        continue;
      }
      const elderId = String(row.elder_id);
      let configOf = configs.get(elderId);
      if (!configOf) {
        configOf = await this.#configFor(this.#db, elderId);
        configs.set(elderId, configOf);
      }
      const config = configOf(rule);
      const tick = rule.tick.bind(rule);
      const result = this.#safely(rule.id, () => tick(JSON.parse(String(row.state)), now, config));
      if (!result) {
        // Retry a failing wake-up a minute later rather than on every beat.
        await this.#db.run('UPDATE rule_state SET wake_at = $1 WHERE rule_id = $2 AND key = $3', [
          now + 60_000,
          rule.id,
          key,
        ]);
        continue;
      }
      await this.#store(rule.id, key, elderId, result.nextState, result.wakeAt);
      for (const action of result.actions) actions.push({ ruleId: rule.id, action });
    }
    return actions;
  }

  async #load(ruleId: string, key: string): Promise<unknown> {
    const row = await this.#db.get('SELECT state FROM rule_state WHERE rule_id = $1 AND key = $2', [
      ruleId,
      key,
    ]);
    return row ? JSON.parse(String(row.state)) : undefined;
  }

  async #store(
    ruleId: string,
    key: string,
    elderId: string,
    state: unknown,
    wakeAt: number | undefined,
  ): Promise<void> {
    if (state === undefined) {
      await this.#db.run('DELETE FROM rule_state WHERE rule_id = $1 AND key = $2', [ruleId, key]);
      return;
    }
    await this.#db.run(
      `INSERT INTO rule_state (rule_id, key, elder_id, state, wake_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (rule_id, key) DO UPDATE SET state = excluded.state, wake_at = excluded.wake_at`,
      [ruleId, key, elderId, JSON.stringify(state), wakeAt ?? null],
    );
  }
}
