import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { createUser } from '../src/access/users.ts';
import { loadConfig } from '../src/config.ts';
import { installAccessControl } from '../src/server/access.ts';
import type { AppContext } from '../src/server/context.ts';
import { handleError } from '../src/server/errors.ts';
import { registerAuthRoutes } from '../src/server/routes/auth.ts';
import { registerBenefitRoutes } from '../src/server/routes/benefits.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { addAdult, contextFor, loadHuating, VILLAGE } from './helpers/registry.ts';

/** Person-level service records reach health-service providers only; benefits need benefit rights. */
describe(`services and benefits routes under access control (${storageName})`, () => {
  let test: TestDatabase;
  let app: FastifyInstance;
  let woman: number;
  const PASSWORD = 'Correct-horse-42';

  before(async () => {
    test = await createTestDatabase();
    const db = test.database.db;
    await loadHuating(db);
    woman = (
      await addAdult(contextFor(db), {
        name: '王秀英',
        sex: 'female',
        birthDate: '1970-03-04',
        orgCode: VILLAGE,
      })
    ).id;
    for (const [username, role] of [
      ['doctor.sun', 'health_provider'],
      ['stats.chen', 'statistician'],
      ['county.zhao', 'county_admin'],
    ] as const) {
      await createUser(
        db,
        { username, displayName: username, password: PASSWORD, roles: [{ role, unit: '620881' }] },
        'test',
      );
    }
    app = Fastify();
    app.setErrorHandler(handleError);
    const context: AppContext = { config: loadConfig({}), database: test.database, version: 'test' };
    installAccessControl(app, test.database);
    registerAuthRoutes(app, context);
    registerBenefitRoutes(app, context);
    await app.ready();
  });
  after(async () => {
    await app?.close();
    await test.cleanup();
  });

  async function signIn(username: string) {
    const response = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username, password: PASSWORD },
    });
    assert.equal(response.statusCode, 200, response.body);
    return {
      cookie: String(response.headers['set-cookie']).split(';')[0]!,
      csrf: response.json().csrfToken as string,
    };
  }

  it('a health-service provider records and reads services; a statistician and a county admin cannot read them', async () => {
    const doctor = await signIn('doctor.sun');
    const created = await app.inject({
      method: 'POST',
      url: '/api/services',
      headers: { cookie: doctor.cookie, 'x-csrf-token': doctor.csrf },
      payload: {
        kind: 'cervical_screening',
        personId: woman,
        serviceDate: '2025-04-01',
        provider: '妇幼保健院',
        outcomeCode: 'normal',
        consent: true,
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    const list = await app.inject({ url: '/api/services?unit=620881', headers: { cookie: doctor.cookie } });
    assert.equal(list.statusCode, 200, list.body);
    assert.equal(list.json().items.length, 1);
    for (const user of ['stats.chen', 'county.zhao']) {
      const session = await signIn(user);
      const refused = await app.inject({
        url: '/api/services?unit=620881',
        headers: { cookie: session.cookie },
      });
      assert.equal(refused.statusCode, 403, `${user}: ${refused.body}`);
    }
  });

  it('refuses a service without consent with a field-level error', async () => {
    const doctor = await signIn('doctor.sun');
    const response = await app.inject({
      method: 'POST',
      url: '/api/services',
      headers: { cookie: doctor.cookie, 'x-csrf-token': doctor.csrf, 'accept-language': 'en' },
      payload: {
        kind: 'counselling',
        personId: woman,
        serviceDate: '2025-04-01',
        provider: 'x',
        outcomeCode: 'given',
        consent: false,
      },
    });
    assert.equal(response.statusCode, 400, response.body);
    assert.match(response.body, /consent/);
  });

  it('the screen needs benefit rights: the county admin gets the list, the health provider does not', async () => {
    const admin = await signIn('county.zhao');
    const ok = await app.inject({
      url: '/api/benefits/screen?programme=childcare-subsidy&period=2025H2&unit=620881',
      headers: { cookie: admin.cookie },
    });
    assert.equal(ok.statusCode, 200, ok.body);
    const doctor = await signIn('doctor.sun');
    const refused = await app.inject({
      url: '/api/benefits/screen?programme=childcare-subsidy&period=2025H2&unit=620881',
      headers: { cookie: doctor.cookie },
    });
    assert.equal(refused.statusCode, 403);
  });
});
