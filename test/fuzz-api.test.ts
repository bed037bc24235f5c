import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import type { RouteEntry } from '../src/server/access.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { signedInApp, type TestClient } from './helpers/http.ts';
import { addAdult, contextFor, loadHuating } from './helpers/registry.ts';
import { TROUBLE_STRINGS } from './helpers/trouble-strings.ts';

/**
 * Property-based: malformed bodies, wrong types, huge/unicode/control-character strings, missing
 * and extra fields and odd query strings, thrown at every POST/PUT/PATCH route and every GET route
 * of the real app by a user holding every role. Never a 5xx; every 4xx has the one error shape;
 * a refused request writes nothing. Seeded (FUZZ_SEED) so a failure reproduces.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20251123);
const RUNS = Number(process.env.FUZZ_RUNS ?? 6);

/** Routes a fuzzer must not call: they end the test's own session. */
const SKIP = new Set(['POST /api/auth/logout', 'POST /api/auth/password', 'POST /api/auth/login']);

const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(...TROUBLE_STRINGS, 'x'.repeat(100_000)),
);
const scalar = fc.oneof(
  nasty,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.bigInt().map((n) => n.toString()),
);
/** A JSON-able value of any shape, strings biased towards trouble. */
const value = fc.letrec((tie) => ({
  any: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('arr'), tie('obj')),
  arr: fc.array(tie('any'), { maxLength: 4 }),
  obj: fc.dictionary(
    fc.oneof(nasty, fc.constantFrom('name', 'orgCode', 'id', 'period', 'unit')),
    tie('any'),
    {
      maxKeys: 5,
    },
  ),
})).any;

/** A body: a JSON value, or raw bytes that are not JSON at all. */
const body = fc.oneof(
  value.map((v) => ({ payload: JSON.stringify(v) ?? 'null', contentType: 'application/json' })),
  fc
    .constantFrom(
      '{',
      '{"a":',
      '[1,2',
      '{"name":"\\ud800"}',
      'null',
      '"x"',
      '\u0000',
      '{"__proto__":{"x":1}}',
    )
    .map((raw) => ({ payload: raw, contentType: 'application/json' })),
  fc.string().map((raw) => ({ payload: raw, contentType: 'application/json' })),
  fc.string().map((raw) => ({ payload: raw, contentType: 'text/plain' })),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => ({
    payload: Buffer.from(bytes).toString('latin1'),
    contentType: 'application/octet-stream',
  })),
);

