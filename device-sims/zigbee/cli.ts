/**
 * `sim zigbee`: a simulated zigbee2mqtt bridge on a port, for testers and the edge's system tests. It
 * prints the bridge's URL first, plays a timeline and keeps running until SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { parseTimeline, playTimeline, type TimelineStep } from '../pty/timeline.ts';
import { ZIGBEE_SIM_KINDS, ZigbeeBridgeSim, type ZigbeeSimDevice, type ZigbeeSimKind } from './bridge.ts';

export const ZIGBEE_HELP = `Simulated zigbee2mqtt bridge (npm run sim -- zigbee [options])

Options:
  --port N        the bridge broker's port (default a free one; the URL is printed first)
  --host ADDR     address to listen on (default 127.0.0.1)
  --base TOPIC    base topic (default zigbee2mqtt)
  --device NAME=KIND  a device (repeatable); KIND is ${ZIGBEE_SIM_KINDS.join(' | ')}. Default:
                  kitchen_smoke=smoke kitchen_gas=gas bathroom_leak=leak front_door=door
                  hall_motion=motion bedside_button=button
  --script STEPS  timeline, comma-separated action[:device]@seconds, e.g. "smoke:kitchen_smoke@30,open@5"
  -h, --help      this text

Actions (the device is a friendly name or a kind; default the first device of the action's kind):
  smoke smoke_clear gas gas_clear leak leak_clear open close motion still tamper low_battery
  report (the whole state again, nothing changed) press (action "emergency") press_ACTION (e.g.
  press_single) offline online kill (the bridge goes away) restart

Point a zigbee device of the edge config at it:
  {"id":"gw-0001-smoke","kind":"zigbee","room":"kitchen",
   "transport":{"type":"zigbee2mqtt","url":"mqtt://127.0.0.1:PORT","friendlyName":"kitchen_smoke"}}
`;

type Step = (bridge: ZigbeeBridgeSim, device: string | undefined) => Promise<void>;

const on =
  (kind: ZigbeeSimKind, fields: Record<string, unknown>): Step =>
  (b, d) =>
    b.set(b.device(d ?? kind), fields);

const STEPS: Record<string, Step> = {
  smoke: on('smoke', { smoke: true }),
  smoke_clear: on('smoke', { smoke: false }),
  gas: on('gas', { gas: true }),
  gas_clear: on('gas', { gas: false }),
  leak: on('leak', { water_leak: true }),
  leak_clear: on('leak', { water_leak: false }),
  open: on('door', { contact: false }),
  close: on('door', { contact: true }),
  motion: on('motion', { occupancy: true }),
  still: on('motion', { occupancy: false }),
  tamper: on('smoke', { tamper: true }),
  low_battery: on('button', { battery: 9, battery_low: true }),
  report: (b, d) => b.report(b.device(d ?? 'door')),
  press: (b, d) => b.press(b.device(d ?? 'button')),
  offline: (b, d) => b.availability(b.device(d ?? 'door'), 'offline'),
  online: (b, d) => b.availability(b.device(d ?? 'door'), 'online'),
  kill: (b) => b.kill(),
  restart: (b) => b.restart(),
};

function stepFor(action: string): Step | undefined {
  if (action.startsWith('press_')) return (b, d) => b.press(b.device(d ?? 'button'), action.slice(6));
  return STEPS[action];
}

interface ZigbeeArgs {
  port: number;
  host: string;
  base: string;
  devices: ZigbeeSimDevice[] | undefined;
  steps: TimelineStep[];
}

export function parseZigbeeArgs(args: string[]): ZigbeeArgs | 'help' {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      base: { type: 'string', default: 'zigbee2mqtt' },
      device: { type: 'string', multiple: true },
      script: { type: 'string', default: '' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be a port number 0-65535 (got ${values.port})`);
  const devices = values.device?.map((spec) => {
    const [name, kind] = spec.split('=');
    if (!name || !kind || !(ZIGBEE_SIM_KINDS as readonly string[]).includes(kind))
      throw new Error(
        `--device must be NAME=KIND with KIND one of ${ZIGBEE_SIM_KINDS.join(', ')} (got ${spec})`,
      );
    return { friendlyName: name, kind: kind as ZigbeeSimKind };
  });
  const steps = parseTimeline(values.script);
  for (const s of steps)
    if (!stepFor(s.action))
      throw new Error(`unknown script action "${s.action}"; see --help for the actions`);
  return { port, host: values.host, base: values.base, devices, steps };
}

/** Runs `sim zigbee …` until SIGINT, SIGTERM or `signal`; `args` may start with `zigbee`. */
export async function runZigbeeCommand(
  args: string[],
  options: { signal?: AbortSignal; log?: (line: string) => void } = {},
): Promise<void> {
  const log = options.log ?? ((line: string) => console.log(line));
  const parsed = parseZigbeeArgs(args[0] === 'zigbee' ? args.slice(1) : args);
  if (parsed === 'help') return log(ZIGBEE_HELP);
  const bridge = await ZigbeeBridgeSim.start({
    port: parsed.port,
    host: parsed.host,
    baseTopic: parsed.base,
    ...(parsed.devices ? { devices: parsed.devices } : {}),
  });
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      options.signal?.removeEventListener('abort', stop);
      resolve();
    };
    if (options.signal?.aborted) return stop();
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    options.signal?.addEventListener('abort', stop);
  });
  log(bridge.url);
  log(
    `sim zigbee: bridge ready on ${bridge.url}, base topic ${bridge.baseTopic}; devices ${bridge.devices
      .map((d) => `${d.friendlyName}(${d.kind})`)
      .join(' ')} (Ctrl-C to stop)`,
  );
  const timeline = playTimeline(parsed.steps, async (step) => {
    const label = `${step.action}${step.arg === undefined ? '' : `:${step.arg}`}@${step.atSeconds}`;
    try {
      await stepFor(step.action)?.(bridge, step.arg);
      log(`sent ${label}`);
    } catch (error) {
      log(`failed ${label}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  await stopped;
  timeline.stop();
  await bridge.stop();
}
