/**
 * Errors of the GSM modem client, with stable codes, and the final result codes of 3GPP 27.007 §5.7
 * and 27.005 §3.2.5 that end every command.
 */

export type GsmErrorCode =
  | 'ERROR'
  | 'CMS_ERROR'
  | 'CME_ERROR'
  | 'TIMEOUT'
  | 'CLOSED'
  | 'PORT_ERROR'
  | 'INVALID_NUMBER'
  | 'INVALID_TEXT';

export class GsmError extends Error {
  override readonly name = 'GsmError';
  readonly code: GsmErrorCode;
  /** The modem's number or text after `+CMS ERROR:` / `+CME ERROR:`, e.g. `330`. */
  readonly modemCode: string | undefined;
  /** The AT command that failed, when one did. */
  readonly command: string | undefined;

  constructor(
    code: GsmErrorCode,
    message: string,
    details: { modemCode?: string; command?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
    this.code = code;
    this.modemCode = details.modemCode;
    this.command = details.command;
  }
}

/** What a waiting command makes of one event: done with a value, failed, or still waiting (null). */
export type Step<T> = { value: T } | { error: GsmError } | null;

// The few codes a gateway in the field actually meets; the rest are reported by number.
const MODEM_ERRORS: Record<string, string> = {
  'CMS 304': 'invalid PDU mode parameter',
  'CMS 305': 'invalid text mode parameter',
  'CMS 310': 'SIM not inserted',
  'CMS 311': 'SIM PIN required',
  'CMS 330': 'SMSC address unknown',
  'CMS 331': 'no network service',
  'CMS 332': 'network timeout',
  'CMS 500': 'unknown error',
  'CME 10': 'SIM not inserted',
  'CME 11': 'SIM PIN required',
  'CME 30': 'no network service',
};

/** The final result codes that end every command (27.007 §5.7, 27.005 §3.2.5). */
export function finalResult(line: string, command: string): Step<true> {
  if (line === 'OK') return { value: true };
  if (line === 'ERROR') return { error: new GsmError('ERROR', `${command} failed: ERROR`, { command }) };
  const m = /^\+(CMS|CME) ERROR:\s*(.*)$/.exec(line);
  if (!m) return null;
  const kind = m[1] === 'CMS' ? 'CMS' : 'CME';
  const modemCode = (m[2] ?? '').trim();
  const meaning = MODEM_ERRORS[`${kind} ${modemCode}`];
  const message = `${command} failed: +${kind} ERROR ${modemCode}${meaning ? ` (${meaning})` : ''}`;
  return { error: new GsmError(kind === 'CMS' ? 'CMS_ERROR' : 'CME_ERROR', message, { modemCode, command }) };
}
