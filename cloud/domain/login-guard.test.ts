import { describe, expect, it } from 'vitest';
import { LoginGuard } from './login-guard.ts';

const T0 = 1_800_000_000_000;

describe('the login guard', () => {
  it('five failures lock the account for fifteen minutes, then it opens again', () => {
    const guard = new LoginGuard();
    for (let i = 0; i < 5; i++) {
      expect(guard.check('op-1', 'a', T0 + i)).toBeNull();
      guard.failed('op-1', 'a', T0 + i);
    }
    expect(guard.check('op-1', 'b', T0 + 10)).toBe(900);
    expect(guard.check('OP-1', 'c', T0 + 60_000)).toBe(841);
    expect(guard.check('op-1', 'd', T0 + 4 + 15 * 60_000)).toBeNull();
  });

  it('failures spread beyond the window do not add up, and a success clears them', () => {
    const guard = new LoginGuard();
    for (let i = 0; i < 4; i++) guard.failed('op-1', 'a', T0 + i * 5 * 60_000);
    expect(guard.check('op-1', 'a', T0 + 20 * 60_000)).toBeNull();
    guard.succeeded('op-1');
    guard.failed('op-1', 'a', T0 + 20 * 60_000);
    expect(guard.check('op-1', 'a', T0 + 20 * 60_000 + 1)).toBeNull();
  });

  it('one address failing with many usernames is slowed down, and successful logins never count', () => {
    const guard = new LoginGuard({ maxPerAddress: 3 });
    for (let i = 0; i < 10; i++) expect(guard.check('ok-user', 'ip', T0)).toBeNull();
    guard.failed('u1', 'ip', T0);
    guard.failed('u2', 'ip', T0 + 1);
    guard.failed('u3', 'ip', T0 + 2);
    expect(guard.check('u4', 'ip', T0 + 3)).toBe(900);
    expect(guard.check('u4', 'other-ip', T0 + 3)).toBeNull();
  });
});
