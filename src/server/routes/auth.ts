import type { FastifyInstance, FastifyRequest } from 'fastify';
import { appendAudit, searchAudit, verifyAuditChain } from '../../access/audit-log.ts';
import { canOn, type Principal } from '../../access/principal.ts';
import { ROLE_NAMES, ROLES, type RoleName } from '../../access/roles.ts';
import { describeSessionUser, type SessionUser } from '../../access/session-user.ts';
import {
  changePassword,
  createApiToken,
  createUser,
  grantRole,
  listUsers,
  POLICY,
  revokeApiToken,
  signIn,
  signOut,
} from '../../access/users.ts';
import { AppError } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import { cookieValue, SESSION_COOKIE, sessionCookie } from '../access.ts';
import type { AppContext } from '../context.ts';
import { dateTimeSchema } from '../schemas.ts';

const tags = ['access'];

/** Failed sign-ins per address per window: a script guessing passwords across accounts is slowed to a crawl. */
const LOGIN_WINDOW_MS = 5 * 60_000;
const LOGIN_FAILURES_PER_WINDOW = 20;

const meSchema = {
  type: 'object',
  properties: {
    actor: { type: 'string' },
    username: { type: ['string', 'null'] },
    displayName: { type: ['string', 'null'] },
    kind: { type: 'string' },
    roles: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          role: { type: 'string' },
          unit: { type: 'string' },
          name: { type: 'object', properties: { 'zh-CN': { type: 'string' }, en: { type: 'string' } } },
        },
      },
    },
    rights: { type: 'array', items: { type: 'string' } },
    mustChangePassword: { type: 'boolean' },
    csrfToken: { type: ['string', 'null'] },
  },
} as const;

const assignmentSchema = {
  type: 'object',
  required: ['role', 'unit'],
  additionalProperties: false,
  properties: {
    role: { type: 'string', enum: [...ROLES] },
    unit: { type: 'string', pattern: '^[0-9]{6,12}$' },
  },
} as const;

function requireManageable(principal: Principal, units: string[]) {
  for (const unit of units)
    if (!canOn(principal, 'users.manage', unit))
      throw new AppError(
        'forbidden',
        text(`您不能管理单位 ${unit} 的用户`, `You cannot manage users of unit ${unit}`),
        {
          field: 'roles',
        },
      );
}

