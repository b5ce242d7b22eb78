import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '../../cloud/db/open.ts';
import type { Trace } from '../wearable/fall-trace.ts';
import { allLoopback, openFileLimit, splitFleet } from './fleet-split.ts';
import { generatedWorld, resolveHomes, type WorldGateways } from './homes.ts';
import { parseScenario, ScenarioError } from './parse.ts';
import { Plan } from './plan.ts';
import { provisionHomes } from './provision.ts';
import { describeAction, ProgressPrinter } from './report.ts';
import { type RunStats, runPlan } from './run.ts';
import type { ParentMessage, WorkerMessage } from './workers.ts';
import { runWorkers } from './workers.ts';
import { describeZigbeeStep, startZigbeeSteps } from './zigbee-steps.ts';

export const SCENARIO_HELP = `npm run sim -- run SCENARIO [options]     play a scenario file (device-sims/scenarios/)
npm run sim -- world SCENARIO --out FILE   write its generated homes as a world file
npm run sim -- provision SCENARIO          load its homes into npm start's registry (then run it)

Options of provision:
  --data-dir DIR      npm start's DATA_DIR (default $DATA_DIR or ./data; the SQLite store cloud.db)
  --database-url URL  PostgreSQL instead (default $DATABASE_URL)
  --region ID         the community the homes belong to (default the store's first community)

Options of run:
  --broker URL[,URL]  MQTT broker(s) (default mqtt://127.0.0.1:1883); homes take them in turn
  --world FILE        where demo gateways and their secrets come from (default the demo world)
  --seed N            replaces the file's seed
  --speed X           play X times faster than written (default 1)
  --dry-run           print the messages the scenario would send (timeline only; --all adds the
                      background vitals and heartbeats) and exit, without a broker
  --trace-out FILE    write the wearable accelerometer traces as CSV (trace,t,ax,ay,az; g)
  --fd-limit N        the open-file limit to plan workers by (default: ulimit -n)
  --json              print the final summary as JSON instead of a table
  --zigbee-port N     port of the simulated zigbee2mqtt bridge that plays the file's "zigbee" steps
                      (default a free one, printed); point an edge agent's zigbee devices at it
`;

const DEFAULT_WORLD = join(import.meta.dirname, '..', 'fixtures', 'demo-world.json');

/** `sim run` and `sim world`; exit code 1 with a one-line message for a bad scenario or option. */
export async function runScenarioCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      broker: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
      world: { type: 'string', default: DEFAULT_WORLD },
      seed: { type: 'string' },
      speed: { type: 'string', default: '1' },
      'dry-run': { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      'trace-out': { type: 'string' },
      'fd-limit': { type: 'string' },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      share: { type: 'string' },
      'local-address': { type: 'string' },
      'zigbee-port': { type: 'string', default: '0' },
      'data-dir': { type: 'string' },
      'database-url': { type: 'string' },
      region: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, file] = positionals;
  if (values.help || !file) {
    console.log(SCENARIO_HELP);
    return values.help ? 0 : 1;
  }
  try {
    const scenario = parseScenario(readFileSync(file, 'utf8'), file);
    if (values.seed !== undefined) scenario.seed = number('--seed', values.seed, 0, 4_294_967_295, true);
    const world = JSON.parse(readFileSync(values.world, 'utf8')) as WorldGateways;
    const homes = resolveHomes(scenario.homes, world, file);
    if (command === 'world') {
      if (!values.out) throw new Error('world needs --out FILE');
      writeFileSync(values.out, `${JSON.stringify(generatedWorld(homes), null, 2)}\n`);
      console.log(`sim: wrote ${homes.length} homes to ${values.out}`);
      return 0;
    }
    if (command === 'provision') {
      const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL;
      const sql = await openStore({
        dataDir: resolve(values['data-dir'] ?? process.env.DATA_DIR ?? './data'),
        databaseUrl: databaseUrl || undefined,
      });
      try {
        const result = await provisionHomes(sql, homes, {
          demoWorld: DEFAULT_WORLD,
          ...(values.region ? { region: values.region } : {}),
        });
        console.log(
          `sim: provisioned ${result.added} homes in ${result.region} (${result.existing} were there already)`,
        );
      } finally {
        await sql.close();
      }
      return 0;
    }
    const traces: { label: string; trace: Trace }[] = [];
    const share = values.share ? parseShare(values.share, homes.length) : { from: 0, to: homes.length };
    const plan = new Plan(scenario, homes, {
      share,
      ...(values['trace-out'] ? { onTrace: (label, trace) => traces.push({ label, trace }) } : {}),
    });
    if (values['trace-out']) writeFileSync(values['trace-out'], tracesCsv(traces));
    if (values['dry-run']) {
      const lines: { atMs: number; text: string }[] = [];
      for (let a = plan.next(); a; a = plan.next())
        if (values.all || a.step !== undefined) lines.push({ atMs: a.atMs, text: describeAction(a) });
      for (const z of scenario.zigbee) lines.push({ atMs: z.at * 1000, text: describeZigbeeStep(z) });
      // Stable: the homes' messages keep their order, the bridge's steps fall in by time.
      for (const l of lines.sort((x, y) => x.atMs - y.atMs)) console.log(l.text);
      return 0;
    }
    const brokers = values.broker.split(',').filter(Boolean);
    const speed = number('--speed', values.speed, 0.01, 10_000, false);
    if (values.share) return await asWorker(plan, share, brokers, speed, values['local-address']);
    const shares = splitFleet({
      homes: homes.length,
      fdLimit: values['fd-limit'] ? number('--fd-limit', values['fd-limit'], 1, 1e9, true) : openFileLimit(),
      loopback: allLoopback(brokers),
    });
    const printer = new ProgressPrinter();
    printer.line(
      `sim: ${scenario.name}: ${homes.length} homes, seed ${scenario.seed}, ${shares.length} process(es)`,
    );
    // The bridge lives in this process only: workers play the homes, never the zigbee steps.
    const zigbee =
      scenario.zigbee.length > 0
        ? await startZigbeeSteps(scenario.zigbee, {
            port: number('--zigbee-port', values['zigbee-port'], 0, 65535, true),
            speed,
            log: (text) => printer.line(text),
          })
        : null;
    const stats =
      shares.length === 1
        ? await runPlan(plan, range(share), {
            brokers,
            speed,
            onStep: (a) => printer.line(describeAction(a)),
            onProgress: (s) => printer.progress(s),
          })
        : await runWorkers(shares, workerArgs(argv), {
            line: (text) => printer.line(text),
            progress: (s) => printer.progress(s),
          });
    zigbee?.timeline.stop();
    await zigbee?.bridge.stop();
    if (values.json) console.log(JSON.stringify(stats));
    else printer.done(stats);
    return stats.failed > 0 ? 1 : 0;
  } catch (err) {
    console.error(`error: ${err instanceof ScenarioError ? err.message : (err as Error).message}`);
    return 1;
  }
}

