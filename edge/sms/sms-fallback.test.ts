import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GsmModemSim } from '../../device-sims/gsm-modem-sim.ts';
import { GsmModem, type SmsLogger } from './gsm-modem.ts';
import { type CriticalEvent, SmsFallback, type SmsFallbackOptions, type SmsSender } from './sms-fallback.ts';
import { connectedPair } from './test-support.ts';

const NUMBERS = ['+8613800001234', '13900005678'];
const EVENT: CriticalEvent = {
  id: 'abcd1234efgh5678',
  type: 'fall',
  ts: '2026-11-22T01:15:02.123Z',
  elderName: '张秀英',
  address: '资阳市雁江区狮子山路12号',
};

let fallback: SmsFallback | null = null;
const modems: GsmModem[] = [];

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse(EVENT.ts as string));
});

afterEach(async () => {
  await fallback?.stop();
  fallback = null;
  vi.useRealTimers();
  for (const modem of modems.splice(0)) await modem.close();
});

/** A real GsmModem talking to the simulator, already initialised. */
async function simulatedModem(): Promise<{ modem: GsmModem; sim: GsmModemSim }> {
  const { host, device } = connectedPair();
  const sim = new GsmModemSim(device);
  const modem = new GsmModem(host, { commandTimeoutMs: 1000 });
  modems.push(modem);
  await modem.init();
  return { modem, sim };
}

function start(options: Partial<SmsFallbackOptions> & Pick<SmsFallbackOptions, 'modem'>): SmsFallback {
  fallback = new SmsFallback({ numbers: NUMBERS, afterS: 60, ...options });
  return fallback;
}

function quietLogger() {
  const fn = () => vi.fn<(obj: unknown, msg?: string) => void>();
  return { debug: fn(), info: fn(), warn: fn(), error: fn() } satisfies SmsLogger;
}

describe('SmsFallback', () => {
  it('when the broker acknowledges the event before the deadline, no SMS is sent', async () => {
    const { modem, sim } = await simulatedModem();
    const sms = start({ modem });
    sms.watch(EVENT);
    await vi.advanceTimersByTimeAsync(59_000);
    sms.acknowledged(EVENT.id);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(sim.messages).toEqual([]);
  });

  it('when the event is not acknowledged in time, each number gets one SMS naming the elder, the event and its time', async () => {
    const { modem, sim } = await simulatedModem();
    start({ modem }).watch(EVENT);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(sim.messages).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(sim.messages.map((m) => m.number).sort()).toEqual([...NUMBERS].sort());
    for (const { text } of sim.messages) {
      expect(text).toContain('张秀英');
      expect(text).toContain('跌倒');
      expect(text).toContain('2026-11-22 09:15');
      expect(text).toContain('abcd1234');
    }
  });

  it('watching the same event id again, before or after the SMS, still sends one SMS per number', async () => {
    const { modem, sim } = await simulatedModem();
    const sms = start({ modem });
    sms.watch(EVENT);
    await vi.advanceTimersByTimeAsync(30_000);
    sms.watch(EVENT);
    await vi.advanceTimersByTimeAsync(600_000);
    sms.watch(EVENT);
    sms.acknowledged(EVENT.id);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(sim.messages.length).toBe(NUMBERS.length);
  });

  it('a late acknowledgement does not stop the SMS once the deadline has passed', async () => {
    const { modem, sim } = await simulatedModem();
    const sms = start({ modem, numbers: [NUMBERS[0] ?? ''] });
    sms.watch(EVENT);
    await vi.advanceTimersByTimeAsync(60_000);
    sms.acknowledged(EVENT.id);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(sim.messages.length).toBe(1);
  });

  it('a failing modem is retried with backoff, the SMS goes out in the end, and stop closes the modem', async () => {
    const { modem, sim } = await simulatedModem();
    let opened = 0;
    const factory = async (): Promise<SmsSender> => {
      opened += 1;
      if (opened === 1) throw new Error('ENOENT: /dev/ttyUSB2 is not there yet');
      sim.failNext = 'CMS';
      return modem;
    };
    const logger = quietLogger();
    const sms = start({ modem: factory, numbers: [NUMBERS[0] ?? ''], retryDelayMs: 5000, logger });
    sms.watch(EVENT);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sim.messages).toEqual([]);
    await vi.advanceTimersByTimeAsync(5000); // second attempt: the modem opens but answers +CMS ERROR
    expect(sim.messages).toEqual([]);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(sim.messages).toEqual([]);
    await vi.advanceTimersByTimeAsync(1); // third attempt, 10 s later
    await vi.advanceTimersByTimeAsync(1000);
    expect(sim.messages.map((m) => m.text.includes('张秀英'))).toEqual([true]);
    expect(opened).toBe(2);
    expect(logger.warn).toHaveBeenCalledTimes(3); // the deadline, then two failed attempts
    expect(logger.error).not.toHaveBeenCalled();
    await sms.stop();
    expect(modem.closed).toBe(true); // the fallback opened it, so the fallback closes it
  });

  it('a modem that never works is given up after the configured attempts, and the loss is logged', async () => {
    const sendSms = vi.fn(async () => {
      throw new Error('no network');
    });
    const logger = quietLogger();
    start({ modem: { sendSms }, numbers: [NUMBERS[0] ?? ''], attempts: 3, retryDelayMs: 1000, logger }).watch(
      EVENT,
    );
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(sendSms).toHaveBeenCalledTimes(3);
    expect(logger.error).toHaveBeenCalledWith(
      expect.objectContaining({ eventId: EVENT.id }),
      'fallback SMS not sent',
    );
  });

  it('an event already older than the deadline when watched is sent at once', async () => {
    const sendSms = vi.fn(async () => ({ reference: 1 }));
    vi.setSystemTime(Date.parse(EVENT.ts as string) + 120_000);
    start({ modem: { sendSms } }).watch(EVENT);
    await vi.advanceTimersByTimeAsync(0);
    expect(sendSms).toHaveBeenCalledTimes(NUMBERS.length);
  });

  it('stop clears every countdown and retry, and nothing is sent afterwards', async () => {
    const sendSms = vi.fn(async () => {
      throw new Error('busy');
    });
    const sms = start({ modem: { sendSms }, numbers: [NUMBERS[0] ?? ''] });
    sms.watch(EVENT);
    sms.watch({ ...EVENT, id: 'other-event-0001' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sendSms).toHaveBeenCalledTimes(2); // one per event; both now wait to retry
    sms.watch({ ...EVENT, id: 'third-event-0001', ts: Date.now() });
    await sms.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(sendSms).toHaveBeenCalledTimes(2);
  });

  it('an explicit delay overrides afterS, and onSent hears of every number that has the SMS', async () => {
    const sendSms = vi.fn(async () => ({ reference: 1 }));
    const onSent = vi.fn();
    start({ modem: { sendSms }, onSent }).watch(EVENT, 5000);
    await vi.advanceTimersByTimeAsync(4999);
    expect(sendSms).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(onSent.mock.calls).toEqual(NUMBERS.map((n) => [EVENT.id, n]));
  });

  it('stop waits for a send that is already talking to the modem', async () => {
    let finish: () => void = () => undefined;
    const sendSms = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const onSent = vi.fn();
    const sms = start({ modem: { sendSms }, numbers: [NUMBERS[0] ?? ''], onSent });
    sms.watch(EVENT, 0);
    await vi.advanceTimersByTimeAsync(0);
    let stopped = false;
    const stopping = sms.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(onSent).toHaveBeenCalledTimes(1);
  });
});