const queryKey = fc.oneof(
  fc.constantFrom(
    'q',
    'unit',
    'period',
    'by',
    'page',
    'limit',
    'offset',
    'year',
    'indicator',
    'lang',
    'status',
  ),
  fc.string({ maxLength: 8 }),
);
/** A raw query string: repeated keys, brackets, stray % and &. */
const query = fc.oneof(
  fc.constant(''),
  fc
    .array(fc.tuple(queryKey, nasty), { maxLength: 4 })
    .map((pairs) =>
      pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v.slice(0, 200))}`).join('&'),
    ),
  fc.constantFrom(
    'a=%',
    '%zz',
    '&&&',
    'q[]=1&q[]=2',
    'limit=-5',
    'limit=99999999999',
    'page=1.5',
    'lang=xx',
    '=1',
  ),
);
const pathParam = fc.oneof(
  fc.constantFrom('1', '0', '-1', 'abc', '99999999999999999999', '620881100001', '%00', '%E4%BA%BA'),
  fc.string({ minLength: 1, maxLength: 30 }).map(encodeURIComponent),
);

describe(`fuzzing the HTTP API: never a 5xx, one error shape, no partial write (${storageName})`, () => {
  let test: TestDatabase;
  let client: TestClient;
  let routes: RouteEntry[];
  let zhang: Awaited<ReturnType<typeof addAdult>>;
  let li: Awaited<ReturnType<typeof addAdult>>;

  before(async () => {
    test = await createTestDatabase();
    await loadHuating(test.database.db);
    const context = contextFor(test.database.db);
    zhang = await addAdult(context, { name: '张三', sex: 'male', birthDate: '1980-05-01' });
    li = await addAdult(context, { name: '李四', sex: 'female', birthDate: '1985-07-09' });
    client = await signedInApp(test.database);
    await client.app.ready();
    routes = client.app.routeTable.filter(
      (r) =>
        ['GET', 'POST', 'PUT', 'PATCH'].includes(r.method) &&
        r.url.startsWith('/api/') &&
        !SKIP.has(`${r.method} ${r.url}`),
    );
  });
  after(async () => {
    await client?.close();
    await test?.cleanup();
  });

  /** Rows of the tables a refused request must not touch. */
  async function counts(): Promise<string> {
    const result = await sql<Record<string, string>>`
      select (select count(*) from person) as person,
             (select count(*) from person_version) as person_version,
             (select count(*) from vital_event) as vital_event,
             (select count(*) from work_task) as work_task,
             (select count(*) from residence_spell) as residence_spell`.execute(test.database.db);
    return JSON.stringify(result.rows[0]);
  }

  function assertErrorShape(response: LightMyRequestResponse, label: string) {
    let parsed: unknown;
    try {
      parsed = response.json();
    } catch {
      assert.fail(`${label}: ${response.statusCode} body is not JSON: ${response.body.slice(0, 200)}`);
    }
    const error = (parsed as { error?: Record<string, unknown> }).error;
    assert.ok(
      error && typeof error === 'object',
      `${label}: no error object: ${response.body.slice(0, 300)}`,
    );
    assert.equal(typeof error.code, 'string', `${label}: error.code`);
    assert.ok('field' in error, `${label}: error.field`);
    assert.equal(typeof error.message, 'string', `${label}: error.message`);
    const messages = error.messages as Record<string, unknown>;
    assert.ok(
      messages && typeof messages['zh-CN'] === 'string' && typeof messages.en === 'string',
      `${label}: error.messages in both languages: ${response.body.slice(0, 300)}`,
    );
    assert.ok(Array.isArray(error.issues), `${label}: error.issues`);
  }

  /** Sends one request and checks the properties; returns whether it was refused. */
  async function check(request: InjectOptions, label: string): Promise<void> {
    const before = await counts();
    const response = await client.inject(request);
    const where = `${label} ${String(request.url).slice(0, 200)}`;
    assert.ok(response.statusCode < 500, `${where}: ${response.statusCode} ${response.body.slice(0, 500)}`);
    if (response.statusCode >= 400) {
      assertErrorShape(response, where);
      assert.equal(await counts(), before, `${where}: a refused request changed the registry`);
    }
  }

  const fill = (url: string, params: string[]) => {
    let i = 0;
    return url.replace(/:(\w+)/g, () => params[i++ % params.length] ?? '1').replace('*', 'x');
  };

  /** Runs a property per route, collecting every route's failure rather than stopping at the first. */
  async function eachRoute(list: RouteEntry[], property: (route: RouteEntry) => Promise<void>) {
    const failures: string[] = [];
    for (const route of list) {
      try {
        await property(route);
      } catch (error) {
        const cause = (error as Error).cause as Error | undefined;
        failures.push(
          `${(cause ?? (error as Error)).message.split('\n')[0]}\n  ${(error as Error).message.split('\n').find((l) => l.includes('Counterexample')) ?? ''}`,
        );
      }
    }
    assert.deepEqual(failures, [], `${failures.length} routes failed:\n${failures.join('\n')}`);
  }

  it('answers malformed bodies and query strings on every write route with a 4xx, never a 5xx', async () => {
    const writes = routes.filter((r) => r.method !== 'GET');
    assert.ok(writes.length > 15, `${writes.length} write routes`);
    await eachRoute(writes, async (route) => {
      const label = `${route.method} ${route.url}`;
      await fc.assert(
        fc.asyncProperty(
          body,
          query,
          fc.array(pathParam, { minLength: 1, maxLength: 3 }),
          async (b, q, params) => {
            await check(
              {
                method: route.method as InjectOptions['method'],
                url: `${fill(route.url, params)}${q ? `?${q}` : ''}`,
                payload: b.payload,
                headers: { 'content-type': b.contentType },
              },
              label,
            );
          },
        ),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    });
  });

  it('answers odd query strings and path parameters on GET routes without a 5xx', async () => {
    const reads = routes.filter((r) => r.method === 'GET');
    await eachRoute(reads, async (route) => {
      const label = `${route.method} ${route.url}`;
      await fc.assert(
        fc.asyncProperty(query, fc.array(pathParam, { minLength: 1, maxLength: 3 }), async (q, params) => {
          await check({ method: 'GET', url: `${fill(route.url, params)}${q ? `?${q}` : ''}` }, label);
        }),
        { seed: SEED, numRuns: Math.max(2, Math.floor(RUNS / 2)), endOnFailure: true },
      );
    });
  });

  it('refuses a unit named with a NUL byte (%00) with a 4xx, not a 500 from the audit log', async () => {
    const response = await client.inject({ method: 'GET', url: '/api/targets/sheets/%00/2025' });
    assert.ok(response.statusCode >= 400 && response.statusCode < 500, response.body);
    assertErrorShape(response, 'GET /api/targets/sheets/%00/2025');
  });

  /** A 400 whose one issue has this code at this field, with the message in both languages. */
  async function refusedAt(request: InjectOptions, code: string, field: string) {
    const zh = await client.inject(request);
    assert.equal(zh.statusCode, 400, zh.body);
    assertErrorShape(zh, String(request.url));
    const error = zh.json().error;
    assert.equal(error.field, field);
    assert.deepEqual(
      error.issues.map((i: { code: string; field: string }) => [i.code, i.field]),
      [[code, field]],
    );
    const en = await client.inject({ ...request, headers: { ...request.headers, 'accept-language': 'en' } });
    return { zh: error.message as string, en: en.json().error.message as string };
  }

  it('refuses a NUL character in a query string or a JSON body at its field, in Chinese and English', async () => {
    // PostgreSQL text cannot hold U+0000: these reached the database and came back as 500s.
    const before = await counts();
    assert.deepEqual(await refusedAt({ url: '/api/audit-log?actor=%00' }, 'nul_character', 'actor'), {
      zh: '字段 actor 含有空字符（U+0000），请删去后重试',
      en: 'Field actor contains a NUL character (U+0000); remove it and try again',
    });
    await refusedAt({ url: '/api/services?unit=620881&kind=a%00b' }, 'nul_character', 'kind');
    await refusedAt(
      {
        method: 'POST',
        url: '/api/deaths',
        payload: { personId: zhang.id, deathDate: '2025-05-01', cause: '病\u0000' },
      },
      'nul_character',
      'cause',
    );
    await refusedAt(
      {
        method: 'POST',
        url: '/api/births',
        payload: { motherId: li.id, child: { name: '李\u0000', sex: 'male', birthDate: '2025-05-01' } },
      },
      'nul_character',
      'child.name',
    );
    assert.equal(await counts(), before, 'nothing written');
  });

  it('a NUL in an imported file is reported on its row, not a refusal of the whole file', async () => {
    const idNumber = (
      await test.database.db
        .selectFrom('person')
        .select('id_number')
        .where('id', '=', li.id)
        .executeTakeFirstOrThrow()
    ).id_number;
    const csv = [
      'kind,id_number,related_id_number,service_date,provider,outcome_code,consent,quantity,import_key',
      `counselling,${idNumber},,2025-06-01,乡镇卫生院\u0000,given,是,,nul-1`,
      `counselling,${idNumber},,2025-06-02,乡镇卫生院,given,是,,nul-2`,
    ].join('\n');
    const response = await client.inject({
      method: 'POST',
      url: '/api/services/import',
      headers: { 'content-type': 'text/csv' },
      payload: csv,
    });
    assert.equal(response.statusCode, 200, response.body);
    const report = response.json();
    assert.deepEqual([report.ok, report.rejected], [1, 1]);
    assert.deepEqual(
      report.rows[0].issues.map((i: { code: string; field: string }) => [i.code, i.field]),
      [['invalid_characters', 'provider']],
    );
  });

  it('refuses a number past ±(2^53 − 1), or not finite, at its field, naming the range its schema allows: the schema lets "1e309" and 1e20 through', async () => {
    const before = await counts();
    // The offset's schema allows 0 to 10000: the message says so, not ±(2^53 − 1).
    const offset = await refusedAt({ url: '/api/persons?q=x&offset=1e309' }, 'out_of_range', 'offset');
    assert.deepEqual(offset, {
      zh: '字段 offset 的数值超出范围（应在 0 到 10000 之间）',
      en: 'Field offset is out of range (it must be from 0 to 10000)',
    });
    // A version has a minimum (1) but no maximum: the bound past it is the one every number has.
    const version = await refusedAt(
      { url: '/api/targets/sheets/620881/2025?version=1e309' },
      'out_of_range',
      'version',
    );
    assert.deepEqual(version, {
      zh: '字段 version 的数值超出范围（绝对值不能大于 9007199254740991）',
      en: 'Field version is out of range (at most 9007199254740991 either way)',
    });
    const sheets = await refusedAt(
      { url: '/api/targets/sheets?unit=620881&year=-1e309' },
      'out_of_range',
      'year',
    );
    assert.deepEqual(sheets, {
      zh: '字段 year 的数值超出范围（应在 2000 到 2100 之间）',
      en: 'Field year is out of range (it must be from 2000 to 2100)',
    });
    // A person id has no upper bound but the one every id has.
    const person = await refusedAt(
      { url: '/api/services?unit=620881&personId=1e20' },
      'out_of_range',
      'personId',
    );
    assert.match(person.en, /at most 9007199254740991 either way/);
    await refusedAt({ url: '/api/tasks?unit=620881&offset=99999999999999999999' }, 'out_of_range', 'offset');
    await refusedAt(
      {
        method: 'POST',
        url: '/api/births',
        payload: {
          motherId: li.id,
          fatherId: 1e20,
          child: { name: '李五', sex: 'male', birthDate: '2025-05-01' },
        },
      },
      'out_of_range',
      'fatherId',
    );
    assert.equal(await counts(), before, 'nothing written');
  });

  it('answers an address the router refuses (a broken %-escape, an over-long parameter) in the one error shape', async () => {
    for (const [url, status] of [
      ['/api/api-tokens/%zz', 400],
      ['/api/persons/1%E4', 400],
      [`/api/api-tokens/${'9'.repeat(200)}`, 414],
    ] as const) {
      const response = await client.inject({ method: url.includes('tokens') ? 'DELETE' : 'GET', url });
      assert.equal(response.statusCode, status, `${url}: ${response.body}`);
      assertErrorShape(response, url);
      assert.equal(response.json().error.code, 'invalid_input');
    }
  });

  it('answers a well-formed JSON body with wrong types in known fields with a 400 and the field named', async () => {
    const response = await client.inject({
      method: 'POST',
      url: '/api/households?unit=620881100001',
      payload: { members: 42, orgCode: {}, extra: '\u0000' },
    });
    assert.equal(response.statusCode, 400, response.body);
    assertErrorShape(response, 'POST /api/households');
  });
});
