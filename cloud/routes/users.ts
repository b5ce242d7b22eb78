import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { ID_PATTERN, REGION_ID_PATTERN, ROLES, type Role, regionWithin } from '../../protocol/index.ts';
import { commonRegion, passwordProblem } from '../domain/account-policy.ts';
import type { User } from '../domain/scope.ts';
import { hashSecret } from '../domain/secrets.ts';
import type { UserChange, UserStore } from '../domain/user-store.ts';
import { currentUser, problem, type RouteDeps, requireUser } from './context.ts';

export interface UserRouteDeps extends RouteDeps {
  users: UserStore;
  /** Ends every REST session of the user and hangs up their sockets, at once. */
  endSessions(username: string): Promise<void>;
  /** Hangs up the user's sockets only, so they reconnect into the rooms of their changed scope. */
  dropSockets(username: string): void;
}

const Username = Type.String({ pattern: ID_PATTERN });
const Password = Type.String({ minLength: 1, maxLength: 1024 });
const Scope = Type.String({ pattern: REGION_ID_PATTERN });
const ElderIds = Type.Array(Type.String({ pattern: ID_PATTERN }), { maxItems: 64, uniqueItems: true });
const Params = Type.Object({ username: Username });

const NewUser = Type.Object({
  username: Username,
  password: Password,
  role: Type.Enum(ROLES),
  scope: Type.Optional(Scope),
  elderIds: Type.Optional(ElderIds),
});
const UserPatch = Type.Object(
  {
    role: Type.Optional(Type.Enum(ROLES)),
    scope: Type.Optional(Scope),
    elderIds: Type.Optional(ElderIds),
    disabled: Type.Optional(Type.Boolean()),
  },
  { minProperties: 1 },
);

type Refusal = { status: 400 | 403; code: string; message: string };
type Placement = { ok: true; change: UserChange } | ({ ok: false } & Refusal);

const refuse = (status: 400 | 403, code: string, message: string): Placement => ({
  ok: false,
  status,
  code,
  message,
});

