/**
 * What goes into an AT+CMGS in text mode (3GPP 27.005 §3.5.1), decided before any byte reaches the
 * modem: which character set, how the number and the text are written in it, and where a long text
 * is cut. One SMS only: text mode cannot carry the user-data header of a concatenated message.
 */

export type SmsCharset = 'GSM' | 'UCS2';

/** Characters of one SMS in the GSM 7-bit alphabet. */
export const GSM_MAX_CHARS = 160;
/** UTF-16 code units of one SMS in UCS2. */
export const UCS2_MAX_CHARS = 70;

const CTRL_Z = '\u001a';
const ESC = '\u001b';

/**
 * Characters whose code is the same in ASCII and the GSM 7-bit default alphabet (3GPP 23.038), so they
 * reach the phone unchanged with AT+CSCS="GSM" whatever the modem does with the rest. `@ $ _ \``
 * and the extension-table characters `[ ] { } \ ^ ~ |` are not among them; a text using any of them
 * goes as UCS2 instead of gambling on the modem's translation.
 */
const GSM_SAFE = /^[A-Za-z0-9 \n!"#%&'()*+,\-./:;<=>?]*$/;

/** `+` and 6 to 15 digits (E.164), or 3 to 20 digits for national and short numbers (12110, 10086). */
const NUMBER = /^(\+\d{6,15}|\d{3,20})$/;

export interface PreparedSms {
  charset: SmsCharset;
  /** The destination as written inside the quotes of AT+CMGS. */
  address: string;
  /** The bytes typed after the `> ` prompt, without the closing Ctrl-Z. */
  body: string;
  /** The text as the recipient will read it (after normalising and truncation). */
  text: string;
  truncated: boolean;
}

/** Why a number cannot be dialled, or undefined when it can. */
export function numberProblem(number: string): string | undefined {
  return NUMBER.test(number)
    ? undefined
    : `number ${JSON.stringify(number)} is not + and 6-15 digits, or 3-20 digits`;
}

/** Why a text cannot be sent, or undefined when it can. */
export function textProblem(text: string): string | undefined {
  if (text.length === 0) return 'text is empty';
  // Ctrl-Z would end the message early and ESC would cancel it, in the middle of the user's text.
  if (text.includes(CTRL_Z)) return 'text contains Ctrl-Z (0x1A), which ends an SMS in text mode';
  if (text.includes(ESC)) return 'text contains ESC (0x1B), which cancels an SMS in text mode';
  return undefined;
}

/** GSM when every character survives the GSM alphabet unchanged, UCS2 otherwise (Chinese, emoji, `@`). */
export function chooseCharset(text: string): SmsCharset {
  return GSM_SAFE.test(text) ? 'GSM' : 'UCS2';
}

/**
 * Cuts a text to one SMS, ending it with an ellipsis: `...` in GSM (which has no `…`), `…` in UCS2.
 * Never splits a surrogate pair.
 */
export function fitToOneSms(text: string, charset: SmsCharset): { text: string; truncated: boolean } {
  const max = charset === 'GSM' ? GSM_MAX_CHARS : UCS2_MAX_CHARS;
  if (text.length <= max) return { text, truncated: false };
  const ellipsis = charset === 'GSM' ? '...' : '…';
  let end = max - ellipsis.length;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return { text: text.slice(0, end) + ellipsis, truncated: true };
}

/** UTF-16 big-endian as uppercase hex, the UCS2 string format of 27.007 (`张` → `5F20`). */
export function encodeUcs2Hex(text: string): string {
  return Buffer.from(text, 'utf16le').swap16().toString('hex').toUpperCase();
}

/** Chooses the character set and writes number and text for it. Check both with the *Problem functions first. */
export function prepareSms(number: string, text: string): PreparedSms {
  // A bare CR would end the line on many modems and bring a second prompt; LF is what phones show.
  const normalised = text.replace(/\r\n?/g, '\n');
  const charset = chooseCharset(normalised);
  const fitted = fitToOneSms(normalised, charset);
  if (charset === 'GSM') return { charset, address: number, body: fitted.text, ...fitted };
  return { charset, address: encodeUcs2Hex(number), body: encodeUcs2Hex(fitted.text), ...fitted };
}

/**
 * A number fit for a log line: `+8613800001234` → `****34`. Two digits tell a household's few numbers
 * apart without putting a phone number in the log (docs/architecture.md, "Privacy in logs").
 */
export function maskNumber(number: string): string {
  if (number.length <= 6) return '****';
  return `****${number.slice(-2)}`;
}
