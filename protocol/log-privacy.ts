import { createHmac, randomBytes } from 'node:crypto';

/*
 * What may appear in a log line: ids (gateway, device, elder, household, alert, event, notification),
 * account usernames of logged-in users, client addresses. Never names, phone numbers, e-mail or street
 * addresses, passwords, secrets or tokens (docs/architecture.md, "Privacy in logs"). Node-only: import
 * this file directly, not through index.ts, which the browser dashboard also imports.
 */

// Made at start and never stored, so a pseudonym cannot be reversed by hashing guesses.
const KEY = randomBytes(32);

/**
 * A short keyed hash that stands for a value which must not be logged, such as the username of a failed
 * login (often a password typed into the wrong field). The same value gives the same pseudonym for the
 * life of the process, so repeated attempts can still be told apart and counted.
 */
export function logPseudonym(value: string): string {
  return createHmac('sha256', KEY).update(value).digest('base64url').slice(0, 12);
}

const EMAIL = /[^\s@<>"'(),;:[\]]+@[^\s@<>"'(),;:[\]]+\.[^\s@<>"'(),;:[\]]+/g;
// 7 to 15 digits, optionally led by + and split by single spaces or hyphens (138-0000-0514, +86 138...).
const PHONE = /(?<![\w.+])\+?\d(?:[ -]?\d){6,14}(?![\w.])/g;

/** Free text from outside (an SMTP server's refusal, a library's error) with e-mail addresses and phone numbers masked. */
export function scrubText(text: string): string {
  return text.replace(EMAIL, '[email]').replace(PHONE, '[number]');
}