/** User accounts, for admins, inside the admin's region: list, create, change, disable, reset password. */
export const userRoutes: FastifyPluginAsyncTypebox<UserRouteDeps> = async (app, deps) => {
  app.addHook('onRequest', requireUser(deps));
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (currentUser(request).role !== 'admin')
      await problem(reply, 403, 'ERR_FORBIDDEN', 'user accounts are for admins');
  });

  /** Where a user of `role` may sit, checked against the admin's scope; family users follow elders. */
  const place = async (admin: User, role: Role, scope?: string, elderIds?: string[]): Promise<Placement> => {
    if (role === 'family') {
      if (scope !== undefined)
        return refuse(400, 'ERR_BAD_FIELD', 'body/scope: family users follow elders (elderIds), not a scope');
      if (!elderIds?.length)
        return refuse(400, 'ERR_ELDERS_REQUIRED', 'body/elderIds: a family user needs at least one elder');
      const regions: string[] = [];
      for (const [i, id] of elderIds.entries()) {
        const elder = await deps.registry.getElder(id);
        const household = elder ? await deps.registry.getHousehold(elder.householdId) : null;
        if (!household) return refuse(400, 'ERR_BAD_REFERENCE', `body/elderIds/${i}: no elder ${id}`);
        if (!regionWithin(household.region, admin.scope))
          return refuse(403, 'ERR_OUT_OF_SCOPE', `body/elderIds/${i}: elder ${id} is outside your scope`);
        regions.push(household.region);
      }
      return { ok: true, change: { role, scope: commonRegion(regions), elderIds } };
    }
    if (elderIds?.length)
      return refuse(400, 'ERR_BAD_FIELD', 'body/elderIds: only family users follow elders');
    if (scope === undefined) return refuse(400, 'ERR_SCOPE_REQUIRED', 'body/scope: staff need a region');
    if (!regionWithin(scope, admin.scope))
      return refuse(403, 'ERR_OUT_OF_SCOPE', 'body/scope is outside your scope');
    if (!(await deps.registry.regionExists(scope)))
      return refuse(400, 'ERR_BAD_REFERENCE', `body/scope: no region ${scope}`);
    return { ok: true, change: { role, scope, elderIds: [] } };
  };

  /** The user named in the URL when they lie inside the admin's scope; otherwise as if absent. */
  const target = async (request: FastifyRequest, username: string) => {
    const user = await deps.users.get(username);
    return user && regionWithin(user.scope, currentUser(request).scope) ? user : null;
  };

  const weak = (reply: FastifyReply, username: string, password: string) => {
    const why = passwordProblem(username, password);
    return why ? problem(reply, 400, 'ERR_WEAK_PASSWORD', `body/password ${why}`) : null;
  };

  app.get('/api/users', async (request) => deps.users.list(currentUser(request).scope));

  app.post('/api/users', { schema: { body: NewUser } }, async (request, reply) => {
    const { username, password, role, scope, elderIds } = request.body;
    const placed = await place(currentUser(request), role, scope, elderIds);
    if (!placed.ok) return problem(reply, placed.status, placed.code, placed.message);
    const refused = weak(reply, username, password);
    if (refused) return refused;
    const passwordHash = await hashSecret(password);
    if (!(await deps.users.create({ username, passwordHash, ...placed.change })))
      return problem(reply, 409, 'ERR_CONFLICT', `user ${username} exists`);
    deps.logger.info({ username, role, by: currentUser(request).username }, 'user created');
    return reply.code(201).send(await deps.users.get(username));
  });

  app.patch(
    '/api/users/:username',
    { schema: { params: Params, body: UserPatch } },
    async (request, reply) => {
      const admin = currentUser(request);
      const current = await target(request, request.params.username);
      if (!current) return problem(reply, 404, 'ERR_NOT_FOUND', 'no such user');
      const { disabled, ...body } = request.body;
      const role = body.role ?? current.role;
      // Unchanged parts carry over when they still fit the role: a staff scope, a family's elders.
      const scope =
        body.scope ?? (role !== 'family' && current.role !== 'family' ? current.scope : undefined);
      const elderIds = body.elderIds ?? (role === 'family' ? current.elderIds : undefined);
      const placed = await place(admin, role, scope, elderIds);
      if (!placed.ok) return problem(reply, placed.status, placed.code, placed.message);
      const { change } = placed;
      const moved = change.role !== current.role || change.scope !== current.scope;
      if (current.username === admin.username && (disabled === true || moved))
        return problem(
          reply,
          403,
          'ERR_SELF_DEMOTION',
          'you cannot disable yourself or change your own role or scope',
        );
      const disabledAt = disabled === undefined ? undefined : disabled ? new Date().toISOString() : null;
      await deps.users.update(current.username, change, disabledAt);
      if (disabled === true) await deps.endSessions(current.username);
      else if (moved || JSON.stringify(change.elderIds) !== JSON.stringify(current.elderIds ?? []))
        deps.dropSockets(current.username);
      deps.logger.warn(
        { username: current.username, role: change.role, disabled, by: admin.username },
        'user changed',
      );
      return deps.users.get(current.username);
    },
  );

  app.post(
    '/api/users/:username/password',
    { schema: { params: Params, body: Type.Object({ password: Password }) } },
    async (request, reply) => {
      const current = await target(request, request.params.username);
      if (!current) return problem(reply, 404, 'ERR_NOT_FOUND', 'no such user');
      const refused = weak(reply, current.username, request.body.password);
      if (refused) return refused;
      await deps.users.setPasswordHash(current.username, await hashSecret(request.body.password));
      // Whoever held the old password is out at once, on every device.
      await deps.endSessions(current.username);
      deps.logger.warn({ username: current.username, by: currentUser(request).username }, 'password reset');
      return reply.code(204).send();
    },
  );
};
