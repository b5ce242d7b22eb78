import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logPseudonym, scrubText } from './log-privacy.ts';

describe('log privacy helpers', () => {
  it('a pseudonym is short, stable for the same value, and different for different values', () => {
    expect(logPseudonym('op-zhouli')).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(logPseudonym('op-zhouli')).toBe(logPseudonym('op-zhouli'));
    expect(logPseudonym('op-zhouli')).not.toBe(logPseudonym('op-zhoulj'));
    expect(logPseudonym('Bavini-8632-madi')).not.toContain('Bavini');
  });

  it('e-mail addresses and phone numbers in free text are masked; ids, times and ports are kept', () => {
    expect(scrubText('550 5.1.1 <wei.huang@example.org>: Recipient address rejected')).toBe(
      '550 5.1.1 <[email]>: Recipient address rejected',
    );
    expect(scrubText('SMS to 138-0000-0514 and +86 136 0000 3570 failed')).toBe(
      'SMS to [number] and [number] failed',
    );
    expect(scrubText('connect ECONNREFUSED 127.0.0.1:5555 at 2026-11-22T09:15:02.123Z for gw-0001')).toBe(
      'connect ECONNREFUSED 127.0.0.1:5555 at 2026-11-22T09:15:02.123Z for gw-0001',
    );
  });

  it('no 11-digit mobile number survives scrubbing, whatever text surrounds it', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.stringMatching(/^1[3-9]\d{9}$/),
        fc.constantFrom('', '-', ' '),
        fc.string(),
        (before, number, sep, after) => {
          const written = sep
            ? `${number.slice(0, 3)}${sep}${number.slice(3, 7)}${sep}${number.slice(7)}`
            : number;
          const out = scrubText(`${before} ${written} ${after}`);
          expect(out).not.toContain(written);
        },
      ),
    );
  });
});
