import type { DatabaseSync } from 'node:sqlite';
import type { AnyRule, RuleAction, RuleInput } from './rule.ts';

/** Settings for one rule and one elder: defaults, then global overrides, then the elder's own. */
export type ConfigResolver = (rule: AnyRule, elderId: string) => unknown;

export interface EngineAction {
  ruleId: string;
  action: RuleAction;
}

/**
 * Runs pure rules against stored state. The engine owns what rules may not touch: their state and
 * wake-up times live in `rule_state` (so a restart mid-window keeps them), and `now` comes from the
 * caller. Callers run it inside their own transaction, together with the alert changes it asks for.
 */
export class RuleEngine {
  readonly #db: DatabaseSync;
  readonly #rules: readonly AnyRule[];
  readonly #configFor: ConfigResolver;
  readonly #byId: Map<string, AnyRule>;
  readonly #onError: (ruleId: string, err: unknown) => void;

  constructor(
    db: DatabaseSync,
    rules: readonly AnyRule[],
    configFor: ConfigResolver,
    onError: (ruleId: string, err: unknown) => void = () => {},
  ) {
    this.#db = db;
    this.#rules = rules;
    this.#configFor = configFor;
    this.#byId = new Map(rules.map((r) => [r.id, r]));
    this.#onError = onError;
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
  evaluate(input: RuleInput, now: number): EngineAction[] {
    const actions: EngineAction[] = [];
    for (const rule of this.#rules) {
      const key = rule.key(input);
      if (key === null) continue;
      const state = this.#load(rule.id, key);
      const result = this.#safely(rule.id, () =>
        rule.evaluate(input, state, now, this.#configFor(rule, input.subject.elderId)),
      );
      if (!result) continue;
      this.#store(rule.id, key, input.subject.elderId, result.nextState, result.wakeAt);
      for (const action of result.actions) actions.push({ ruleId: rule.id, action });
    }
    return actions;
  }

  /** Ticks every rule state whose wake-up time has come. */
  due(now: number): EngineAction[] {
    const rows = this.#db
      .prepare('SELECT rule_id, key, elder_id, state FROM rule_state WHERE wake_at <= ? ORDER BY wake_at')
      .all(now);
    const actions: EngineAction[] = [];
    for (const row of rows) {
      const rule = this.#byId.get(String(row.rule_id));
      const key = String(row.key);
      if (!rule?.tick) {
        this.#db
          .prepare('UPDATE rule_state SET wake_at = NULL WHERE rule_id = ? AND key = ?')
          .run(String(row.rule_id), key);
        continue;
      }
      const elderId = String(row.elder_id);
      const tick = rule.tick.bind(rule);
      const result = this.#safely(rule.id, () =>
        tick(JSON.parse(String(row.state)), now, this.#configFor(rule, elderId)),
      );
      if (!result) {
        // Retry a failing wake-up a minute later rather than on every beat.
        this.#db
          .prepare('UPDATE rule_state SET wake_at = ? WHERE rule_id = ? AND key = ?')
          .run(now + 60_000, rule.id, key);
        continue;
      }
      this.#store(rule.id, key, elderId, result.nextState, result.wakeAt);
      for (const action of result.actions) actions.push({ ruleId: rule.id, action });
    }
    return actions;
  }

  #load(ruleId: string, key: string): unknown {
    const row = this.#db
      .prepare('SELECT state FROM rule_state WHERE rule_id = ? AND key = ?')
      .get(ruleId, key);
    return row ? JSON.parse(String(row.state)) : undefined;
  }

  #store(ruleId: string, key: string, elderId: string, state: unknown, wakeAt: number | undefined): void {
    if (state === undefined) {
      this.#db.prepare('DELETE FROM rule_state WHERE rule_id = ? AND key = ?').run(ruleId, key);
      return;
    }
    this.#db
      .prepare(
        `INSERT INTO rule_state (rule_id, key, elder_id, state, wake_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (rule_id, key) DO UPDATE SET state = excluded.state, wake_at = excluded.wake_at`,
      )
      .run(ruleId, key, elderId, JSON.stringify(state), wakeAt ?? null);
  }
}
