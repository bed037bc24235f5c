import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { signedInApp, type TestClient } from './helpers/http.ts';
import { loadHuating } from './helpers/registry.ts';

describe(`/api/targets (${storageName})`, () => {
  let test: TestDatabase;
  let app: TestClient;

  before(async () => {
    test = await createTestDatabase();
    await loadHuating(test.database.db);
    app = await signedInApp(test.database);
  });
  after(async () => {
    await app.close();
    await test.cleanup();
  });

  it('writes, versions, splits and reads sheets; refuses a birth target with a field-level error', async () => {
    const put = (payload: object) =>
      app.inject({
        method: 'PUT',
        url: '/api/targets/sheets/620881/2025',
        payload,
      });
    const first = await put({
      reason: '年初',
      items: [{ indicator: 'timeliness_rate', direction: 'at_least', target: 90, weight: 60, gate: true }],
    });
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.json().version, 1);
    const refused = await app.inject({
      method: 'PUT',
      url: '/api/targets/sheets/620881/2025?lang=en',
      payload: {
        reason: 'x',
        items: [{ indicator: 'births', direction: 'at_least', target: 900, weight: 1 }],
      },
    });
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.json().error.field, 'items.0.indicator');
    assert.match(refused.json().error.message, /birth quota/);
    const second = await put({
      reason: '调整',
      expectedVersion: 1,
      items: [{ indicator: 'timeliness_rate', direction: 'at_least', target: 95, weight: 60, gate: true }],
    });
    assert.equal(second.json().version, 2);
    const stale = await put({ reason: '旧页面', expectedVersion: 1, items: [] });
    assert.equal(stale.statusCode, 409);
    const versions = await app.inject({ url: '/api/targets/sheets/620881/2025/versions' });
    assert.deepEqual(
      versions.json().items.map((v: { version: number; createdBy: string }) => [v.version, v.createdBy]),
      [
        [2, `user:${app.username}`],
        [1, `user:${app.username}`],
      ],
    );
    const old = await app.inject({ url: '/api/targets/sheets/620881/2025?version=1' });
    assert.equal(old.json().items[0].target, 90);
    // A version no sheet can have (past the 32-bit column) is not there, like version 99 — not a 500.
    for (const version of ['99', '2147483648', '620881100001']) {
      const none = await app.inject({ url: `/api/targets/sheets/620881/2025?version=${version}` });
      assert.equal(none.statusCode, 404, none.body);
      assert.equal(none.json().error.field, 'version');
    }
    const split = await app.inject({
      method: 'POST',
      url: '/api/targets/sheets/620881/2025/split',
      payload: { reason: '分解', overrides: { '620881202': { timeliness_rate: { target: 80 } } } },
    });
    assert.equal(split.statusCode, 200, split.body);
    assert.equal(split.json().items.length, 11);
    const listed = await app.inject({ url: '/api/targets/sheets?unit=620881&year=2025' });
    assert.equal(listed.json().items.length, 12);
  });

  it('answers progress, rankings and assessment with texts in the asked language', async () => {
    const progress = await app.inject({ url: '/api/targets/progress?unit=620881&date=2025-06-30&lang=en' });
    assert.equal(progress.statusCode, 200, progress.body);
    const body = progress.json();
    assert.equal(body.window.period.id, '2025H1');
    assert.equal(body.targets[0].name, 'Timeliness rate');
    assert.equal(body.targets[0].children.length, 11);
    assert.equal(body.ranking.length, 11);
    const rankings = await app.inject({ url: '/api/targets/rankings?unit=620881&date=2025-06-30' });
    assert.equal(rankings.json().byTarget[0].name, '及时率');
    const assessment = await app.inject({ url: '/api/targets/assessment?unit=620881&year=2025' });
    assert.equal(assessment.statusCode, 200, assessment.body);
    assert.equal(assessment.json().units.length, 11);
    assert.equal(
      assessment.json().units.find((u: { unit: string }) => u.unit === '620881202').lines[0].target.target,
      80,
    );
    const indicators = await app.inject({ url: '/api/targets/indicators' });
    const tfr = indicators.json().items.find((i: { id: string }) => i.id === 'total_fertility_rate');
    assert.equal(tfr.allowed, false);
    assert.equal(tfr.basis, 'birth_quota');
  });
});
