import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from './parse.ts';

const SCENARIOS = join(import.meta.dirname, '..', 'scenarios');

function errorOf(text: string): ScenarioError {
  try {
    parseScenario(text, 'test.json');
  } catch (err) {
    if (err instanceof ScenarioError) return err;
    throw err;
  }
  throw new Error('parsed without an error');
}

const file = (timeline: string) => `{\n  "seed": 1,\n  "homes": "all",\n  "timeline": [\n${timeline}\n  ]\n}`;

describe('scenario files', () => {
  it.each(readdirSync(SCENARIOS))('the example %s parses', (name) => {
    const scenario = parseScenario(readFileSync(join(SCENARIOS, name), 'utf8'), name);
    expect(scenario.timeline.length).toBeGreaterThan(0);
    expect(scenario.duration).toBeGreaterThan(0);
  });

  it('fills in the defaults: name, background cadence and a duration 5 s past the last step', () => {
    const s = parseScenario(
      file('    { "at": 10, "do": "vitals", "home": 1, "from": {"hr": 70}, "to": {"hr": 140}, "over": 30 }'),
    );
    expect(s).toMatchObject({
      name: 'scenario',
      duration: 45,
      background: { vitalsEvery: 30, heartbeatEvery: 60 },
    });
  });

  it('a misspelt field is named with its line', () => {
    const err = errorOf(
      file(
        '    { "at": 1, "do": "sos", "home": 1 },\n    { "at": 2, "do": "vitals", "home": 1,\n      "from": {"hr": 70}, "to": {"hr": 99}, "ovr": 3 }',
      ),
    );
    expect(err.message).toBe('test.json:line 7: /timeline/1/ovr is not a field of a "vitals" step');
  });

  it('a value out of range names the field and its line', () => {
    const err = errorOf(
      file('    { "at": 1, "do": "sos", "home": 1 },\n    { "at": -4, "do": "fall", "home": 1 }'),
    );
    expect(err.field).toBe('/timeline/1/at');
    expect(err.line).toBe(6);
  });

  it('an unknown action is refused, naming its step', () => {
    const err = errorOf(file('    { "at": 1, "do": "explode", "home": 1 }'));
    expect(err.message).toMatch(/^test\.json:line 5: \/timeline\/0\/do /);
  });

  it('a step needs exactly one target', () => {
    expect(errorOf(file('    { "at": 1, "do": "sos" }')).message).toMatch(
      /exactly one of "elder", "gateway", "home"/,
    );
    expect(errorOf(file('    { "at": 1, "do": "sos", "home": 1, "elder": "el-0001" }')).field).toBe(
      '/timeline/0',
    );
  });

  it('a drift must name the same vitals at both ends', () => {
    const err = errorOf(
      file('    { "at": 1, "do": "vitals", "home": 1, "from": {"hr": 70}, "to": {"spo2": 88}, "over": 5 }'),
    );
    expect(err.field).toBe('/timeline/0/to');
  });

  it('text that is not JSON is refused with the line of the mistake', () => {
    const err = errorOf('{\n  "seed": 1,\n  "homes": "all"\n  "timeline": []\n}');
    expect(err.message).toMatch(/^test\.json:line 4: is not valid JSON/);
  });

  it('arbitrary text never crashes the parser: it parses or throws a ScenarioError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        try {
          parseScenario(text);
        } catch (err) {
          expect(err).toBeInstanceOf(ScenarioError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary JSON steps never crash the parser either', () => {
    const step = fc.record(
      {
        at: fc.oneof(fc.double(), fc.integer(), fc.string()),
        do: fc.constantFrom('sos', 'vitals', 'network_flap', 'battery_drain', 'wearable_decoy', 'nope'),
        home: fc.oneof(fc.integer(), fc.constant(null)),
        from: fc.jsonValue(),
        to: fc.jsonValue(),
        over: fc.jsonValue(),
        kind: fc.jsonValue(),
      },
      { requiredKeys: ['do'] },
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 4 }), fc.jsonValue(), (timeline, homes) => {
        try {
          parseScenario(JSON.stringify({ seed: 3, homes, timeline }, null, 1));
        } catch (err) {
          expect(err).toBeInstanceOf(ScenarioError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
