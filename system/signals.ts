import type { Logger } from 'pino';

/**
 * The end of a process's life, the same for `npm start` and `npm run broker`: on SIGINT or SIGTERM,
 * once, run `close`, then exit 0 (or 1 when closing failed, after logging why).
 */
export function closeOnSignals(logger: Logger, close: () => Promise<unknown>): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