/** Sign-in, sign-out, password change; users, roles and API tokens; the audit log. */
export function registerAuthRoutes(app: FastifyInstance, context: AppContext) {
  const db = context.database.db;
  const failures = new Map<string, number[]>();

  /** Refuses an address that failed too often lately; only failures count, so a busy office is never blocked. */
  function checkRate(request: FastifyRequest) {
    const now = Date.now();
    const recent = (failures.get(request.ip) ?? []).filter((t) => now - t < LOGIN_WINDOW_MS);
    failures.set(request.ip, recent);
    if (recent.length >= LOGIN_FAILURES_PER_WINDOW)
      throw new AppError(
        'rate_limited',
        text(
          '登录失败次数过多，请稍后再试',
          'Too many failed sign-ins from this address; wait a few minutes',
        ),
      );
  }

  function recordFailure(request: FastifyRequest) {
    if (failures.size > 10_000) failures.clear();
    failures.set(request.ip, [...(failures.get(request.ip) ?? []), Date.now()]);
  }

  app.post(
    '/api/auth/login',
    {
      config: { access: { right: 'public' } },
      schema: {
        tags,
        summary: '登录 / Sign in',
        body: {
          type: 'object',
          required: ['username', 'password'],
          additionalProperties: false,
          properties: {
            username: { type: 'string', minLength: 1, maxLength: 40 },
            password: { type: 'string', minLength: 1, maxLength: 200 },
          },
        },
        response: { 200: meSchema },
      },
    },
    async (request, reply): Promise<SessionUser> => {
      checkRate(request);
      const { username, password } = request.body as { username: string; password: string };
      try {
        const signed = await signIn(db, {
          username,
          password,
          ip: request.ip,
          userAgent: request.headers['user-agent'],
        });
        await appendAudit(db, {
          actor: signed.principal.actor,
          action: 'login',
          resource: `user:${username}`,
          outcome: 'ok',
          ip: request.ip,
        });
        reply.header('set-cookie', sessionCookie(request, signed.token, POLICY.absoluteHours * 3600));
        return describeSessionUser(signed.principal, signed.csrfToken);
      } catch (err) {
        recordFailure(request);
        await appendAudit(db, {
          actor: `anonymous`,
          action: 'login.failed',
          resource: `user:${username.slice(0, 40)}`,
          outcome: 'denied',
          ip: request.ip,
        });
        throw err;
      }
    },
  );

  app.post(
    '/api/auth/logout',
    { config: { access: { right: 'signed-in' } }, schema: { tags, summary: '退出登录 / Sign out' } },
    async (request, reply) => {
      const cookie = cookieValue(request, SESSION_COOKIE);
      if (cookie) await signOut(db, cookie);
      reply.header('set-cookie', sessionCookie(request, '', 0));
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/auth/me',
    {
      config: { access: { right: 'signed-in' } },
      schema: { tags, summary: '当前用户 / Who am I', response: { 200: meSchema } },
    },
    async (request): Promise<SessionUser> =>
      describeSessionUser(request.principal!, request.csrfToken ?? null),
  );

  app.post(
    '/api/auth/password',
    {
      config: { access: { right: 'signed-in' } },
      schema: {
        tags,
        summary: '修改密码 / Change password',
        body: {
          type: 'object',
          required: ['oldPassword', 'newPassword'],
          additionalProperties: false,
          properties: {
            oldPassword: { type: 'string', maxLength: 200 },
            newPassword: { type: 'string', maxLength: 200 },
          },
        },
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      if (principal.userId === undefined)
        throw new AppError('forbidden', text('只有用户可以修改密码', 'Only users have passwords'));
      const body = request.body as { oldPassword: string; newPassword: string };
      const keepToken = cookieValue(request, SESSION_COOKIE);
      await changePassword(db, principal.userId, {
        ...body,
        keepToken,
      });
      await appendAudit(db, {
        actor: principal.actor,
        action: 'password.change',
        resource: principal.actor,
        outcome: 'ok',
        ip: request.ip,
      });
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/users',
    {
      config: { access: { right: 'users.manage' } },
      schema: { tags, summary: '用户列表 / Users' },
    },
    async (request) => {
      const principal = request.principal!;
      const users = await listUsers(db);
      // An administrator sees the users who hold a role somewhere under their own units.
      return {
        users: users.filter(
          (u) => principal.kind === 'system' || u.roles.some((r) => canOn(principal, 'users.manage', r.unit)),
        ),
        roles: ROLES.map((role) => ({ role, name: ROLE_NAMES[role as RoleName] })),
      };
    },
  );

  app.post(
    '/api/users',
    {
      config: { access: { right: 'users.manage', audit: 'user.create' } },
      schema: {
        tags,
        summary: '新建用户 / Create a user',
        body: {
          type: 'object',
          required: ['username', 'displayName', 'password', 'roles'],
          additionalProperties: false,
          properties: {
            username: { type: 'string', maxLength: 40 },
            displayName: { type: 'string', maxLength: 60 },
            password: { type: 'string', maxLength: 200 },
            roles: { type: 'array', minItems: 1, maxItems: 20, items: assignmentSchema },
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body as {
        username: string;
        displayName: string;
        password: string;
        roles: { role: RoleName; unit: string }[];
      };
      requireManageable(
        request.principal!,
        body.roles.map((r) => r.unit),
      );
      const id = await createUser(db, { ...body, mustChangePassword: true }, request.principal!.actor);
      return reply.status(201).send({ id });
    },
  );

  app.post(
    '/api/users/:id/roles',
    {
      config: { access: { right: 'users.manage', audit: 'user.grant' } },
      schema: {
        tags,
        summary: '授予角色 / Grant a role',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } },
        body: assignmentSchema,
      },
    },
    async (request, reply) => {
      const body = request.body as { role: RoleName; unit: string };
      requireManageable(request.principal!, [body.unit]);
      await grantRole(db, (request.params as { id: number }).id, body, request.principal!.actor);
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/api-tokens',
    {
      config: { access: { right: 'users.manage', audit: 'token.create' } },
      schema: {
        tags,
        summary: '为部门系统签发令牌 / Issue an API token for a department system',
        body: {
          type: 'object',
          required: ['name', 'scopes', 'unit'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', maxLength: 100 },
            scopes: { type: 'array', minItems: 1, items: { type: 'string' } },
            unit: { type: 'string', pattern: '^[0-9]{6,12}$' },
            expiresAt: dateTimeSchema,
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body as { name: string; scopes: string[]; unit: string; expiresAt?: string };
      requireManageable(request.principal!, [body.unit]);
      const created = await createApiToken(db, body, request.principal!.actor);
      return reply.status(201).send(created);
    },
  );

  app.delete(
    '/api/api-tokens/:id',
    {
      config: { access: { right: 'users.manage', audit: 'token.revoke' } },
      schema: {
        tags,
        summary: '吊销令牌 / Revoke an API token',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } },
      },
    },
    async (request, reply) => {
      const id = (request.params as { id: number }).id;
      const token = await db
        .selectFrom('api_token')
        .select('unit_code')
        .where('id', '=', id)
        .executeTakeFirst();
      if (!token)
        throw new AppError('not_found', text(`没有这个令牌：${id}`, `No such token: ${id}`), { field: 'id' });
      requireManageable(request.principal!, [token.unit_code]);
      await revokeApiToken(db, id);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/audit-log',
    {
      config: { access: { right: 'audit.read', audit: 'audit.read' } },
      schema: {
        tags,
        summary: '审计日志 / Audit log',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            actor: { type: 'string', maxLength: 80 },
            action: { type: 'string', maxLength: 40 },
            resource: { type: 'string', maxLength: 200 },
            from: dateTimeSchema,
            to: dateTimeSchema,
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
            beforeSeq: { type: 'integer', minimum: 1 },
          },
        },
      },
    },
    async (request) => ({ entries: await searchAudit(db, request.query as Record<string, never>) }),
  );

  app.get(
    '/api/audit-log/verify',
    {
      config: { access: { right: 'audit.read' } },
      schema: { tags, summary: '校验审计日志的哈希链 / Verify the audit log hash chain' },
    },
    async () => verifyAuditChain(db),
  );
}
