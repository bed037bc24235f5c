import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { signedInApp, type TestClient } from './helpers/http.ts';
import { addAdult, contextFor, loadHuating } from './helpers/registry.ts';

/**
 * A date in a query string that is not a calendar day — not a date at all, 30 February, month
 * 13 — is refused at its field in both languages. These used to reach the database's date cast
 * and come back as a 500 (or, for the report's signing date, be printed on the report).
 */
describe(`dates and periods in query strings (${storageName})`, () => {
  let test: TestDatabase;
  let client: TestClient;
  let personId: number;

  before(async () => {
    test = await createTestDatabase();
    await loadHuating(test.database.db);
    personId = (
      await addAdult(contextFor(test.database.db), { name: '郑日期', sex: 'female', birthDate: '1990-05-01' })
    ).id;
    client = await signedInApp(test.database);
  });
  after(async () => {
    await client?.close();
    await test?.cleanup();
  });

  /** Each route with a date in its query string, the date's field, and the URL with it set to `value`. */
  const routes: [label: string, field: string, url: (value: string) => string][] = [
    ['search, born from', 'birthFrom', (v) => `/api/persons?q=${encodeURIComponent('郑')}&birthFrom=${v}`],
    ['search, born up to', 'birthTo', (v) => `/api/persons?q=${encodeURIComponent('郑')}&birthTo=${v}`],
    ['a person as known on', 'date', (v) => `/api/persons/${personId}/as-of?date=${v}`],
    ['population on', 'date', (v) => `/api/population?unit=620881&date=${v}`],
    ['a report signed on', 'date', (v) => `/api/reports?unit=620881&period=2025&format=json&date=${v}`],
    ['activities from', 'from', (v) => `/api/activities?unit=620881&from=${v}`],
    ['activities to', 'to', (v) => `/api/activities?unit=620881&to=${v}`],
    ['target progress on', 'date', (v) => `/api/targets/progress?unit=620881&date=${v}`],
    ['target rankings on', 'date', (v) => `/api/targets/rankings?unit=620881&date=${v}`],
    ['service records from', 'from', (v) => `/api/services?unit=620881&from=${v}`],
  ];

  for (const [label, field, url] of routes) {
    it(`${label}: a day that does not exist is refused at ${field}, in Chinese and English`, async () => {
      for (const bad of ['abc', '2025-02-30', '2025-13-01', '20250101', '0000-06-30']) {
        const zh = await client.inject(url(bad));
        assert.equal(zh.statusCode, 400, `${bad}: ${zh.body.slice(0, 200)}`);
        const error = zh.json().error;
        assert.equal(error.code, 'invalid_input');
        assert.equal(error.field, field);
        assert.equal(error.message, `字段 ${field} 应为有效日期（YYYY-MM-DD）`);
        const en = await client.inject({ url: url(bad), headers: { 'accept-language': 'en' } });
        assert.equal(en.json().error.message, `Field ${field} must be a valid date (YYYY-MM-DD)`);
      }
      // The same request with a real date (29 February of a leap year) gets past the check.
      const good = await client.inject(url('2024-02-29'));
      assert.notEqual(good.statusCode, 400, good.body.slice(0, 200));
      assert.ok(good.statusCode < 500, good.body.slice(0, 200));
    });
  }

  it('a period in a year no calendar has (0000) is refused at period, not answered with a 500', async () => {
    for (const url of [
      '/api/indicators/values?unit=620881&period=0000',
      '/api/indicators/births?unit=620881&period=0000Q1',
      '/api/benefits/screen?programme=childcare-subsidy&period=0000',
      '/api/benefits/spending?unit=620881&period=0000-01',
    ]) {
      const response = await client.inject(url);
      assert.equal(response.statusCode, 400, `${url}: ${response.body.slice(0, 200)}`);
      assert.equal(response.json().error.field, 'period', url);
    }
    const good = await client.inject('/api/indicators/values?unit=620881&period=2025');
    assert.equal(good.statusCode, 200);
  });

  it('a date and time in a year no database holds (0000) is refused at its field, not answered with a 500', async () => {
    for (const field of ['from', 'to']) {
      const response = await client.inject(`/api/audit-log?${field}=0000-01-01T00:00:00Z`);
      assert.equal(response.statusCode, 400, response.body.slice(0, 200));
      assert.equal(response.json().error.field, field);
      assert.equal(
        response.json().error.message,
        `字段 ${field} 应为日期时间（如 2025-07-01T08:00:00+08:00）`,
      );
    }
    const token = await client.inject({
      method: 'POST',
      url: '/api/api-tokens',
      headers: { 'accept-language': 'en' },
      payload: { name: '医院', scopes: ['feeds.ingest'], unit: '620881', expiresAt: '0000-12-31T00:00:00Z' },
    });
    assert.equal(token.statusCode, 400, token.body);
    assert.equal(token.json().error.field, 'expiresAt');
    assert.equal(
      token.json().error.message,
      'Field expiresAt must be a date and time (e.g. 2025-07-01T08:00:00+08:00)',
    );
    const good = await client.inject('/api/audit-log?from=2025-01-01T00:00:00Z');
    assert.equal(good.statusCode, 200);
  });

  it('every date in a query string is checked as a date', async () => {
    // A guard for routes added later: a query parameter named like a date carries format date
    // (or date-time), which is what turns a bad value into the field-level refusal above.
    const spec = client.app.swagger() as {
      paths: Record<
        string,
        Record<string, { parameters?: { in: string; name: string; schema: { format?: string } }[] }>
      >;
    };
    const unchecked: string[] = [];
    let dates = 0;
    for (const [path, operations] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const parameter of operation.parameters ?? []) {
          if (parameter.in !== 'query' || !/^(date|from|to|asOf)$|(Date|From|To)$/.test(parameter.name))
            continue;
          dates += 1;
          if (!['date', 'date-time'].includes(parameter.schema.format ?? ''))
            unchecked.push(`${method.toUpperCase()} ${path} ?${parameter.name}`);
        }
      }
    }
    assert.deepEqual(unchecked, []);
    assert.ok(dates >= routes.length, `${dates} date parameters found`);
  });

  it('other schema checks speak Chinese by default and English on request', async () => {
    const zh = await client.inject('/api/persons?q=x&sex=other');
    assert.equal(zh.statusCode, 400);
    assert.equal(zh.json().error.field, 'sex');
    assert.equal(zh.json().error.message, '字段 sex 应为以下之一：male、female');
    const en = await client.inject({ url: '/api/persons?q=x&limit=0', headers: { 'accept-language': 'en' } });
    assert.equal(en.json().error.field, 'limit');
    assert.equal(en.json().error.message, 'Field limit must be at least 1');
    const missing = await client.inject('/api/population?unit=620881');
    assert.equal(missing.json().error.field, 'date');
    assert.equal(missing.json().error.message, '缺少字段 date');
  });
});
