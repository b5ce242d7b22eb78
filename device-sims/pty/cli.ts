/**
 * `sim pty`: one byte-level device simulator on a real pty pair, for testers and for the edge
 * agent's system tests. It links the agent end where asked, plays a timeline and keeps the device
 * alive (radar heartbeats) until SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { openPtyPair, type PtyPair } from './pty-pair.ts';
import { createSim, isSimKind, type RunnableSim, SIM_KIND_NAMES, type SimKind } from './sim-kinds.ts';
import { parseTimeline, playTimeline, type TimelineStep } from './timeline.ts';

export const PTY_HELP = `Byte-level device simulator on a pty pair (npm run sim -- pty [options])

Options:
  --kind KIND            ${SIM_KIND_NAMES.join(' | ')} (required)
  --link PATH            where to link the agent end, e.g. /tmp/ttyRadar (default a temp folder)
  --script STEPS         timeline, comma-separated action[:arg]@seconds, e.g. "fall@5,clear@40,hr:72@1"
  --heartbeat-every S    seconds between SY radar heartbeats (default 60; mr60fda1/mr60bha1 only)
  -h, --help             this text

Actions:
  mr60fda1, mr60bha1   heartbeat presence absent motion:0-2 fall fall-split clear residence
                       residence-clear hr:BPM br:N noise:N
  mr60fda2, mr60bha2   presence absent fall clear hr:BPM br:N debug:TEXT noise:N  (host commands are ACKed)
  rf433-bridge         press:CODE (six hex digits, sent 3 times 100 ms apart) noise:N

The first line printed is the agent end's path; open it at the device's baud rate
(115200 radars, 19200 RF bridge). Opening a serial port flushes it, so bytes sent before the agent
opens its end can be lost: start the script a second or two in. Noise is seeded and the timeline is
fixed, so runs repeat exactly.
`;

export interface PtyCommandOptions {
  /** Stops the simulator like SIGINT does; tests use it. */
  signal?: AbortSignal;
  /** Where output lines go; default stdout. */
  log?: (line: string) => void;
}

interface PtyArgs {
  kind: SimKind;
  link: string | undefined;
  steps: TimelineStep[];
  heartbeatMs: number;
}

/** Runs `sim pty …` until SIGINT, SIGTERM or `options.signal`; `args` may start with `pty`. */
export async function runPtyCommand(args: string[], options: PtyCommandOptions = {}): Promise<void> {
  const log = options.log ?? ((line: string) => console.log(line));
  const parsed = parsePtyArgs(args[0] === 'pty' ? args.slice(1) : args);
  if (parsed === 'help') {
    log(PTY_HELP);
    return;
  }
  const pair = await openPtyPair(parsed.link === undefined ? {} : { agentLink: parsed.link });
  let sim: RunnableSim | undefined;
  try {
    sim = createSim(parsed.kind, pair.devicePath);
    const prepared = prepareSteps(sim, parsed.steps);
    await sim.device.open();
    // Listening for the stop before saying "ready": whoever reads the path may signal at once.
    const stopped = stopRequested(options.signal);
    log(pair.agentPath);
    log(`sim pty: ${parsed.kind} ready; open ${pair.agentPath} (Ctrl-C to stop)`);
    await runUntilStopped(sim, parsed.heartbeatMs, prepared, log, stopped);
  } finally {
    await shutdown(sim, pair);
  }
}

function parsePtyArgs(args: string[]): PtyArgs | 'help' {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      kind: { type: 'string' },
      link: { type: 'string' },
      script: { type: 'string', default: '' },
      'heartbeat-every': { type: 'string', default: '60' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (values.kind === undefined || !isSimKind(values.kind)) {
    throw new Error(`--kind must be one of ${SIM_KIND_NAMES.join(', ')} (got ${values.kind ?? 'nothing'})`);
  }
  const heartbeatS = Number(values['heartbeat-every']);
  if (!Number.isFinite(heartbeatS) || heartbeatS <= 0) {
    throw new Error(`--heartbeat-every must be a number of seconds > 0 (got ${values['heartbeat-every']})`);
  }
  return {
    kind: values.kind,
    link: values.link,
    steps: parseTimeline(values.script),
    heartbeatMs: heartbeatS * 1000,
  };
}

interface PreparedStep extends TimelineStep {
  run: () => Promise<unknown>;
}

/** Checks every step against the kind's actions before anything is sent. */
function prepareSteps(sim: RunnableSim, steps: TimelineStep[]): PreparedStep[] {
  return steps.map((step) => {
    const action = sim.actions[step.action];
    if (action === undefined) {
      const known = Object.keys(sim.actions).join(', ');
      throw new Error(`unknown script action "${step.action}"; this kind knows: ${known}`);
    }
    return { ...step, run: action(step.arg) };
  });
}

async function runUntilStopped(
  sim: RunnableSim,
  heartbeatMs: number,
  prepared: PreparedStep[],
  log: (line: string) => void,
  stopped: Promise<void>,
): Promise<void> {
  sim.startHeartbeat?.(heartbeatMs);
  const timeline = playTimeline(prepared, async (step) => {
    const label = `${step.action}${step.arg === undefined ? '' : `:${step.arg}`}@${step.atSeconds}`;
    try {
      await step.run();
      log(`sent ${label}`);
    } catch (error) {
      log(`failed ${label}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  await stopped;
  timeline.stop();
}

/** Resolves on SIGINT, SIGTERM or abort, and removes its listeners again. */
function stopRequested(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    if (signal?.aborted) return stop();
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    signal?.addEventListener('abort', stop);
  });
}

async function shutdown(sim: RunnableSim | undefined, pair: PtyPair): Promise<void> {
  try {
    await sim?.device.close();
  } finally {
    await pair.close();
  }
}
