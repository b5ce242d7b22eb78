import { afterEach, describe, expect, it } from 'vitest';
import { GsmModemSim } from '../../device-sims/gsm-modem-sim.ts';
import { GsmError, GsmModem, type GsmModemOptions } from './gsm-modem.ts';
import { maskNumber } from './sms-text.ts';
import { connectedPair } from './test-support.ts';

const NUMBER = '+8613800001234';
const FAST: GsmModemOptions = { commandTimeoutMs: 200, sendTimeoutMs: 200, recoveryMs: 20 };
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function setup(options: { chunkSize?: number; cmsError?: number; modem?: GsmModemOptions } = {}) {
  const { host, device } = connectedPair({ chunkSize: options.chunkSize });
  const sim = new GsmModemSim(device, { cmsError: options.cmsError });
  const modem = new GsmModem(host, { ...FAST, ...options.modem });
  cleanups.push(async () => {
    await modem.close();
    await sim.close();
  });
  return { modem, sim };
}

async function rejection(promise: Promise<unknown>): Promise<GsmError> {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GsmError);
  return error as GsmError;
}

describe('GsmModem against the simulated modem', () => {
  it('init turns echo off and text mode on, and an ASCII SMS arrives with its message reference', async () => {
    const { modem, sim } = setup();
    await modem.init();
    expect(sim.commands).toEqual(['AT', 'ATE0', 'AT+CMGF=1', 'AT+CMEE=1']);
    expect(sim.echo).toBe(false);
    expect(sim.textMode).toBe(true);
    const receipt = await modem.sendSms(NUMBER, 'SOS from Zhang, 09:15. Call now!');
    expect(receipt).toEqual({ reference: 1, charset: 'GSM', truncated: false });
    expect(sim.messages).toMatchObject([
      { number: NUMBER, text: 'SOS from Zhang, 09:15. Call now!', charset: 'GSM' },
    ]);
    expect(sim.commands).toContain('AT+CSMP=17,167,0,0');
  });

  it('a Chinese text goes as UCS2 and the simulator decodes both the number and the text', async () => {
    const { modem, sim } = setup();
    await modem.init();
    const text = '紧急呼叫【跌倒】张秀英，2026-11-22 09:15，资阳市雁江区';
    const receipt = await modem.sendSms(NUMBER, text);
    expect(receipt.charset).toBe('UCS2');
    expect(sim.messages).toMatchObject([{ number: NUMBER, text, charset: 'UCS2' }]);
    expect(sim.commands).toContain('AT+CSCS="UCS2"');
    expect(sim.commands).toContain('AT+CSMP=17,167,0,8');
  });

  it('an ASCII text after a Chinese one switches the modem back to the GSM alphabet', async () => {
    const { modem, sim } = setup();
    await modem.init();
    await modem.sendSms(NUMBER, '张秀英');
    await modem.sendSms('13800001234', 'plain');
    expect(sim.messages.map((m) => [m.number, m.text, m.charset])).toEqual([
      [NUMBER, '张秀英', 'UCS2'],
      ['13800001234', 'plain', 'GSM'],
    ]);
    expect(sim.messages.map((m) => m.reference)).toEqual([1, 2]);
  });

  it('a plain ERROR to AT+CMGS rejects with code ERROR, and the next SMS goes out', async () => {
    const { modem, sim } = setup();
    await modem.init();
    sim.failNext = 'ERROR';
    const error = await rejection(modem.sendSms(NUMBER, 'first'));
    expect(error.code).toBe('ERROR');
    expect(error.command).toBe(`AT+CMGS="${maskNumber(NUMBER)}"`);
    expect(error.message).not.toContain(NUMBER);
    await modem.sendSms(NUMBER, 'second');
    expect(sim.messages.map((m) => m.text)).toEqual(['second']);
  });

  it('+CMS ERROR after the text rejects with CMS_ERROR, the modem number and its meaning', async () => {
    const { modem, sim } = setup({ cmsError: 330 });
    await modem.init();
    sim.failNext = 'CMS';
    const error = await rejection(modem.sendSms(NUMBER, 'no SMSC'));
    expect(error.code).toBe('CMS_ERROR');
    expect(error.modemCode).toBe('330');
    expect(error.message).toContain('SMSC address unknown');
    expect(sim.messages).toEqual([]);
  });

  it('a modem that never answers makes init fail with TIMEOUT after three tries of AT', async () => {
    const { host, device } = connectedPair();
    const written: string[] = [];
    device.on('data', (chunk: Buffer) => written.push(chunk.toString('latin1')));
    const modem = new GsmModem(host, { commandTimeoutMs: 30, recoveryMs: 5 });
    cleanups.push(() => modem.close());
    const error = await rejection(modem.init());
    expect(error.code).toBe('TIMEOUT');
    expect(written.join('')).toBe('AT\rAT\rAT\r');
  });

  it('a silent AT+CMGS times out, the prompt is escaped, and the next SMS still goes out', async () => {
    const { modem, sim } = setup();
    await modem.init();
    sim.failNext = 'silent';
    const error = await rejection(modem.sendSms(NUMBER, 'lost'));
    expect(error.code).toBe('TIMEOUT');
    await modem.sendSms(NUMBER, 'found');
    expect(sim.messages.map((m) => m.text)).toEqual(['found']);
  });

  it('unsolicited result codes interleaved with every answer are ignored', async () => {
    const { modem, sim } = setup();
    sim.urcs = ['RING', '+CMTI: "SM",3', '^RSSI:12', '+CREG: 1'];
    await modem.init();
    await modem.sendSms(NUMBER, 'ascii');
    await modem.sendSms(NUMBER, '中文');
    expect(sim.messages.map((m) => m.text)).toEqual(['ascii', '中文']);
  });

  it('answers cut into one-byte chunks, with the echo still on, still make whole lines and the prompt', async () => {
    const { modem, sim } = setup({ chunkSize: 1 });
    sim.urcs = ['RING'];
    await modem.init();
    const receipt = await modem.sendSms(NUMBER, '张秀英 fell');
    expect(receipt.reference).toBe(1);
    expect(sim.messages.map((m) => m.text)).toEqual(['张秀英 fell']);
  });

  it('a modem that turned its echo back on (after a reset) still sends, even a text that reads OK', async () => {
    const { modem, sim } = setup();
    await modem.init();
    sim.echo = true;
    await modem.sendSms(NUMBER, 'OK');
    expect(sim.messages.map((m) => m.text)).toEqual(['OK']);
  });

  it('a long ASCII text is cut to 160 characters ending in ..., a long Chinese one to 70 ending in …', async () => {
    const { modem, sim } = setup();
    await modem.init();
    expect((await modem.sendSms(NUMBER, 'x'.repeat(200))).truncated).toBe(true);
    await modem.sendSms(NUMBER, '跌'.repeat(100));
    const [ascii, chinese] = sim.messages.map((m) => m.text);
    expect(ascii).toBe(`${'x'.repeat(157)}...`);
    expect(chinese).toBe(`${'跌'.repeat(69)}…`);
  });

  it('bad numbers and texts with Ctrl-Z or ESC are refused before anything reaches the modem', async () => {
    const { modem, sim } = setup();
    await modem.init();
    const before = sim.commands.length;
    for (const number of ['', '+12345', '+1234567890123456', '138-0000-1234', '12']) {
      expect((await rejection(modem.sendSms(number, 'x'))).code).toBe('INVALID_NUMBER');
    }
    for (const text of ['', 'a\u001ab', 'a\u001bb']) {
      expect((await rejection(modem.sendSms(NUMBER, text))).code).toBe('INVALID_TEXT');
    }
    expect(sim.commands.length).toBe(before);
  });

  it('close fails the pending command and every later one with CLOSED', async () => {
    const { modem, sim } = setup({ modem: { commandTimeoutMs: 10_000 } });
    await modem.init();
    sim.failNext = 'silent';
    const pending = modem.sendSms(NUMBER, 'never');
    const queued = modem.sendSms(NUMBER, 'queued');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await modem.close();
    expect((await rejection(pending)).code).toBe('CLOSED');
    expect((await rejection(queued)).code).toBe('CLOSED');
    expect((await rejection(modem.init())).code).toBe('CLOSED');
  });

  it('when the modem end of the cable goes away, the pending command fails with CLOSED', async () => {
    const { modem, sim } = setup({ modem: { commandTimeoutMs: 10_000 } });
    await modem.init();
    sim.failNext = 'silent';
    const pending = modem.sendSms(NUMBER, 'never');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await sim.close();
    expect((await rejection(pending)).code).toBe('CLOSED');
    expect(modem.closed).toBe(true);
  });
});
