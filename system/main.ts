import { readFileSync } from 'node:fs';
import pino from 'pino';
import { DEMO_WORLD, startSystem } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { closeOnSignals } from './signals.ts';

/** `npm start`: reads the environment once, starts everything, prints where to go, stops on a signal. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = pino({ level: config.logLevel });
  const system = await startSystem(config, logger);
  const world = JSON.parse(readFileSync(DEMO_WORLD, 'utf8')) as {
    users: { username: string; password: string; role: string; scope: string }[];
  };
  const pick = ['admin', 'supervisor', 'operator', 'family'].flatMap((role) =>
    world.users.filter((u) => u.role === role).slice(0, 2),
  );
  console.log(
    `\nEldercare dispatch is up.\n  Dashboard: ${system.httpUrl}/\n  MQTT:      ${system.mqttUrl}${system.mqttsUrl ? `  (TLS: ${system.mqttsUrl})` : ''}${system.broker ? '' : ' (external broker)'}\n${system.mqttWsUrl ? `  MQTT/WS:   ${system.mqttWsUrl}\n` : ''}  Data:      ${config.dataDir}`,
  );
  if (config.nodeRed)
    console.log(`  Node-RED:  ${system.httpUrl}/flows/ (admins; log in to the dashboard first)`);
  console.log(`  Simulated homes: ${config.simHomes}\n  Demo logins (from ${DEMO_WORLD}):`);
  for (const u of pick)
    console.log(
      `    ${u.role.padEnd(10)} ${u.username.padEnd(22)} ${u.password.padEnd(18)} scope ${u.scope}`,
    );
  closeOnSignals(logger, () => system.close());
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(`error: ${err.message}`);
  } else {
    console.error(`error: ${(err as Error).message ?? err}`);
  }
  process.exit(1);
});
