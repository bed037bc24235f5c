import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { initCounty } from '../src/org/init-county.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { signedInApp, type TestClient } from './helpers/http.ts';

describe(`HTTP API (${storageName})`, () => {
  let test: TestDatabase;
  let app: TestClient;
  before(async () => {
    test = await createTestDatabase();
    await initCounty(test.database.db, '620881');
    app = await signedInApp(test.database);
  });
  after(async () => {
    await app.close();
    await test.cleanup();
  });

  it('GET /api/health reports ok, the storage and the schema version', async () => {
    const response = await app.inject({ url: '/api/health' });
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.equal(body.status, 'ok');
    assert.equal(body.storage, storageName);
    assert.ok(body.migration >= 1);
  });

  it('GET /api/org-units/:code returns the unit with ancestors and children', async () => {
    const response = await app.inject({ url: '/api/org-units/620881100' });
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.equal(body.name, '东华镇');
    assert.deepEqual(
      body.ancestors.map((a: { code: string }) => a.code),
      ['62', '6208', '620881'],
    );
    assert.ok(body.children.length > 0);
    assert.ok(body.children.every((c: { parentCode: string }) => c.parentCode === '620881100'));
  });

  it('GET /api/org-units lists the loaded counties', async () => {
    const body = (await app.inject({ url: '/api/org-units' })).json();
    assert.deepEqual(
      body.items.map((u: { code: string }) => u.code),
      ['620881'],
    );
  });

  it('answers an unknown unit with 404 and a bilingual message', async () => {
    const response = await app.inject({ url: '/api/org-units/620881999' });
    assert.equal(response.statusCode, 404);
    const { error } = response.json();
    assert.equal(error.code, 'not_found');
    assert.equal(error.field, 'code');
    assert.match(error.message, /没有代码为 620881999 的单位/);
    assert.match(error.messages.en, /No unit with code 620881999/);
  });

  it('answers a malformed code with 400 at the field, in English when asked', async () => {
    const response = await app.inject({ url: '/api/org-units/62x', headers: { 'accept-language': 'en-US' } });
    assert.equal(response.statusCode, 400);
    const { error } = response.json();
    assert.equal(error.code, 'invalid_input');
    assert.equal(error.field, 'code');
    assert.match(error.message, /^Field code/);
    const sixDigitsWrong = await app.inject({ url: '/api/org-units/6208811' });
    assert.equal(sixDigitsWrong.json().error.code, 'invalid_org_code');
  });

  it('serves OpenAPI docs at /docs', async () => {
    const spec = (await app.inject({ url: '/docs/json' })).json();
    assert.equal(spec.openapi.startsWith('3.'), true);
    assert.ok(spec.paths['/api/health']);
    assert.ok(spec.paths['/api/org-units/{code}']);
    const page = await app.inject({ url: '/docs/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /swagger/i);
  });

  it('answers an unknown route with a bilingual 404', async () => {
    const response = await app.inject({ url: '/api/nothing-here' });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().error.code, 'not_found');
  });
});
