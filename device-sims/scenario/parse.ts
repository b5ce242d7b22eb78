import { Compile } from 'typebox/compile';
import { lineOf, lineOfPointer } from './json-lines.ts';
import {
  type Scenario,
  ScenarioFile,
  STEP_ACTIONS,
  type Step,
  type StepAction,
  stepSchema,
  type ZigbeeStep,
} from './schema.ts';

/** A scenario file that cannot be played; the message names the file, line and field. */
export class ScenarioError extends Error {
  readonly line: number | undefined;
  readonly field: string | undefined;

  constructor(source: string, message: string, line?: number, field?: string) {
    const where = [source, line === undefined ? null : `line ${line}`].filter(Boolean).join(':');
    super(`${where}: ${field ? `${field} ` : ''}${message}`);
    this.name = 'ScenarioError';
    this.line = line;
    this.field = field;
  }
}

export const DEFAULT_VITALS_EVERY_S = 30;
export const DEFAULT_HEARTBEAT_EVERY_S = 60;
/** Background traffic runs this long after the last step when the file sets no `duration`. */
const TAIL_S = 5;

const fileCheck = Compile(ScenarioFile);
const stepChecks = new Map(STEP_ACTIONS.map((action) => [action, Compile(stepSchema(action))]));

/**
 * Parses and validates a scenario file's text. Never throws anything but ScenarioError, whatever the
 * input; the result has every default filled in.
 */
export function parseScenario(text: string, source = 'scenario'): Scenario {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    const line = at === undefined ? undefined : lineOf(text, Number(at));
    throw new ScenarioError(source, 'is not valid JSON (the format is plain JSON, no comments)', line);
  }
  const fail = (pointer: string, message: string): never => {
    throw new ScenarioError(source, message, lineOfPointer(text, pointer), pointer || '/');
  };
  if (!fileCheck.Check(value)) {
    const first = fileCheck.Errors(value)[0];
    fail(first?.instancePath ?? '', first?.message ?? 'is invalid');
  }
  const file = value as {
    name?: string;
    description?: string;
    seed: number;
    duration?: number;
    homes: Scenario['homes'];
    background?: { vitalsEvery?: number; heartbeatEvery?: number };
    timeline: { do: StepAction }[];
  };
  const timeline: Step[] = [];
  const zigbee: ZigbeeStep[] = [];
  file.timeline.forEach((raw, i) => {
    const step = checkStep(raw, `/timeline/${i}`, fail);
    if (step.do === 'zigbee') zigbee.push(step);
    else timeline.push(step);
  });
  return {
    name: file.name ?? source,
    description: file.description ?? '',
    seed: file.seed,
    duration: file.duration ?? Math.max(0, ...timeline.map(stepEnd), ...zigbee.map((z) => z.at)) + TAIL_S,
    homes: file.homes,
    background: {
      vitalsEvery: file.background?.vitalsEvery ?? DEFAULT_VITALS_EVERY_S,
      heartbeatEvery: file.background?.heartbeatEvery ?? DEFAULT_HEARTBEAT_EVERY_S,
    },
    timeline,
    zigbee: zigbee.sort((a, b) => a.at - b.at),
  };
}

function checkStep(
  raw: { do: StepAction },
  pointer: string,
  fail: (p: string, m: string) => never,
): Step | ZigbeeStep {
  const check = stepChecks.get(raw.do);
  if (!check) return fail(`${pointer}/do`, 'is not a known action');
  const valid: boolean = check.Check(raw);
  if (!valid) {
    const first = check.Errors(raw)[0];
    const path = first?.instancePath ?? '';
    // An unknown field is reported on the step with its name, which the schema error leaves out.
    const extra = Object.keys(raw).find((k) => !(k in (stepSchema(raw.do).properties as object)));
    if (extra !== undefined) fail(`${pointer}/${extra}`, `is not a field of a "${raw.do}" step`);
    fail(`${pointer}${path}`, first?.message ?? 'is invalid');
  }
  if (raw.do === 'zigbee') {
    const z = raw as ZigbeeStep;
    if ([z.set, z.press, z.availability].filter((x) => x !== undefined).length !== 1)
      fail(pointer, 'a "zigbee" step needs exactly one of "set", "press" or "availability"');
    return z;
  }
  const step = raw as Step;
  const targets = [step.elder, step.gateway, step.home, step.all ? true : undefined].filter(
    (t) => t !== undefined,
  );
  if (targets.length !== 1) fail(pointer, 'needs exactly one of "elder", "gateway", "home" or "all": true');
  if (step.spread !== undefined && !step.all) fail(`${pointer}/spread`, 'only goes with "all": true');
  if (step.do === 'vitals') {
    const from = Object.keys(step.from).sort().join();
    if (from !== Object.keys(step.to).sort().join())
      fail(`${pointer}/to`, 'must name the same vitals as "from"');
  }
  if (step.do === 'wearable_fall' && step.kind !== undefined)
    fail(`${pointer}/kind`, 'is for wearable_decoy only');
  return step;
}

/** When a step's last message goes out, in seconds from the start. */
export function stepEnd(step: Step): number {
  const start = step.at + (step.spread ?? 0);
  switch (step.do) {
    case 'vitals':
    case 'battery_drain':
      return start + step.over;
    case 'network_flap':
      return start + step.times * (step.down + step.up);
    default:
      return start;
  }
}
