import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSystem } from './support/system.ts';

type Problem = { code: string; message: string };
type UserView = { username: string; role: string; scope: string; elderIds?: string[]; disabled: boolean };

const PASSWORD = 'correct horse battery';

describe('user accounts and regions, managed by admins inside their region', () => {
  let sys: TestSystem;
  let admin: string;

  beforeAll(async () => {
    sys = await TestSystem.start();
    admin = await sys.login('admin');
  });
  afterAll(async () => {
    await sys.stop();
  });

  const logIn = (username: string, password: string) =>
    sys.api<{ token: string } & Problem>(null, 'POST', '/api/session', { username, password });

  /** A user made by the city admin, logged in; returns their token. */
  async function makeUser(body: Record<string, unknown>): Promise<string> {
    const made = await sys.api(admin, 'POST', '/api/users', { password: PASSWORD, ...body });
    expect(made.status).toBe(201);
    const session = await logIn(String(body.username), PASSWORD);
    expect(session.status).toBe(200);
    return session.body.token;
  }

  /** Resolves with the reason the server hung up the socket. */
  const hungUp = (socket: Socket) =>
    new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));

  it('an admin creates an operator inside their region who can then log in, and no answer carries a hash', async () => {
    const created = await sys.api<UserView>(admin, 'POST', '/api/users', {
      username: 'op-new-liantai',
      password: PASSWORD,
      role: 'operator',
      scope: 'ziyang.yanjiang.liantai',
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      username: 'op-new-liantai',
      role: 'operator',
      scope: 'ziyang.yanjiang.liantai',
      disabled: false,
    });
    const session = await logIn('op-new-liantai', PASSWORD);
    expect(session.status).toBe(200);
    const list = await sys.api<UserView[]>(admin, 'GET', '/api/users');
    expect(list.body.map((u) => u.username)).toContain('op-new-liantai');
    expect(list.body.map((u) => u.username)).toContain('admin');
    const text = JSON.stringify([created.body, list.body]);
    expect(text).not.toMatch(/scrypt|hash|password/i);
    expect((await sys.api(admin, 'POST', '/api/users', { ...created.body, password: PASSWORD })).status).toBe(
      409,
    );
  });

  it('a family user follows elders in scope and takes their community as scope; unknown elders are refused', async () => {
    const made = await sys.api<UserView>(admin, 'POST', '/api/users', {
      username: 'family-new',
      password: PASSWORD,
      role: 'family',
      elderIds: ['el-0001', 'el-0002'],
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ scope: 'ziyang.yanjiang.shizishan', elderIds: ['el-0001', 'el-0002'] });
    const noElder = await sys.api<Problem>(admin, 'POST', '/api/users', {
      username: 'family-none',
      password: PASSWORD,
      role: 'family',
      elderIds: ['el-0001', 'el-nobody'],
    });
    expect(noElder.status).toBe(400);
    expect(noElder.body).toMatchObject({
      code: 'ERR_BAD_REFERENCE',
      message: 'body/elderIds/1: no elder el-nobody',
    });
    const noScope = await sys.api<Problem>(admin, 'POST', '/api/users', {
      username: 'op-noscope',
      password: PASSWORD,
      role: 'operator',
    });
    expect(noScope.body.code).toBe('ERR_SCOPE_REQUIRED');
  });

  it('a password under 10 characters or equal to the username is refused, on creation and on reset', async () => {
    const short = await sys.api<Problem>(admin, 'POST', '/api/users', {
      username: 'op-short',
      password: 'nine-char',
      role: 'operator',
      scope: 'ziyang.anyue.zhouli',
    });
    expect(short.status).toBe(400);
    expect(short.body).toMatchObject({
      code: 'ERR_WEAK_PASSWORD',
      message: expect.stringMatching(/^body\/password/),
    });
    const same = await sys.api<Problem>(admin, 'POST', '/api/users', {
      username: 'op-same-as-name',
      password: 'OP-SAME-AS-NAME',
      role: 'operator',
      scope: 'ziyang.anyue.zhouli',
    });
    expect(same.body.code).toBe('ERR_WEAK_PASSWORD');
    expect((await logIn('op-short', 'nine-char')).status).toBe(401);
    const reset = await sys.api<Problem>(admin, 'POST', '/api/users/op-zhouli/password', {
      password: 'op-zhouli',
    });
    expect(reset.body.code).toBe('ERR_WEAK_PASSWORD');
  });

  it('a district admin sees and manages only their district: scopes, elders and users outside are refused', async () => {
    const district = await makeUser({ username: 'admin-yanjiang', role: 'admin', scope: 'ziyang.yanjiang' });
    const wider = await sys.api<Problem>(district, 'POST', '/api/users', {
      username: 'op-escape',
      password: PASSWORD,
      role: 'supervisor',
      scope: 'ziyang',
    });
    expect(wider.status).toBe(403);
    expect(wider.body).toMatchObject({
      code: 'ERR_OUT_OF_SCOPE',
      message: 'body/scope is outside your scope',
    });
    const foreignElder = await sys.api<Problem>(district, 'POST', '/api/users', {
      username: 'family-escape',
      password: PASSWORD,
      role: 'family',
      elderIds: ['el-0005'],
    });
    expect(foreignElder.status).toBe(403);
    expect(foreignElder.body.code).toBe('ERR_OUT_OF_SCOPE');
    const names = (await sys.api<UserView[]>(district, 'GET', '/api/users')).body.map((u) => u.username);
    expect(names).toContain('op-shizishan');
    expect(names).not.toContain('sup-anyue');
    expect(names).not.toContain('admin');
    expect((await sys.api(district, 'PATCH', '/api/users/sup-anyue', { disabled: true })).status).toBe(404);
    expect(
      (await sys.api(district, 'POST', '/api/users/admin/password', { password: PASSWORD })).status,
    ).toBe(404);
    const moveOut = await sys.api<Problem>(district, 'PATCH', '/api/users/op-liantai', {
      scope: 'ziyang.anyue',
    });
    expect(moveOut.status).toBe(403);
    const gateways = (await sys.api<{ id: string }[]>(district, 'GET', '/api/gateways')).body.map(
      (g) => g.id,
    );
    expect(gateways).toContain('gw-0001');
    expect(gateways).not.toContain('gw-0005');
    expect((await sys.api(district, 'GET', '/api/households?region=ziyang.anyue')).status).toBe(404);
  });

  it('operators, supervisors and family users cannot list or change users, or add regions', async () => {
    for (const name of ['op-shizishan', 'sup-city', 'family-el-0001']) {
      const token = await sys.login(name);
      expect((await sys.api(token, 'GET', '/api/users')).status).toBe(403);
      expect((await sys.api(token, 'GET', '/api/gateways')).status).toBe(403);
      const change = await sys.api(token, 'PATCH', '/api/users/op-liantai', { disabled: true });
      expect(change.status).toBe(403);
      const region = { id: 'ziyang.yanjiang.x', name: 'x', level: 'community', parent: 'ziyang.yanjiang' };
      expect((await sys.api(token, 'POST', '/api/regions', region)).status).toBe(403);
      // Refused before the body is read: a malformed one tells them nothing either.
      expect((await sys.api(token, 'POST', '/api/regions', { id: 1 })).status).toBe(403);
      expect((await sys.api(token, 'POST', '/api/users', { username: 1 })).status).toBe(403);
    }
    expect((await sys.api(null, 'GET', '/api/users')).status).toBe(401);
  });

  it('disabling a user ends their REST session and cuts their socket at once; they cannot log in until enabled', async () => {
    const token = await makeUser({
      username: 'op-to-disable',
      role: 'operator',
      scope: 'ziyang.anyue.shiyang',
    });
    const { socket } = await sys.dispatcher('op-shiyang');
    const theirs = await sys.dispatcherWithToken(token);
    const cut = hungUp(theirs);
    const res = await sys.api<UserView>(admin, 'PATCH', '/api/users/op-to-disable', { disabled: true });
    expect(res.body).toMatchObject({ disabled: true, disabledAt: expect.any(String) });
    expect(await cut).toBe('io server disconnect');
    expect(socket.connected).toBe(true); // nobody else is cut
    expect((await sys.api(token, 'GET', '/api/alerts')).status).toBe(401);
    const refused = await logIn('op-to-disable', PASSWORD);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('ERR_ACCOUNT_DISABLED');
    expect((await logIn('op-to-disable', 'a wrong password')).body.code).toBe('ERR_BAD_CREDENTIALS');
    theirs.connect();
    const error = await new Promise<Error>((resolve) => theirs.once('connect_error', resolve));
    expect(error.message).toBe('unauthorized');
    await sys.api(admin, 'PATCH', '/api/users/op-to-disable', { disabled: false });
    expect((await logIn('op-to-disable', PASSWORD)).status).toBe(200);
  });

  it('resetting a password ends the old sessions and sockets; the new password works and the old one does not', async () => {
    const token = await makeUser({
      username: 'op-to-reset',
      role: 'operator',
      scope: 'ziyang.anyue.shiyang',
    });
    const theirs = await sys.dispatcherWithToken(token);
    const cut = hungUp(theirs);
    const fresh = 'another long passphrase';
    expect(
      (await sys.api(admin, 'POST', '/api/users/op-to-reset/password', { password: fresh })).status,
    ).toBe(204);
    expect(await cut).toBe('io server disconnect');
    expect((await sys.api(token, 'GET', '/api/session')).status).toBe(401);
    expect((await logIn('op-to-reset', PASSWORD)).status).toBe(401);
    expect((await logIn('op-to-reset', fresh)).status).toBe(200);
  });

  it('an admin cannot disable or demote themself, and a role change applies on the next request', async () => {
    for (const change of [{ disabled: true }, { role: 'supervisor' }, { scope: 'ziyang.yanjiang' }]) {
      const res = await sys.api<Problem>(admin, 'PATCH', '/api/users/admin', change);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('ERR_SELF_DEMOTION');
    }
    expect((await sys.api(admin, 'GET', '/api/users')).status).toBe(200);
    const token = await makeUser({ username: 'admin-anyue', role: 'admin', scope: 'ziyang.anyue' });
    expect((await sys.api(token, 'GET', '/api/users')).status).toBe(200);
    const demoted = await sys.api<UserView>(admin, 'PATCH', '/api/users/admin-anyue', {
      role: 'operator',
      scope: 'ziyang.anyue.zhouli',
    });
    expect(demoted.body).toMatchObject({ role: 'operator', scope: 'ziyang.anyue.zhouli' });
    expect((await sys.api(token, 'GET', '/api/users')).status).toBe(403);
    const { body } = await sys.api<{ user: UserView }>(token, 'GET', '/api/session');
    expect(body.user).toMatchObject({ role: 'operator', scope: 'ziyang.anyue.zhouli' });
  });

  it('an admin adds a district and a community under it, and a household can then be provisioned there', async () => {
    const district = await sys.api(admin, 'POST', '/api/regions', {
      id: 'ziyang.lezhi',
      name: '乐至县',
      level: 'district',
      parent: 'ziyang',
    });
    expect(district.status).toBe(201);
    const community = await sys.api(admin, 'POST', '/api/regions', {
      id: 'ziyang.lezhi.tianchi',
      name: '天池社区',
      level: 'community',
      parent: 'ziyang.lezhi',
    });
    expect(community.body).toEqual({
      id: 'ziyang.lezhi.tianchi',
      name: '天池社区',
      level: 'community',
      parent: 'ziyang.lezhi',
    });
    const tree = (await sys.api<{ id: string }[]>(admin, 'GET', '/api/regions')).body.map((r) => r.id);
    expect(tree).toContain('ziyang.lezhi.tianchi');
    const home = { id: 'hh-tianchi-1', region: 'ziyang.lezhi.tianchi', address: '天池镇1号' };
    expect((await sys.api(admin, 'POST', '/api/households', home)).status).toBe(201);
  });

  it('a region with the wrong level, a malformed id, an unknown parent, a parent outside scope or a taken id is refused', async () => {
    const district = (await logIn('admin-yanjiang', PASSWORD)).body.token;
    const cases: [string, Record<string, unknown>, number, string][] = [
      [admin, { id: 'ziyang.bad', level: 'community', parent: 'ziyang' }, 400, 'ERR_BAD_LEVEL'],
      [
        admin,
        { id: 'ziyang.yanjiang.x.y', level: 'district', parent: 'ziyang.yanjiang.shizishan' },
        400,
        'ERR_BAD_LEVEL',
      ],
      [admin, { id: 'anyue.new', level: 'community', parent: 'ziyang.anyue' }, 400, 'ERR_BAD_ID'],
      [
        admin,
        { id: 'ziyang.nowhere.x', level: 'community', parent: 'ziyang.nowhere' },
        400,
        'ERR_BAD_REFERENCE',
      ],
      [admin, { id: 'chengdu', level: 'city', parent: null }, 403, 'ERR_OUT_OF_SCOPE'],
      [
        district,
        { id: 'ziyang.anyue.new', level: 'community', parent: 'ziyang.anyue' },
        403,
        'ERR_OUT_OF_SCOPE',
      ],
      [admin, { id: 'ziyang.anyue.zhouli', level: 'community', parent: 'ziyang.anyue' }, 409, 'ERR_CONFLICT'],
    ];
    for (const [token, body, status, code] of cases) {
      const res = await sys.api<Problem>(token, 'POST', '/api/regions', { name: '新区', ...body });
      expect([res.status, res.body.code], JSON.stringify(body)).toEqual([status, code]);
    }
  });

  it('user and region changes are in the audit log with the username, never the password', async () => {
    const { body } = await sys.api<{ route: string; target: Record<string, string> | null }[]>(
      admin,
      'GET',
      '/api/audit',
    );
    expect(body.find((e) => e.route === '/api/users')?.target).toEqual({ username: 'admin-anyue' });
    expect(body.find((e) => e.route === '/api/users/:username')?.target).toEqual({ username: 'admin-anyue' });
    expect(body.find((e) => e.route === '/api/users/:username/password')?.target).toEqual({
      username: 'op-to-reset',
    });
    expect(body.find((e) => e.route === '/api/regions')?.target).toEqual({ id: 'ziyang.lezhi.tianchi' });
    expect(JSON.stringify(body)).not.toContain('another long passphrase');
  });

  it('the gateway list shows state and revocation of every gateway in scope, and never a secret or hash', async () => {
    await sys.api(admin, 'POST', '/api/gateways/gw-0020/revoke');
    const { body } = await sys.api<{ id: string; revokedAt: string | null; devices: unknown[] }[]>(
      admin,
      'GET',
      '/api/gateways',
    );
    expect(body.find((g) => g.id === 'gw-0020')?.revokedAt).toEqual(expect.any(String));
    expect(body.find((g) => g.id === 'gw-0001')).toMatchObject({
      revokedAt: null,
      devices: expect.any(Array),
    });
    expect(JSON.stringify(body)).not.toMatch(/scrypt|secret|hash/i);
    const households = await sys.api<{ id: string; elders: number }[]>(admin, 'GET', '/api/households');
    expect(households.body.find((h) => h.id === 'hh-0001')?.elders).toBeGreaterThan(0);
    const elders = await sys.api<{ id: string }[]>(
      admin,
      'GET',
      '/api/elders?region=ziyang.yanjiang.shizishan',
    );
    expect(elders.body.map((e) => e.id)).toContain('el-0001');
    expect(elders.body.map((e) => e.id)).not.toContain('el-0005');
  });
});
