import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { verifyAuditChain } from '../src/access/audit-log.ts';
import { ROLE_RIGHTS, ROLES, TOKEN_SCOPES } from '../src/access/roles.ts';
import { createUser, POLICY } from '../src/access/users.ts';
import { loadConfig } from '../src/config.ts';
import { installAccessControl } from '../src/server/access.ts';
import type { AppContext } from '../src/server/context.ts';
import { handleError } from '../src/server/errors.ts';
import { registerAuthRoutes } from '../src/server/routes/auth.ts';
import { registerHealthRoutes } from '../src/server/routes/health.ts';
import { registerIndicatorRoutes } from '../src/server/routes/indicators.ts';
import { registerOrgUnitRoutes } from '../src/server/routes/org-units.ts';
import { registerPersonRoutes } from '../src/server/routes/persons.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { addAdult, contextFor, loadHuating, VILLAGE } from './helpers/registry.ts';

/**
 * Sign-in, sessions, CSRF, rights per unit subtree, masking, small-cell suppression and the
 * hash-chained audit log, on the registry's real routes and a real database.
 */
describe(`access control (${storageName})`, () => {
  let test: TestDatabase;
  let app: FastifyInstance;
  let insider: number;
  let outsider: number;
  let otherTownshipVillage: string;
  const PASSWORD = 'Correct-horse-42';

  before(async () => {
    test = await createTestDatabase();
    const db = test.database.db;
    await loadHuating(db);
    const other = await db
      .selectFrom('org_unit')
      .select('code')
      .where('level', '=', 'village')
      .where('code', 'not like', '620881100%')
      .orderBy('code')
      .executeTakeFirstOrThrow();
    otherTownshipVillage = other.code;
    const ctx = contextFor(db);
    insider = (
      await addAdult(ctx, { name: '王秀英', sex: 'female', birthDate: '1990-03-04', orgCode: VILLAGE })
    ).id;
    outsider = (
      await addAdult(ctx, {
        name: '李建国',
        sex: 'male',
        birthDate: '1985-06-07',
        orgCode: otherTownshipVillage,
      })
    ).id;
    const users: [string, string, string][] = [
      ['village.wang', 'village_worker', VILLAGE],
      ['town.li', 'township_staff', '620881100'],
      ['county.zhao', 'county_admin', '620881'],
      ['stats.chen', 'statistician', '620881'],
      ['doctor.sun', 'health_provider', '620881'],
      ['sys.admin', 'system_admin', '620881'],
    ];
    for (const [username, role, unit] of users)
      await createUser(
        db,
        { username, displayName: username, password: PASSWORD, roles: [{ role: role as never, unit }] },
        'test',
      );
    app = Fastify();
    app.setErrorHandler(handleError);
    const context: AppContext = { config: loadConfig({}), database: test.database, version: 'test' };
    installAccessControl(app, test.database);
    registerHealthRoutes(app, context);
    registerAuthRoutes(app, context);
    registerOrgUnitRoutes(app, context);
    registerPersonRoutes(app, context);
    registerIndicatorRoutes(app, context);
    await app.ready();
  });
  after(async () => {
    await app?.close();
    await test.cleanup();
  });

  interface Session {
    cookie: string;
    csrf: string;
  }

  async function signIn(username: string, password = PASSWORD): Promise<Session> {
    const response = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username, password },
    });
    assert.equal(response.statusCode, 200, response.body);
    const setCookie = String(response.headers['set-cookie']);
    return { cookie: setCookie.split(';')[0]!, csrf: response.json().csrfToken };
  }

  function get(session: Session | undefined, url: string): Promise<LightMyRequestResponse> {
    return app.inject({ url, headers: session ? { cookie: session.cookie } : {} });
  }

  it('answers the health check without sign-in but nothing personal', async () => {
    assert.equal((await get(undefined, '/api/health')).statusCode, 200);
    const response = await get(undefined, `/api/persons/${insider}`);
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().error.code, 'unauthenticated');
  });

  it('sets an httpOnly, SameSite=Strict session cookie and never stores the token itself', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'village.wang', password: PASSWORD },
    });
    const cookie = String(response.headers['set-cookie']);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const token = decodeURIComponent(cookie.split(';')[0]!.split('=')[1]!);
    const stored = await test.database.db.selectFrom('user_session').select('token_hash').execute();
    assert.ok(stored.length > 0);
    assert.ok(stored.every((s) => s.token_hash !== token));
  });

  it('gives an unknown user and a wrong password the same answer, and locks after repeated failures', async () => {
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'nobody', password: 'x' },
    });
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'doctor.sun', password: 'wrong-password-1' },
    });
    assert.equal(unknown.statusCode, 401);
    assert.equal(wrong.statusCode, 401);
    assert.equal(unknown.json().error.message, wrong.json().error.message);
    assert.equal(wrong.json().error.message, '用户名或密码不正确');
    for (let i = 1; i < POLICY.maxFailedLogins; i += 1)
      await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'doctor.sun', password: `wrong-password-${i}` },
      });
    const locked = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'doctor.sun', password: PASSWORD },
      headers: { 'accept-language': 'en' },
    });
    assert.equal(locked.statusCode, 401);
    assert.equal(locked.json().error.details.reason, 'locked');
    await test.database.db
      .updateTable('app_user')
      .set({ locked_until: null })
      .where('username', '=', 'doctor.sun')
      .execute();
  });

  it('lets a village worker read and write persons in the village, and nowhere else', async () => {
    const session = await signIn('village.wang');
    const own = await get(session, `/api/persons/${insider}`);
    assert.equal(own.statusCode, 200);
    assert.equal(own.json().person.name, '王秀英');
    const foreign = await get(session, `/api/persons/${outsider}`);
    assert.equal(foreign.statusCode, 403);
    assert.equal(foreign.json().error.details.unit, otherTownshipVillage);
    const search = await get(session, '/api/persons?q=wxy');
    assert.equal(search.statusCode, 200, 'search without ?unit= is limited to the worker’s own village');
    const searchOutside = await get(session, `/api/persons?q=ljg&unit=${otherTownshipVillage}`);
    assert.equal(searchOutside.statusCode, 403);
  });

  it('lets a township see its villages and a county everything below it', async () => {
    const town = await signIn('town.li');
    assert.equal((await get(town, `/api/persons/${insider}`)).statusCode, 200);
    assert.equal((await get(town, `/api/persons/${outsider}`)).statusCode, 403);
    const county = await signIn('county.zhao');
    assert.equal((await get(county, `/api/persons/${outsider}`)).statusCode, 200);
  });

  it('refuses a state-changing request from a cookie session without the CSRF token', async () => {
    const session = await signIn('village.wang');
    const correction = {
      expectedVersion: 1,
      changes: { phone: '13800138000' },
      reason: '核实电话',
    };
    const forged = await app.inject({
      method: 'POST',
      url: `/api/persons/${insider}/corrections`,
      headers: { cookie: session.cookie },
      payload: correction,
    });
    assert.equal(forged.statusCode, 403);
    assert.equal(forged.json().error.details.reason, 'csrf');
    const real = await app.inject({
      method: 'POST',
      url: `/api/persons/${insider}/corrections`,
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
      payload: correction,
    });
    assert.equal(real.statusCode, 200, real.body);
    const history = await test.database.db
      .selectFrom('person_version')
      .select('changed_by')
      .where('person_id', '=', insider)
      .orderBy('version', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(history.changed_by, 'user:village.wang', 'the history records the signed-in user');
  });

  it('masks ID and phone numbers for roles that do not need them', async () => {
    const doctor = await signIn('doctor.sun');
    const body = (await get(doctor, `/api/persons/${insider}`)).json();
    assert.match(body.person.idNumber, /\*{4,}/);
    const worker = (await get(await signIn('village.wang'), `/api/persons/${insider}`)).json();
    assert.match(worker.person.idNumber, /^\d{17}[\dX]$/);
  });

  it('gives a statistician aggregates only, with cells under 5 suppressed', async () => {
    const stats = await signIn('stats.chen');
    assert.equal((await get(stats, `/api/persons/${insider}`)).statusCode, 403);
    const population = await get(stats, `/api/indicators/registered_population?unit=${VILLAGE}&period=2025`);
    assert.equal(population.statusCode, 200, population.body);
    const value = population.json().values[0];
    assert.equal(value.suppressed, true);
    assert.equal(value.value, null);
    const county = await signIn('county.zhao');
    const full = (
      await get(county, `/api/indicators/registered_population?unit=${VILLAGE}&period=2025`)
    ).json();
    assert.ok(full.values[0].value >= 1);
  });

  it('keeps the system administrator out of personal data', async () => {
    const admin = await signIn('sys.admin');
    assert.equal((await get(admin, `/api/persons/${insider}`)).statusCode, 403);
    assert.equal((await get(admin, '/api/audit-log?limit=5')).statusCode, 200);
  });

  it('asks a user created by an administrator to change the password before anything else', async () => {
    const county = await signIn('county.zhao');
    const created = await app.inject({
      method: 'POST',
      url: '/api/users',
      headers: { cookie: county.cookie, 'x-csrf-token': county.csrf },
      payload: {
        username: 'new.worker',
        displayName: '新人',
        password: 'Temporary-pass-1',
        roles: [{ role: 'village_worker', unit: VILLAGE }],
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    const session = await signIn('new.worker', 'Temporary-pass-1');
    const blocked = await get(session, `/api/persons/${insider}`);
    assert.equal(blocked.json().error.details.reason, 'password_change_required');
    const weak = await app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
      payload: { oldPassword: 'Temporary-pass-1', newPassword: '12345678901' },
    });
    assert.equal(weak.statusCode, 400);
    assert.equal(weak.json().error.issues[0].field, 'newPassword');
    const changed = await app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
      payload: { oldPassword: 'Temporary-pass-1', newPassword: 'My-own-secret-99' },
    });
    assert.equal(changed.statusCode, 204, changed.body);
    assert.equal((await get(session, `/api/persons/${insider}`)).statusCode, 200);
  });

  it('refuses to let a township administrator grant roles outside the township', async () => {
    const county = await signIn('county.zhao');
    const denied = await app.inject({
      method: 'POST',
      url: '/api/users',
      headers: { cookie: (await signIn('town.li')).cookie, 'x-csrf-token': (await signIn('town.li')).csrf },
      payload: {
        username: 'x.y',
        displayName: 'x',
        password: 'Another-pass-77',
        roles: [{ role: 'county_admin', unit: '620881' }],
      },
    });
    assert.equal(denied.statusCode, 403, 'township staff do not manage users at all');
    const outside = await app.inject({
      method: 'POST',
      url: '/api/users',
      headers: { cookie: county.cookie, 'x-csrf-token': county.csrf },
      payload: {
        username: 'x.z',
        displayName: 'x',
        password: 'Another-pass-77',
        roles: [{ role: 'county_admin', unit: '620802' }],
      },
    });
    assert.ok([400, 403].includes(outside.statusCode), outside.body);
  });

  it('ends a session on sign-out', async () => {
    const session = await signIn('village.wang');
    const out = await app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
    });
    assert.equal(out.statusCode, 204);
    assert.equal((await get(session, `/api/persons/${insider}`)).statusCode, 401);
  });

  it('writes every read of a person to a hash-chained audit log that detects tampering', async () => {
    const session = await signIn('town.li');
    await get(session, `/api/persons/${insider}`);
    const db = test.database.db;
    const entries = await db
      .selectFrom('audit_log')
      .select(['actor', 'action', 'resource', 'outcome'])
      .where('actor', '=', 'user:town.li')
      .execute();
    assert.ok(
      entries.some((e) => e.action === 'person.read' && e.resource === `GET /api/persons/${insider}`),
    );
    assert.ok(entries.some((e) => e.action === 'authz.denied' && e.outcome === 'denied'));
    assert.deepEqual(await verifyAuditChain(db), {
      ok: true,
      entries: (await db.selectFrom('audit_log').select('seq').execute()).length,
    });

    await assert.rejects(
      sql`UPDATE audit_log SET actor = 'someone' WHERE seq = 2`.execute(db),
      /append-only/,
    );
    await assert.rejects(sql`DELETE FROM audit_log WHERE seq = 2`.execute(db), /append-only/);
    // Someone with the database owner's rights switches the trigger off and edits an entry:
    await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`.execute(db);
    await sql`UPDATE audit_log SET actor = 'someone' WHERE seq = 2`.execute(db);
    await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update`.execute(db);
    const check = await verifyAuditChain(db);
    assert.equal(check.ok, false);
    assert.equal(check.brokenAt, 2);
  });

  it('lets whoever may generate a unit’s reports list the records its figures link to', () => {
    // Report traces link to every list an indicator has (src/reports/figures.ts): true only while
    // no role and no token scope holds reports.generate without records.read.
    for (const role of ROLES) {
      const rights = ROLE_RIGHTS[role];
      if (rights.includes('reports.generate')) assert.ok(rights.includes('records.read'), role);
    }
    assert.ok(!TOKEN_SCOPES.includes('reports.generate'));
  });
});
