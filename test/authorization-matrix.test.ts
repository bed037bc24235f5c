import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { hasRight, type Principal } from '../src/access/principal.ts';
import { ROLES, type RoleName } from '../src/access/roles.ts';
import { loadConfig } from '../src/config.ts';
import type { RouteEntry } from '../src/server/access.ts';
import { buildApp } from '../src/server/app.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { createTestUser, type Session, signIn, withSession } from './helpers/http.ts';
import { buildMatrixFixtures, type MatrixFixtures } from './helpers/matrix-fixtures.ts';
import { loadHuating, VILLAGE } from './helpers/registry.ts';

/**
 * Every route × every role × a unit inside and outside the caller's: generated from the app's
 * route table, so a route added without an access rule — or with a unit lookup this test cannot
 * exercise — fails here.
 *
 * - a role without the route's right gets 403 whatever the request;
 * - a role with the right, acting in its own unit, is not refused (401/403);
 * - the same role held only for one village, acting on another township's village (or on the
 *   county as a whole), gets 403.
 */
/** Routes checked only for refusing to answer about a record that does not exist (see below). */
const LOOKUP_ONLY = new Set([
  'POST /api/feeds/review/:id',
  'POST /api/benefits/entitlements/:id/review',
  'POST /api/benefits/entitlements/:id/approve',
  'POST /api/benefits/entitlements/:id/reject',
  'GET /api/benefits/batches/:id/bank-file',
  'POST /api/benefits/payments/:id/reverse',
  'POST /api/merges/:id/undo',
]);

describe(`authorisation matrix: every route × role × unit (${storageName})`, () => {
  let test: TestDatabase;
  let app: FastifyInstance;
  let routes: RouteEntry[];
  let fixtures: MatrixFixtures;
  const countySessions = new Map<RoleName, Session>();
  const villageSessions = new Map<RoleName, Session>();

  before(async () => {
    test = await createTestDatabase();
    await loadHuating(test.database.db);
    fixtures = await buildMatrixFixtures(test.database);
    app = await buildApp({ config: loadConfig({}), database: test.database, version: 'test' });
    await app.ready();
    routes = app.routeTable.filter(
      (r) =>
        r.method !== 'HEAD' &&
        !r.url.startsWith('/docs') &&
        r.access !== undefined &&
        r.access.right !== 'public',
    );
    for (const role of ROLES) {
      countySessions.set(
        role,
        await signIn(app, await createTestUser(test.database, [{ role, unit: '620881' }])),
      );
      villageSessions.set(
        role,
        await signIn(app, await createTestUser(test.database, [{ role, unit: VILLAGE }])),
      );
    }
  });
  after(async () => {
    await app?.close();
    await test.cleanup();
  });

  const principalOf = (role: RoleName): Principal => ({
    kind: 'user',
    actor: role,
    assignments: [{ role, unit: '620881' }],
  });
  const label = (r: RouteEntry) => `${r.method} ${r.url}`;
  /** A request to the route with every path parameter filled. */
  const dummy = (r: RouteEntry, id = 1): InjectOptions => ({
    method: r.method as InjectOptions['method'],
    url: r.url.replace(/:(\w+)/g, String(id)).replace('*', 'x'),
    ...(['POST', 'PUT', 'PATCH'].includes(r.method) ? { payload: {} } : {}),
  });

  it('gives every route an access rule', () => {
    const missing = app.routeTable.filter(
      (r) => r.method !== 'HEAD' && !r.url.startsWith('/docs') && !r.access,
    );
    assert.deepEqual(missing.map(label), [], 'routes without config.access');
    assert.ok(routes.length > 40, `${routes.length} routes checked`);
  });

  it('answers 401 to every non-public route without a session', async () => {
    for (const route of routes) {
      const response = await app.inject(dummy(route));
      assert.equal(response.statusCode, 401, `${label(route)} without a session: ${response.body}`);
    }
  });

  it('refuses every role that lacks the route’s right, whatever the request', async () => {
    let checked = 0;
    for (const route of routes) {
      const right = route.access!.right;
      if (right === 'signed-in' || right === 'public') continue;
      for (const role of ROLES) {
        if (hasRight(principalOf(role), right)) continue;
        const response = await app.inject(withSession(countySessions.get(role)!, dummy(route)));
        assert.equal(
          response.statusCode,
          403,
          `${label(route)} as ${role} (lacks ${right}): ${response.body}`,
        );
        checked += 1;
      }
    }
    assert.ok(checked > 100, `${checked} refusals checked`);
  });

  it('lets each role with the right act in its units and refuses it elsewhere', async () => {
    const untestable: string[] = [];
    let checked = 0;
    for (const route of routes) {
      const access = route.access!;
      if (access.right === 'signed-in' || access.right === 'public') continue;
      const requests = fixtures.requestsFor(route);
      if (!requests) {
        untestable.push(label(route));
        continue;
      }
      for (const role of ROLES) {
        if (!hasRight(principalOf(role), access.right)) continue;
        const allowed: LightMyRequestResponse = await app.inject(
          withSession(countySessions.get(role)!, requests.inside),
        );
        assert.ok(
          ![401, 403].includes(allowed.statusCode),
          `${label(route)} as ${role}@620881 inside: ${allowed.statusCode} ${allowed.body}`,
        );
        if (requests.expectOk)
          assert.ok(
            allowed.statusCode < 400,
            `${label(route)} as ${role}@620881: ${allowed.statusCode} ${allowed.body}`,
          );
        if (!access.unit) continue;
        const refused: LightMyRequestResponse = await app.inject(
          withSession(villageSessions.get(role)!, requests.outside),
        );
        assert.equal(
          refused.statusCode,
          403,
          `${label(route)} as ${role}@${VILLAGE} outside: ${refused.body}`,
        );
        checked += 1;
      }
    }
    // Routes whose records are expensive to make here (a scored pair, an entitlement, a payment, a
    // merge) are checked for not answering about a record that does not exist; their areas' own
    // tests check the scope. Any other route without a fixture fails.
    for (const entry of untestable.filter((r) => LOOKUP_ONLY.has(r))) {
      const route = routes.find((r) => label(r) === entry)!;
      const response = await app.inject(
        withSession(countySessions.get('county_admin')!, dummy(route, 999_999)),
      );
      assert.ok(
        response.statusCode >= 400 && response.statusCode < 500,
        `${entry} for no record: ${response.statusCode}`,
      );
    }
    assert.deepEqual(
      untestable.filter((r) => !LOOKUP_ONLY.has(r)),
      [],
      'routes whose unit lookup has no fixture in test/helpers/matrix-fixtures.ts',
    );
    assert.ok(checked > 50, `${checked} out-of-scope refusals checked`);
  });
});
