import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { signedInApp, type TestClient } from './helpers/http.ts';
import { addAdult, contextFor, loadHuating } from './helpers/registry.ts';

describe(`dedupe and completeness HTTP API (${storageName})`, () => {
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

  it('finds a duplicate, merges it into the kept record and undoes the merge', async () => {
    const ctx = contextFor(test.database.db);
    const a = await addAdult(ctx, { name: '上官婉儿', sex: 'female', birthDate: '1988-08-08' });
    const b = await addAdult(ctx, { name: '上官宛儿', sex: 'female', birthDate: '1988-08-08' });
    const given = '一二三四五六七八九十';
    for (let i = 0; i < 30; i++) {
      await addAdult(ctx, {
        name: `王${given[i % 10]}${given[Math.floor(i / 10)]}`,
        sex: i % 2 ? 'male' : 'female',
        birthDate: `19${60 + i}-0${(i % 9) + 1}-1${i % 9}`,
      });
    }
    const run = await app.inject({ method: 'POST', url: '/api/dedupe/runs', payload: { unit: '620881' } });
    assert.equal(run.statusCode, 201, run.body);
    assert.ok(run.json().persons >= 32);
    // The report counts both tiers: suggested merges from 0.95, possible duplicates from 0.5.
    assert.equal(run.json().suggestFrom, 0.95);
    assert.equal(run.json().possibleFrom, 0.5);
    assert.equal(
      run.json().tasksCreated + run.json().possibleTasksCreated,
      run.json().suggestions + run.json().possible,
    );
    const rerun = await app.inject({ method: 'POST', url: '/api/dedupe/runs', payload: { unit: '620881' } });
    assert.deepEqual(
      [rerun.json().tasksCreated, rerun.json().possibleTasksCreated, rerun.json().tasksUpdated],
      [0, 0, 0],
      'a re-run writes nothing',
    );

    const merge = await app.inject({
      method: 'POST',
      url: `/api/persons/${a.id}/merge`,
      payload: { dropId: b.id, keepVersion: a.version, dropVersion: b.version, reason: '同一人' },
    });
    assert.equal(merge.statusCode, 201, merge.body);
    assert.equal(merge.json().dropped.status, 'merged');
    const stale = await app.inject({
      method: 'POST',
      url: `/api/persons/${a.id}/merge`,
      payload: { dropId: b.id, keepVersion: a.version, dropVersion: b.version, reason: '再来' },
    });
    assert.equal(stale.statusCode, 409, 'a merged record cannot be merged again');

    const undo = await app.inject({
      method: 'POST',
      url: `/api/merges/${merge.json().mergeId}/undo`,
      payload: { reason: '不是同一人' },
    });
    assert.equal(undo.statusCode, 200, undo.body);
    const again = await app.inject({
      method: 'POST',
      url: `/api/merges/${merge.json().mergeId}/undo`,
      payload: { reason: '再撤销' },
    });
    assert.equal(again.statusCode, 409);
  });

  it('answers the completeness of a county and year, and takes the bureau’s figure', async () => {
    const put = await app.inject({
      method: 'PUT',
      url: '/api/completeness/official',
      payload: { unit: '620881100', year: 2024, births: 12, source: '统计公报' },
    });
    assert.equal(put.statusCode, 200, put.body);
    const response = await app.inject({ url: '/api/completeness?unit=620881&year=2024' });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.equal(body.rows.length, 11);
    assert.equal(body.rows.find((r: { unit: string }) => r.unit === '620881100').official.births, 12);
    const bad = await app.inject({ url: '/api/completeness?unit=620881100001&year=2024' });
    assert.equal(bad.statusCode, 400);
  });
});
