import { describe, expect, it } from 'vitest';
import { decodeUcs2Hex } from '../../device-sims/gsm-modem-sim.ts';
import { composeAlertText, formatEventTime } from './sms-fallback.ts';
import {
  chooseCharset,
  encodeUcs2Hex,
  fitToOneSms,
  maskNumber,
  numberProblem,
  prepareSms,
} from './sms-text.ts';

describe('what goes into AT+CMGS', () => {
  it('numbers are + and 6 to 15 digits, or 3 to 20 digits', () => {
    for (const ok of ['+861380000123', '+123456', '+123456789012345', '12110', '13800001234']) {
      expect(numberProblem(ok)).toBeUndefined();
    }
    for (const bad of ['', '+', '+12345', '+1234567890123456', '12', '138 0000 1234', '+86-138', '１３８']) {
      expect(numberProblem(bad)).toBeDefined();
    }
  });

  it('only characters that are the same in ASCII and the GSM alphabet stay GSM', () => {
    expect(chooseCharset('Fall at 09:15, room 2 (bed) - call "now"? 100% #1 & more!\n')).toBe('GSM');
    for (const text of [
      'a@b',
      'cost $5',
      'snake_case',
      '[x]',
      '{x}',
      'a\\b',
      'a^b',
      'a~b',
      'a|b',
      '`x`',
      'é',
      '张',
    ]) {
      expect(chooseCharset(text)).toBe('UCS2');
    }
  });

  it('UCS2 is UTF-16 big-endian in uppercase hex, and the simulator reads it back', () => {
    expect(encodeUcs2Hex('张A')).toBe('5F200041');
    expect(encodeUcs2Hex('+86')).toBe('002B00380036');
    expect(decodeUcs2Hex(encodeUcs2Hex('跌倒 😀'))).toBe('跌倒 😀');
    expect(decodeUcs2Hex('5F2')).toBeUndefined();
  });

  it('cutting a UCS2 text never splits a surrogate pair', () => {
    const { text, truncated } = fitToOneSms(`${'a'.repeat(68)}😀😀`, 'UCS2');
    expect(truncated).toBe(true);
    expect(text).toBe(`${'a'.repeat(68)}…`);
    expect(fitToOneSms('x'.repeat(160), 'GSM')).toEqual({ text: 'x'.repeat(160), truncated: false });
  });

  it('a CR in the text becomes LF, so the modem does not open a second prompt', () => {
    expect(prepareSms('13800001234', 'a\r\nb\rc')).toMatchObject({ charset: 'GSM', body: 'a\nb\nc' });
  });

  it('numbers in logs keep only their first and last digits', () => {
    expect(maskNumber('+8613800001234')).toBe('****34');
    expect(maskNumber('12110')).toBe('****');
  });
});

describe('the fallback SMS text', () => {
  const event = { id: 'abcd1234efgh5678', type: 'sos', ts: '2026-11-22T01:15:02.123Z', elderName: '张秀英' };

  it('names the elder, the event type in Chinese, the local time and the event id', () => {
    expect(composeAlertText({ ...event, address: '资阳市雁江区狮子山路12号' })).toBe(
      '紧急呼叫【一键呼叫】张秀英，2026-11-22 09:15，资阳市雁江区狮子山路12号（事件 abcd1234）请立即联系。',
    );
    expect(composeAlertText({ ...event, type: 'fall' })).toBe(
      '紧急呼叫【跌倒】张秀英，2026-11-22 09:15（事件 abcd1234）请立即联系。',
    );
  });

  it('a long address is shortened so that everything else still fits one UCS2 SMS', () => {
    const text = composeAlertText({ ...event, address: `四川省资阳市雁江区${'很长的路'.repeat(20)}` });
    expect(text.length).toBe(70);
    expect(text).toContain('张秀英');
    expect(text).toContain('2026-11-22 09:15');
    expect(text).toMatch(/…（事件 abcd1234）请立即联系。$/);
  });

  it('the time is written in the configured zone', () => {
    expect(formatEventTime(Date.parse('2026-11-22T16:05:00Z'), 'Asia/Shanghai')).toBe('2026-11-23 00:05');
    expect(formatEventTime(Date.parse('2026-11-22T16:05:00Z'), 'UTC')).toBe('2026-11-22 16:05');
  });
});
