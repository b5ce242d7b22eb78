import type { Logger } from 'pino';
import type { SmsWatcher } from '../agent.ts';
import type { EdgeConfig } from '../config.ts';
import type { Outbox } from '../outbox.ts';
import { GsmModem } from './gsm-modem.ts';
import { SmsFallback } from './sms-fallback.ts';

/**
 * The SMS fallback of a config with an `sms` section, over a GSM modem on a serial port. The modem is
 * opened only when an SMS is due (and again after a failure), and each event id sent is remembered in
 * the outbox, so a restart never texts the same event twice.
 */
export function serialSmsFallback(
  config: EdgeConfig,
  logger: Logger,
): ((outbox: Outbox) => SmsWatcher) | null {
  const sms = config.sms;
  if (!sms) return null;
  const log = logger.child({ component: 'sms' });
  const openModem = async (): Promise<GsmModem> => {
    const { SerialPort } = await import('serialport');
    const port = new SerialPort({ path: sms.port, baudRate: sms.baudRate ?? 115_200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    const modem = new GsmModem(port, { logger: log });
    await modem.init();
    return modem;
  };
  return (outbox) =>
    new SmsFallback({
      modem: openModem,
      numbers: sms.numbers,
      afterS: config.smsFallbackAfterS ?? 60,
      logger: log,
      onSent: (eventId) => outbox.markSmsSent(eventId),
    });
}
