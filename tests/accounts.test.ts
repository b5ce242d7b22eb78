import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUser, TestSystem } from './support/system.ts';

const login = (sys: TestSystem, username: string, password: string) =>
  fetch(`${sys.http}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });

describe('accounts: lockout, logout, CSRF and headers', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await TestSystem.start();
  });
  afterAll(async () => {
    await sys.stop();
  });

  it('five wrong passwords lock the account: even the right one is refused with 429 and Retry-After', async () => {
    for (let i = 0; i < 5; i++) expect((await login(sys, 'op-zhouli', 'wrong')).status).toBe(401);
    const locked = await login(sys, 'op-zhouli', demoUser('op-zhouli').password);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);
    expect((await login(sys, 'op-yuelong', demoUser('op-yuelong').password)).status).toBe(200);
  });

  it('logging out ends the session for the token and the cookie', async () => {
    const token = await sys.login('op-shiyang');
    expect((await sys.api(token, 'GET', '/api/session')).status).toBe(200);
    expect((await sys.api(token, 'DELETE', '/api/session')).status).toBe(204);
    expect((await sys.api(token, 'GET', '/api/alerts')).status).toBe(401);
  });

  it('a cookie-authenticated write from another site is refused, and every answer carries security headers without CORS', async () => {
    const res = await login(sys, 'admin', demoUser('admin').password);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const body = JSON.stringify({ id: 'hh-csrf', region: 'ziyang.anyue.zhouli', address: 'x' });
    const foreign = await fetch(`${sys.http}/api/households`, {
      method: 'POST',
      headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/json' },
      body,
    });
    expect(foreign.status).toBe(403);
    const own = await fetch(`${sys.http}/api/households`, {
      method: 'POST',
      headers: { cookie, origin: sys.http, 'content-type': 'application/json' },
      body,
    });
    expect(own.status).toBe(201);
    expect(own.headers.get('x-content-type-options')).toBe('nosniff');
    expect(own.headers.get('x-frame-options')).toBe('DENY');
    expect(own.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('every successful change is in the audit log with who, what, when and from where; supervisors see their scope only', async () => {
    const admin = await sys.login('admin');
    await sys.api(admin, 'POST', '/api/households', {
      id: 'hh-audit',
      region: 'ziyang.anyue.yuelong',
      address: '岳龙路1号',
    });
    const op = await sys.login('op-sanxianci');
    const home = await sys.home('gw-0002');
    await home.event('sos');
    const { eventually } = await import('./support/system.ts');
    const alert = await eventually(
      async () => (await sys.api<{ id: string }[]>(op, 'GET', '/api/alerts')).body[0],
      2000,
      'alert',
    );
    await sys.api(op, 'POST', `/api/alerts/${alert.id}/ack`, {});
    const { body: all } = await sys.api<
      { username: string; route: string; target: Record<string, string>; address: string }[]
    >(admin, 'GET', '/api/audit');
    expect(all.find((e) => e.route === '/api/households')).toMatchObject({
      username: 'admin',
      target: { id: 'hh-audit' },
    });
    expect(all.find((e) => e.route === '/api/alerts/:id/ack')).toMatchObject({
      username: 'op-sanxianci',
      target: { id: alert.id },
      address: '127.0.0.1',
    });
    const district = await sys.login('sup-anyue');
    const { body: theirs } = await sys.api<{ username: string }[]>(district, 'GET', '/api/audit');
    expect(theirs.some((e) => e.username === 'op-sanxianci')).toBe(false);
    expect((await sys.api(op, 'GET', '/api/audit')).status).toBe(403);
  });
});
