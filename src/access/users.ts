import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { isDateTime } from '../domain/dates.ts';
import { AppError, type FieldIssue, fieldIssue, invalidInput } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import { checkPassword, dummyHash, hashPassword, verifyPassword } from './passwords.ts';
import type { Assignment, Principal } from './principal.ts';
import { isRight, isRole, type Right, ROLE_NAMES, TOKEN_SCOPES } from './roles.ts';

/** Sign-in policy, in one place. */
export const POLICY = {
  /** Wrong passwords in a row that lock the account. */
  maxFailedLogins: 5,
  lockMinutes: 15,
  /** A session ends after this long without a request… */
  idleMinutes: 30,
  /** …and at the latest this long after sign-in. */
  absoluteHours: 12,
};

const USERNAME = /^[a-z0-9_.-]{3,40}$/;

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export interface NewUser {
  username: string;
  displayName: string;
  password: string;
  roles: Assignment[];
  mustChangePassword?: boolean;
}

async function checkAssignments(
  db: Kysely<Schema>,
  roles: Assignment[],
  field: string,
): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = [];
  const units = new Set(
    (
      await db
        .selectFrom('org_unit')
        .select('code')
        .where('code', 'in', roles.length ? roles.map((r) => r.unit) : [''])
        .execute()
    ).map((r) => r.code),
  );
  roles.forEach((a, i) => {
    if (!isRole(a.role))
      issues.push(
        fieldIssue(
          'unknown_role',
          `${field}.${i}.role`,
          `没有这个角色：${a.role}`,
          `No such role: ${a.role} (one of ${Object.keys(ROLE_NAMES).join(', ')})`,
        ),
      );
    if (!units.has(a.unit))
      issues.push(
        fieldIssue(
          'unknown_unit',
          `${field}.${i}.unit`,
          `没有这个单位：${a.unit}`,
          `No such unit: ${a.unit}`,
        ),
      );
  });
  return issues;
}

