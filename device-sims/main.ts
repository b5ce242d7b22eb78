import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EVENT_TYPES, type EventType } from '../protocol/index.ts';
import { type SimGateway, SimulatedHome } from './mqtt-home.ts';
import { runPtyCommand } from './pty/index.ts';
import { runScenarioCommand, SCENARIO_HELP } from './scenario/cli.ts';
import { runZigbeeCommand } from './zigbee/cli.ts';

const HELP = `Device simulators (npm run sim -- COMMAND [options])

Commands:
  run        play a scenario file (a seeded timeline of SOS, falls, vitals drifts, power cuts,
             network flaps, draining batteries, wearable falls) against a broker; run --help for more
  world      write a scenario's generated homes as a world file (to load into a test registry)
  provision  load a scenario's homes into npm start's registry (--data-dir DIR or --database-url URL)
  fleet      connect N demo homes; vitals every --vitals-every s, device heartbeats every
             --heartbeat-every s, an SOS somewhere every --sos-every s
  event      one home publishes one event and exits when the broker has acknowledged it
  list       the demo gateways and their devices
  pty        one byte-level serial device (radar, 433 MHz bridge) on a pty pair; pty --help for more
  zigbee     a simulated zigbee2mqtt bridge (its own MQTT broker) with smoke, gas, leak, door,
             motion and button devices; zigbee --help for more

Options:
  --broker URL[,URL]  MQTT broker (default mqtt://127.0.0.1:1883); with several, fleet homes take
                      them in turn (a broker cluster)
  --world FILE        demo world (default device-sims/fixtures/demo-world.json)
  --homes N           fleet size (default 20, at most the world's gateways)
  --vitals-every S    seconds between vitals of one home (default 30)
  --heartbeat-every S seconds between device-state heartbeats of one home (default 60)
  --sos-every S       mean seconds between simulated SOS presses in the fleet; 0 = never (default 300)
  --gateway ID        the home for 'event' (default the first)
  --type TYPE         event type for 'event' (default sos): ${EVENT_TYPES.join(', ')}
  -h, --help          this text

${SCENARIO_HELP}`;

// `pty`, `zigbee`, `run`, `world` and `provision` have options of their own, parsed by their modules.
if (process.argv[2] === 'pty') {
  await runPtyCommand(process.argv.slice(2));
  process.exit(0);
}
if (process.argv[2] === 'zigbee') {
  await runZigbeeCommand(process.argv.slice(2));
  process.exit(0);
}
if (process.argv[2] === 'run' || process.argv[2] === 'world' || process.argv[2] === 'provision') {
  process.exit(await runScenarioCommand(process.argv.slice(2)));
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    broker: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
    world: { type: 'string', default: join(import.meta.dirname, 'fixtures', 'demo-world.json') },
    homes: { type: 'string', default: '20' },
    'vitals-every': { type: 'string', default: '30' },
    'sos-every': { type: 'string', default: '300' },
    'heartbeat-every': { type: 'string', default: '60' },
    gateway: { type: 'string' },
    type: { type: 'string', default: 'sos' },
    help: { type: 'boolean', short: 'h' },
  },
});

function gateways(): SimGateway[] {
  return (JSON.parse(readFileSync(values.world, 'utf8')) as { gateways: SimGateway[] }).gateways;
}

async function fleet(): Promise<void> {
  const all = gateways();
  const homes = all.slice(0, Math.max(0, Number(values.homes))).map((g) => new SimulatedHome(g));
  const brokers = values.broker.split(',').filter(Boolean);
  await Promise.all(homes.map((h, i) => h.connect(brokers[i % brokers.length] as string)));
  console.log(`sim: ${homes.length} homes connected to ${brokers.join(' and ')}`);
  const vitalsMs = Number(values['vitals-every']) * 1000;
  const timers = homes.map((home, i) =>
    setInterval(
      () => {
        const hr = 62 + Math.round(Math.random() * 20);
        void home
          .vitals({ hr, spo2: 95 + Math.round(Math.random() * 4), rr: 14 + Math.round(Math.random() * 4) })
          .catch(() => {});
      },
      vitalsMs + i * 97,
    ),
  );
  const heartbeatMs = Number(values['heartbeat-every']) * 1000;
  const heartbeats = homes.map((home) =>
    setInterval(() => void home.heartbeat().catch(() => {}), heartbeatMs),
  );
  const sosEvery = Number(values['sos-every']);
  const pressSomewhere = (): void => {
    const home = homes[Math.floor(Math.random() * homes.length)];
    void home?.event('sos').then(
      (id) => console.log(`sim: ${home.gateway.id} pressed SOS (event ${id})`),
      () => {},
    );
    schedule();
  };
  let sosTimer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    if (sosEvery > 0 && homes.length > 0)
      sosTimer = setTimeout(pressSomewhere, -Math.log(1 - Math.random()) * sosEvery * 1000);
  };
  schedule();
  const stop = async (): Promise<void> => {
    for (const t of [...timers, ...heartbeats]) clearInterval(t);
    clearTimeout(sosTimer);
    await Promise.all(homes.map((h) => h.close()));
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

async function oneEvent(): Promise<void> {
  const all = gateways();
  const gw = values.gateway ? all.find((g) => g.id === values.gateway) : all[0];
  if (!gw) throw new Error(`no gateway ${values.gateway} in ${values.world}`);
  if (!(EVENT_TYPES as readonly string[]).includes(values.type))
    throw new Error(`--type must be one of ${EVENT_TYPES.join(', ')}`);
  const home = new SimulatedHome(gw);
  await home.connect(values.broker);
  const id = await home.event(values.type as EventType);
  console.log(`sim: ${gw.id} published ${values.type} (event ${id}); the broker acknowledged it`);
  await home.close();
}

const command = positionals[0];
if (values.help || !command) {
  console.log(HELP);
} else if (command === 'fleet') {
  await fleet();
} else if (command === 'event') {
  await oneEvent();
} else if (command === 'list') {
  for (const g of gateways()) console.log(`${g.id}  ${g.devices.map((d) => `${d.id}(${d.kind})`).join(' ')}`);
} else {
  console.error(`error: unknown command "${command}"\n\n${HELP}`);
  process.exit(1);
}
