import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  childIdProblem,
  childLevel,
  commonRegion,
  MIN_PASSWORD_LENGTH,
  passwordProblem,
} from './account-policy.ts';

const segment = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
const region = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('.'));

describe('account and region policy', () => {
  it('a password of fewer than 10 characters is refused, counting characters rather than UTF-16 units', () => {
    expect(passwordProblem('op-a', 'short')).toMatch(/at least 10/);
    expect(passwordProblem('op-a', '狮子山社区调度员值班')).toBeNull();
    expect(passwordProblem('op-a', '😀😀😀😀😀')).toMatch(/at least 10/);
    fc.assert(
      fc.property(segment, fc.string({ unit: 'grapheme', maxLength: MIN_PASSWORD_LENGTH - 1 }), (u, p) => {
        if ([...p].length < MIN_PASSWORD_LENGTH) expect(passwordProblem(u, p)).not.toBeNull();
      }),
    );
  });

  it('a password equal to the username, in any case or with spaces around it, is refused', () => {
    expect(passwordProblem('supervisor-anyue', 'Supervisor-Anyue ')).toBe('must not be the username');
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9-]{10,30}$/), (name) => {
        expect(passwordProblem(name, name.toUpperCase())).not.toBeNull();
        expect(passwordProblem(name, `${name}!`)).toBeNull();
      }),
    );
  });

  it('levels go city → district → community and nothing goes under a community', () => {
    expect([childLevel('city'), childLevel('district'), childLevel('community')]).toEqual([
      'district',
      'community',
      null,
    ]);
  });

  it("a child's id is its parent's id plus exactly one segment", () => {
    expect(childIdProblem('ziyang.yanjiang', 'ziyang')).toBeNull();
    expect(childIdProblem('ziyang.yanjiang.x', 'ziyang')).toMatch(/ziyang\.<segment>/);
    expect(childIdProblem('ziyangx', 'ziyang')).not.toBeNull();
    expect(childIdProblem('ziyang.', 'ziyang')).not.toBeNull();
    fc.assert(
      fc.property(region, segment, region, (parent, child, other) => {
        expect(childIdProblem(`${parent}.${child}`, parent)).toBeNull();
        if (!other.startsWith(`${parent}.`) || other.slice(parent.length + 1).includes('.'))
          expect(childIdProblem(other, parent)).not.toBeNull();
      }),
    );
  });

  it('the common region of several regions holds each of them and is the narrowest that does', () => {
    expect(commonRegion(['ziyang.yanjiang.shizishan', 'ziyang.yanjiang.liantai'])).toBe('ziyang.yanjiang');
    expect(commonRegion(['ziyang.anyue.zhouli'])).toBe('ziyang.anyue.zhouli');
    expect(commonRegion(['ziyang.a', 'ziyangx.a'])).toBe('');
    fc.assert(
      fc.property(fc.array(region, { minLength: 1, maxLength: 5 }), (regions) => {
        const common = commonRegion(regions);
        for (const r of regions)
          expect(r === common || r.startsWith(`${common}.`) || common === '').toBe(true);
        const deeper =
          regions[0]
            ?.split('.')
            .slice(0, common.split('.').length + 1)
            .join('.') ?? '';
        if (common !== regions[0] && common !== '' && deeper !== common)
          expect(regions.every((r) => r === deeper || r.startsWith(`${deeper}.`))).toBe(false);
      }),
    );
  });
});