/** Creates a user with roles; the password is checked against the rules and stored only as a hash. */
export async function createUser(db: Kysely<Schema>, input: NewUser, createdBy: string): Promise<number> {
  const issues: FieldIssue[] = [];
  if (!USERNAME.test(input.username))
    issues.push(
      fieldIssue(
        'invalid_username',
        'username',
        '用户名须为 3–40 个小写字母、数字或 . _ -',
        'The username must be 3–40 lower-case letters, digits or . _ -',
      ),
    );
  if (!input.displayName.trim())
    issues.push(fieldIssue('required', 'displayName', '请填写姓名', 'The display name is required'));
  issues.push(...checkPassword(input.password, input.username));
  if (input.roles.length === 0)
    issues.push(fieldIssue('required', 'roles', '至少需要一个角色', 'At least one role is required'));
  issues.push(...(await checkAssignments(db, input.roles, 'roles')));
  if (issues.length) throw invalidInput(issues);
  const hash = await hashPassword(input.password);
  return db.transaction().execute(async (tx) => {
    const taken = await tx
      .selectFrom('app_user')
      .select('id')
      .where('username', '=', input.username)
      .executeTakeFirst();
    if (taken)
      throw new AppError(
        'duplicate',
        text(`用户名已存在：${input.username}`, `Username taken: ${input.username}`),
        {
          field: 'username',
        },
      );
    const { id } = await tx
      .insertInto('app_user')
      .values({
        username: input.username,
        display_name: input.displayName.trim(),
        password_hash: hash,
        must_change_password: input.mustChangePassword ?? false,
        created_by: createdBy,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tx
      .insertInto('user_role')
      .values(
        input.roles.map((a) => ({ user_id: id, role: a.role, unit_code: a.unit, granted_by: createdBy })),
      )
      .execute();
    return Number(id);
  });
}

export async function grantRole(db: Kysely<Schema>, userId: number, assignment: Assignment, by: string) {
  const issues = await checkAssignments(db, [assignment], 'roles');
  if (issues.length) throw invalidInput(issues);
  await db
    .insertInto('user_role')
    .values({ user_id: userId, role: assignment.role, unit_code: assignment.unit, granted_by: by })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function revokeRole(db: Kysely<Schema>, userId: number, assignment: Assignment) {
  await db
    .deleteFrom('user_role')
    .where('user_id', '=', userId)
    .where('role', '=', assignment.role)
    .where('unit_code', '=', assignment.unit)
    .execute();
}

export async function findUserByName(db: Kysely<Schema>, username: string) {
  return db.selectFrom('app_user').selectAll().where('username', '=', username).executeTakeFirst();
}

/** The user of that name; throws not_found. */
export async function getUserByName(db: Kysely<Schema>, username: string) {
  const user = await findUserByName(db, username);
  if (!user)
    throw new AppError('not_found', text(`没有这个用户：${username}`, `No such user: ${username}`), {
      field: 'username',
    });
  return user;
}

export async function listUsers(db: Kysely<Schema>) {
  const users = await db
    .selectFrom('app_user')
    .select(['id', 'username', 'display_name', 'status', 'locked_until', 'created_at'])
    .orderBy('username')
    .execute();
  const roles = await db.selectFrom('user_role').select(['user_id', 'role', 'unit_code']).execute();
  return users.map((u) => ({
    ...u,
    id: Number(u.id),
    roles: roles
      .filter((r) => Number(r.user_id) === Number(u.id))
      .map((r) => ({ role: r.role, unit: r.unit_code })),
  }));
}

async function assignmentsOf(db: Kysely<Schema>, userId: number): Promise<Assignment[]> {
  const rows = await db
    .selectFrom('user_role')
    .select(['role', 'unit_code'])
    .where('user_id', '=', userId)
    .execute();
  return rows.map((r) => ({ role: r.role, unit: r.unit_code }));
}

const BAD_LOGIN = () =>
  new AppError('unauthenticated', text('用户名或密码不正确', 'Wrong username or password'), {
    field: 'password',
  });

export interface SignedIn {
  /** The cookie value; only its hash is stored. */
  token: string;
  csrfToken: string;
  principal: Principal;
  expiresAt: string;
}

/**
 * Signs in. An unknown user and a wrong password get the same answer and take the same time;
 * POLICY.maxFailedLogins wrong passwords in a row lock the account for POLICY.lockMinutes.
 */
export async function signIn(
  db: Kysely<Schema>,
  input: { username: string; password: string; ip?: string; userAgent?: string },
  now = new Date(),
): Promise<SignedIn> {
  const user = await findUserByName(db, input.username);
  if (user?.status !== 'active') {
    await verifyPassword(input.password, await dummyHash());
    throw BAD_LOGIN();
  }
  if (user.locked_until && new Date(user.locked_until) > now)
    throw new AppError(
      'unauthenticated',
      text(
        `账户因多次密码错误已锁定，请在 ${POLICY.lockMinutes} 分钟后再试或联系管理员`,
        `The account is locked after too many wrong passwords; try again in ${POLICY.lockMinutes} minutes or ask an administrator`,
      ),
      { field: 'username', details: { reason: 'locked' } },
    );
  if (!(await verifyPassword(input.password, user.password_hash))) {
    const failed = user.failed_logins + 1;
    const lock = failed >= POLICY.maxFailedLogins;
    await db
      .updateTable('app_user')
      .set({
        failed_logins: lock ? 0 : failed,
        locked_until: lock ? new Date(now.getTime() + POLICY.lockMinutes * 60_000).toISOString() : null,
      })
      .where('id', '=', user.id)
      .execute();
    throw BAD_LOGIN();
  }
  await db
    .updateTable('app_user')
    .set({ failed_logins: 0, locked_until: null })
    .where('id', '=', user.id)
    .execute();
  const token = newToken();
  const csrfToken = newToken();
  const expiresAt = new Date(now.getTime() + POLICY.absoluteHours * 3_600_000).toISOString();
  await db
    .insertInto('user_session')
    .values({
      token_hash: sha256Hex(token),
      user_id: user.id,
      csrf_token: csrfToken,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: expiresAt,
      ip: input.ip ?? null,
      user_agent: input.userAgent?.slice(0, 300) ?? null,
    } as never)
    .execute();
  return {
    token,
    csrfToken,
    expiresAt,
    principal: {
      kind: 'user',
      actor: `user:${user.username}`,
      userId: Number(user.id),
      username: user.username,
      displayName: user.display_name,
      assignments: await assignmentsOf(db, Number(user.id)),
      mustChangePassword: user.must_change_password,
    },
  };
}

export interface ActiveSession {
  principal: Principal;
  csrfToken: string;
}

/** The session behind a cookie value, or undefined when unknown, revoked, idle too long or expired. */
export async function resolveSession(
  db: Kysely<Schema>,
  token: string,
  now = new Date(),
): Promise<ActiveSession | undefined> {
  const row = await db
    .selectFrom('user_session')
    .innerJoin('app_user', 'app_user.id', 'user_session.user_id')
    .select([
      'user_session.token_hash',
      'user_session.csrf_token',
      'user_session.last_seen_at',
      'user_session.expires_at',
      'user_session.revoked_at',
      'app_user.id',
      'app_user.username',
      'app_user.display_name',
      'app_user.status',
      'app_user.must_change_password',
    ])
    .where('user_session.token_hash', '=', sha256Hex(token))
    .executeTakeFirst();
  if (!row || row.revoked_at || row.status !== 'active') return undefined;
  const lastSeen = new Date(row.last_seen_at).getTime();
  if (new Date(row.expires_at) <= now || now.getTime() - lastSeen > POLICY.idleMinutes * 60_000)
    return undefined;
  // One write a minute at most, not one per request.
  if (now.getTime() - lastSeen > 60_000)
    await db
      .updateTable('user_session')
      .set({ last_seen_at: now.toISOString() } as never)
      .where('token_hash', '=', row.token_hash)
      .execute();
  return {
    csrfToken: row.csrf_token,
    principal: {
      kind: 'user',
      actor: `user:${row.username}`,
      userId: Number(row.id),
      username: row.username,
      displayName: row.display_name,
      assignments: await assignmentsOf(db, Number(row.id)),
      mustChangePassword: row.must_change_password,
    },
  };
}

export async function signOut(db: Kysely<Schema>, token: string, now = new Date()) {
  await db
    .updateTable('user_session')
    .set({ revoked_at: now.toISOString() })
    .where('token_hash', '=', sha256Hex(token))
    .execute();
}

/** Changes one's own password (the old one is required) and ends every other session. */
export async function changePassword(
  db: Kysely<Schema>,
  userId: number,
  input: { oldPassword: string; newPassword: string; keepToken?: string },
) {
  const user = await db.selectFrom('app_user').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
  if (!(await verifyPassword(input.oldPassword, user.password_hash)))
    throw new AppError('invalid_input', text('原密码不正确', 'The current password is wrong'), {
      field: 'oldPassword',
      issues: [fieldIssue('wrong_password', 'oldPassword', '原密码不正确', 'The current password is wrong')],
    });
  const issues = checkPassword(input.newPassword, user.username, 'newPassword');
  if (input.newPassword === input.oldPassword)
    issues.push(
      fieldIssue(
        'password_unchanged',
        'newPassword',
        '新密码不能与原密码相同',
        'The new password must differ from the current one',
      ),
    );
  if (issues.length) throw invalidInput(issues);
  const hash = await hashPassword(input.newPassword);
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('app_user')
      .set({
        password_hash: hash,
        must_change_password: false,
        password_changed_at: new Date().toISOString(),
      } as never)
      .where('id', '=', userId)
      .execute();
    let others = tx
      .updateTable('user_session')
      .set({ revoked_at: new Date().toISOString() })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null);
    if (input.keepToken) others = others.where('token_hash', '!=', sha256Hex(input.keepToken));
    await others.execute();
  });
}