/** A worker: plays its share with its own source address, reporting to the parent over IPC. */
async function asWorker(
  plan: Plan,
  share: { from: number; to: number },
  brokers: string[],
  speed: number,
  localAddress: string | undefined,
): Promise<number> {
  const send = (m: WorkerMessage) => process.send?.(m);
  // A source address in 127/8 cannot reach `localhost` if that resolves to ::1.
  const urls = brokers.map((b) => b.replace('//localhost', '//127.0.0.1'));
  try {
    const stats: RunStats = await runPlan(plan, range(share), {
      brokers: urls,
      speed,
      ...(localAddress ? { localAddress } : {}),
      onStep: (a) => send({ type: 'line', text: describeAction(a) }),
      onProgress: (s) => send({ type: 'progress', stats: s }),
      startAt: () =>
        new Promise<number>((resolve) => {
          process.once('message', (m: ParentMessage) => resolve(m.at));
          send({ type: 'ready' });
        }),
    });
    send({ type: 'done', stats });
    return 0;
  } catch (err) {
    send({ type: 'failed', message: (err as Error).message });
    return 1;
  }
}

function workerArgs(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--trace-out' || arg === '--fd-limit') i++;
    else if (!arg.startsWith('--trace-out=') && !arg.startsWith('--fd-limit=') && arg !== '--json')
      out.push(arg);
  }
  return out;
}

function range({ from, to }: { from: number; to: number }): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

function parseShare(text: string, homes: number): { from: number; to: number } {
  const m = /^(\d+):(\d+)$/.exec(text);
  const from = Number(m?.[1]);
  const to = Number(m?.[2]);
  if (!m || from >= to || to > homes) throw new Error(`--share must be FROM:TO within 0:${homes}`);
  return { from, to };
}

function number(name: string, text: string, min: number, max: number, integer: boolean): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n)))
    throw new Error(`${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  return n;
}

export function tracesCsv(traces: readonly { label: string; trace: Trace }[]): string {
  const rows = traces.flatMap(({ label, trace }) =>
    trace.samples.map(
      (s) => `${label},${s.t.toFixed(4)},${s.x.toFixed(4)},${s.y.toFixed(4)},${s.z.toFixed(4)}`,
    ),
  );
  return `trace,t,ax,ay,az\n${rows.map((r) => `${r}\n`).join('')}`;
}
