import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { logPseudonym } from '../../protocol/log-privacy.ts';
import { LoginGuard } from '../domain/login-guard.ts';
import { DUMMY_HASH, verifySecret } from '../domain/secrets.ts';
import {
  currentUser,
  problem,
  type RouteDeps,
  requestToken,
  requireUser,
  SESSION_COOKIE,
} from './context.ts';

const Login = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 128 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
});

/** Log in (token + HttpOnly cookie), who am I, log out. */
export interface SessionRouteDeps extends RouteDeps {
  /** A session ended by logout: its open sockets are hung up (on every cloud instance). */
  onLogout?: (token: string) => void;
}

export const sessionRoutes: FastifyPluginAsyncTypebox<SessionRouteDeps> = async (app, deps) => {
  const guard = new LoginGuard();
  app.post('/api/session', { schema: { body: Login } }, async (request, reply) => {
    const { username, password } = request.body;
    const wait = guard.check(username, request.ip, Date.now());
    if (wait !== null) {
      deps.logger.warn({ user: logPseudonym(username), ip: request.ip }, 'login refused: locked');
      reply.header('retry-after', String(wait));
      return problem(reply, 429, 'ERR_LOCKED', `too many failed logins; try again in ${wait} s`);
    }
    const found = await deps.registry.findUser(username);
    // Hash even for unknown users, so the answer's timing does not tell who exists.
    const ok = await verifySecret(password, found?.passwordHash ?? DUMMY_HASH);
    if (!found || !ok) {
      guard.failed(username, request.ip, Date.now());
      // The attempted name may be a password typed into the wrong field: only its keyed hash is logged.
      deps.logger.warn({ user: logPseudonym(username), ip: request.ip }, 'login failed');
      return problem(reply, 401, 'ERR_BAD_CREDENTIALS', 'wrong username or password');
    }
    guard.succeeded(username);
    // Told only to someone who knew the password: the account exists, but an admin switched it off.
    if (found.disabledAt !== null) {
      deps.logger.warn({ username, ip: request.ip }, 'login refused: account disabled');
      return problem(reply, 401, 'ERR_ACCOUNT_DISABLED', 'this account is disabled; ask an administrator');
    }
    const { token, expiresAt } = await deps.sessions.create(found.user.username);
    reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      secure: request.protocol === 'https',
      expires: new Date(expiresAt),
    });
    const { username: name, role, scope } = found.user;
    return {
      token,
      expiresAt,
      user: { username: name, role, scope, ...(role === 'family' ? { elderIds: found.user.elderIds } : {}) },
    };
  });

  app.get('/api/session', { onRequest: requireUser(deps) }, async (request) => {
    const { username, role, scope, elderIds } = currentUser(request);
    return { user: { username, role, scope, ...(role === 'family' ? { elderIds } : {}) } };
  });

  app.delete('/api/session', { onRequest: requireUser(deps) }, async (request, reply) => {
    const token = requestToken(request);
    if (token) {
      await deps.sessions.revoke(token);
      deps.onLogout?.(token);
    }
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });
};