/** Sets a password without the old one (an administrator's reset): the user must change it at next sign-in. */
export async function resetPassword(db: Kysely<Schema>, username: string, password: string) {
  const user = await getUserByName(db, username);
  const issues = checkPassword(password, username);
  if (issues.length) throw invalidInput(issues);
  await db
    .updateTable('app_user')
    .set({
      password_hash: await hashPassword(password),
      must_change_password: true,
      failed_logins: 0,
      locked_until: null,
    })
    .where('id', '=', user.id)
    .execute();
  await db
    .updateTable('user_session')
    .set({ revoked_at: new Date().toISOString() })
    .where('user_id', '=', user.id)
    .where('revoked_at', 'is', null)
    .execute();
}

export async function unlockUser(db: Kysely<Schema>, username: string) {
  const user = await getUserByName(db, username);
  await db
    .updateTable('app_user')
    .set({ failed_logins: 0, locked_until: null })
    .where('id', '=', user.id)
    .execute();
}

/** Creates an API token for a department system; the token itself is returned once and stored only as a hash. */
export async function createApiToken(
  db: Kysely<Schema>,
  input: { name: string; scopes: string[]; unit: string; expiresAt?: string },
  createdBy: string,
): Promise<{ id: number; token: string }> {
  const issues: FieldIssue[] = [];
  if (!input.name.trim()) issues.push(fieldIssue('required', 'name', '请填写名称', 'The name is required'));
  if (input.scopes.length === 0)
    issues.push(fieldIssue('required', 'scopes', '至少需要一个权限范围', 'At least one scope is required'));
  input.scopes.forEach((s, i) => {
    if (!isRight(s) || !TOKEN_SCOPES.includes(s))
      issues.push(
        fieldIssue(
          'invalid_scope',
          `scopes.${i}`,
          `令牌不能有这个权限：${s}`,
          `A token cannot have the scope ${s} (allowed: ${TOKEN_SCOPES.join(', ')})`,
        ),
      );
  });
  // The CLI's --expires arrives as typed: a timestamp the database cannot cast is refused here.
  if (input.expiresAt !== undefined && !isDateTime(input.expiresAt))
    issues.push(
      fieldIssue(
        'invalid_date_time',
        'expiresAt',
        `到期时间应为日期时间（如 2026-12-31T23:59:59+08:00）：${input.expiresAt}`,
        `The expiry must be a date and time (e.g. 2026-12-31T23:59:59+08:00): ${input.expiresAt}`,
      ),
    );
  const unit = await db
    .selectFrom('org_unit')
    .select('code')
    .where('code', '=', input.unit)
    .executeTakeFirst();
  if (!unit)
    issues.push(
      fieldIssue('unknown_unit', 'unit', `没有这个单位：${input.unit}`, `No such unit: ${input.unit}`),
    );
  if (issues.length) throw invalidInput(issues);
  const token = `rk_${newToken()}`;
  const { id } = await db
    .insertInto('api_token')
    .values({
      name: input.name.trim(),
      token_hash: sha256Hex(token),
      scopes: input.scopes,
      unit_code: input.unit,
      created_by: createdBy,
      expires_at: input.expiresAt ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: Number(id), token };
}

/** The principal behind a bearer token, or undefined when unknown, revoked or expired. */
export async function resolveApiToken(
  db: Kysely<Schema>,
  token: string,
  now = new Date(),
): Promise<Principal | undefined> {
  const row = await db
    .selectFrom('api_token')
    .selectAll()
    .where('token_hash', '=', sha256Hex(token))
    .executeTakeFirst();
  if (!row || row.revoked_at || (row.expires_at && new Date(row.expires_at) <= now)) return undefined;
  return {
    kind: 'token',
    actor: `token:${row.id}`,
    assignments: [],
    scopes: row.scopes.filter(isRight) as Right[],
    tokenUnit: row.unit_code,
  };
}

export async function revokeApiToken(db: Kysely<Schema>, id: number) {
  await db
    .updateTable('api_token')
    .set({ revoked_at: new Date().toISOString() })
    .where('id', '=', id)
    .execute();
}
