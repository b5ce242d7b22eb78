import { parseArgs } from 'node:util';
import pino from 'pino';
import { Agent } from './agent.ts';
import { EdgeConfigError, loadEdgeConfig } from './config.ts';
import { DeviceConfigError } from './devices/registry.ts';
import { serialSmsFallback } from './sms/serial-fallback.ts';

const HELP = `Edge agent (one home gateway)

Usage: npm run edge -- --config FILE [--log-level info]

FILE is the gateway's JSON config (docs/contract.md, edge configuration; edge/README.md for an example).
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.config) {
    console.log(HELP);
    process.exit(values.help ? 0 : 1);
  }
  const config = loadEdgeConfig(values.config);
  const logger = pino({ level: values['log-level'] });
  const agent = new Agent(config, { logger, sms: serialSmsFallback(config, logger) });
  await agent.start();
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'agent stopping');
    agent.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  const known = err instanceof EdgeConfigError || err instanceof DeviceConfigError;
  console.error(`error: ${known ? (err as Error).message : ((err as Error).stack ?? err)}`);
  process.exit(1);
});
