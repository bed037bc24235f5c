import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { applyForBenefit, decideEntitlement, runPaymentBatch } from '../src/benefits/index.ts';
import { mergePersons } from '../src/registry/commands/merge-persons.ts';
import type { CommandContext } from '../src/registry/context.ts';
import { registerBirth, registerDeath, registerMarriage } from '../src/registry/index.ts';
import type { RouteEntry } from '../src/server/access.ts';
import { SERVICE_CSV_HEADER } from '../src/services/import-services.ts';
import { recordService } from '../src/services/record-service.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { createTestUser, signedInApp, signIn, TEST_PASSWORD, type TestClient } from './helpers/http.ts';
import { csvOf, person } from './helpers/import-rows.ts';
import { buildMatrixFixtures, type MatrixFixtures } from './helpers/matrix-fixtures.ts';
import { addAdult, contextFor, loadHuating, OTHER_VILLAGE, VILLAGE } from './helpers/registry.ts';

/**
 * A valid request with one bad field. The random requests of fuzz-api.test.ts rarely carry a
 * route's required parameters with valid values, so schema validation refuses them before the
 * route's own code runs. Here every GET route (read from the app's OpenAPI document) gets a
 * request that is answered — its required parameters hold valid values for 华亭市 (620881) and
 * ids of real rows — and then each parameter in turn takes each value of a list of bad ones; every
 * write route with a body that is cheap to build gets the same for each field of the body (and
 * each field one level down), with bad values of every JSON type. Never a 5xx; every refusal has
 * the one error shape; a refused request writes nothing. Deterministic: fixed lists, no seed.
 */

import { TROUBLE_STRINGS } from './helpers/trouble-strings.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Bad values for a query-string or path parameter (sent URL-encoded). */
const QUERY_VALUES = [...TROUBLE_STRINGS, 'x'.repeat(1000)];

/** Path parameters sent as they are, not encoded: escapes that decode to nothing. */
const RAW_PATH_VALUES = ['%zz', '%E4%BA', '%'];

/** A JSON number written out as is (JSON.stringify would round 9007199254740993 or refuse 1e400). */
class RawNumber {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** Bad values of every JSON type for a body field. */
const BODY_VALUES: unknown[] = [
  '',
  ' ',
  'a\u0000b',
  '\u202e人口\r\n',
  '𠀀𠀁',
  '中文',
  "' or 1=1 --",
  '0000',
  '0000-06-30',
  '0000-01-01T00:00:00Z',
  '2025-02-30',
  '9999-12-31',
  '-1',
  '2147483648',
  '9007199254740993',
  '1e20',
  'x'.repeat(1000),
  0,
  -1,
  1.5,
  2147483648,
  new RawNumber('9007199254740993'),
  new RawNumber('-1e20'),
  new RawNumber('1e400'),
  null,
  true,
  { a: { b: [1] } },
  ['x', 1],
];

/**
 * The values for a field one level down (a birth's child.name, a sheet's items.0.target): one or
 * two of each kind above — the nested objects are built by the same code as the top level, and
 * the whole list for every one of them would double the test's time.
 */
const NESTED_VALUES: unknown[] = [
  '',
  'a\u0000b',
  '中文',
  '0000-06-30',
  '2147483648',
  'x'.repeat(1000),
  -1,
  2147483648,
  new RawNumber('9007199254740993'),
  new RawNumber('1e400'),
  null,
  true,
  { a: { b: [1] } },
  ['x', 1],
];

/** A body as JSON text, RawNumbers written as they are. */
function serialize(body: unknown): string {
  const raws: string[] = [];
  const json = JSON.stringify(body, (_key, value) => {
    if (value instanceof RawNumber) {
      raws.push(value.text);
      return `@@raw:${raws.length - 1}@@`;
    }
    return value;
  });
  return json.replace(/"@@raw:(\d+)@@"/g, (_, i: string) => raws[Number(i)]!);
}

const describeValue = (value: unknown) => {
  const text = value instanceof RawNumber ? value.text : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 12)}…(${text.length})` : text;
};

/** Valid values of required query parameters, by name, for 华亭市 in 2025. */
const QUERY_BASE: Record<string, string> = {
  unit: '620881',
  county: '620881',
  period: '2025',
  date: '2025-06-30',
  year: '2025',
  q: '王',
  programme: 'childcare-subsidy',
  paths: '/api/tasks',
  filename: 'persons.csv',
  source: 'birth_certificate',
  reason: '测试',
};

interface OpenApiParameter {
  in: 'query' | 'path';
  name: string;
  required?: boolean;
  schema: Record<string, unknown>;
}
interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}
interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
}

describe(`one bad field in an otherwise valid request: never a 5xx, one error shape, no partial write (${storageName})`, () => {
  let test: TestDatabase;
  let client: TestClient;
  let ctx: CommandContext;
  let fixtures: MatrixFixtures;
  let spec: { paths: Record<string, Record<string, OpenApiOperation>> };
  let routes: RouteEntry[];
  /**
   * What a refused request must leave alone: every table but the audit log, the users and sessions
   * but a session's last-seen time (and a user's wrong-password count, which a wrong password moves).
   */
  let fingerprintQuery: string;
  let paymentBatch: number;

  let adults = 0;
  /** A new adult in VILLAGE (a woman unless told), for commands that use a person up. */
  const newAdult = async (sex: 'male' | 'female' = 'female', birthDate?: string) => {
    adults += 1;
    const digits = [...String(adults)].map((d) => '零一二三四五六七八九'[Number(d)]).join('');
    // Born on a day of their own (1980–1999): ID numbers of one birth date run out after 500.
    const born =
      birthDate ??
      `${1980 + (adults % 20)}-${String((adults % 12) + 1).padStart(2, '0')}-${String((adults % 28) + 1).padStart(2, '0')}`;
    return addAdult(ctx, { name: `测试${digits}`, sex, birthDate: born });
  };
  /** A child under 3 with a mother of their own, and the child's application for the childcare subsidy. */
  const newApplication = async () => {
    const mother = await newAdult();
    const born = await registerBirth(ctx, {
      child: { name: '小测试', sex: 'female', birthDate: '2024-09-10' },
      motherId: mother.id,
    });
    const applied = await applyForBenefit(ctx, {
      programmeId: 'childcare-subsidy',
      personId: born.person.id,
      period: '2025',
    });
    return { child: born.person.id, entitlement: Number(applied.id) };
  };
  /** A new approved entitlement, paid in a new batch for 2025H1 (the earlier ones are paid already). */
  const newPayment = async () => {
    const { entitlement: id } = await newApplication();
    await decideEntitlement(ctx, { id, action: 'review', note: null });
    await decideEntitlement(ctx, { id, action: 'approve', note: null });
    const result = await runPaymentBatch(ctx, {
      countyCode: '620881',
      programmeId: 'childcare-subsidy',
      period: '2025H1',
    });
    const line = await test.database.db
      .selectFrom('payment_line')
      .select('id')
      .where('batch_id', '=', Number(result.batchId))
      .where('entitlement_id', '=', id)
      .executeTakeFirstOrThrow();
    return { batch: Number(result.batchId), line: Number(line.id) };
  };

  before(async () => {
    test = await createTestDatabase();
    await loadHuating(test.database.db);
    ctx = contextFor(test.database.db);
    fixtures = await buildMatrixFixtures(test.database);
    client = await signedInApp(test.database);
    await client.app.ready();
    spec = client.app.swagger() as typeof spec;
    routes = client.app.routeTable.filter((r) => r.url.startsWith('/api/'));
    paymentBatch = (await newPayment()).batch;
    // Deaths at 85+ in the projection's base year, without which it has no life table to use.
    for (const sex of ['female', 'male'] as const) {
      const elder = await newAdult(sex, '1930-01-01');
      await registerDeath(ctx, { personId: elder.id, deathDate: '2024-06-10' });
    }
    // The matrix fixtures' feed batch is a bare row with no columns, which no upload makes: linking
    // any batch of the county reads it (src/feeds/link-feed-batch.ts). This test uploads real ones.
    await sql`DELETE FROM feed_batch WHERE id = ${fixtures.ids.feedBatch}`.execute(test.database.db);
    const sheet = await client.inject({
      method: 'PUT',
      url: '/api/targets/sheets/620881/2025',
      payload: {
        reason: '年初',
        items: [{ indicator: 'timeliness_rate', direction: 'at_least', target: 90, weight: 60 }],
      },
    });
    assert.equal(sheet.statusCode, 200, sheet.body);

    const tables = await sql<{ name: string }>`
      SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
      ORDER BY table_name`.execute(test.database.db);
    // The audit log is written by refusals on purpose (a denied or failed attempt is recorded), and
    // the users, sessions and tokens are read-modify-written by every request: those four are
    // fingerprinted by their contents below instead of by row version.
    const untouched = tables.rows
      .map((t) => t.name)
      .filter((name) => !/^(audit_log|audit_head|user_session|api_token|app_user|kysely_.*)$/.test(name));
    /** The rows' contents in these columns, in key order: any insert, delete or change to them changes it. */
    const contents = (name: string, table: string, columns: string[], key: string) =>
      `'${name}:' || (SELECT count(*) || '/' || coalesce(md5(string_agg(ROW(${columns.join(', ')})::text, '|' ORDER BY ${key})), '-') FROM ${table})`;
    fingerprintQuery = `SELECT ${[
      ...untouched.map(
        (t) => `'${t}:' || (SELECT count(*) || '/' || coalesce(max(xmin::text::bigint), 0) FROM ${t})`,
      ),
      // A user's password hash, name, status and the forced change: no refusal may touch them. (Their
      // roles and units are user_role, fingerprinted with the other tables.)
      contents(
        'app_user',
        'app_user',
        [
          'id',
          'username',
          'display_name',
          'password_hash',
          'status',
          'must_change_password',
          'password_changed_at',
          'created_at',
          'created_by',
        ],
        'id',
      ),
      // The wrong-password count and the lock: a sign-in refused for a wrong password writes them.
      contents('app_user.sign_in_failures', 'app_user', ['id', 'failed_logins', 'locked_until'], 'id'),
      // Every column of a session but last_seen_at, which any request on it may move (once a minute):
      // a refused sign-out or password change leaves the session open and the others unrevoked.
      contents(
        'user_session',
        'user_session',
        ['token_hash', 'user_id', 'csrf_token', 'created_at', 'expires_at', 'revoked_at', 'ip', 'user_agent'],
        'token_hash',
      ),
      // Every column of a token but last_used_at, named for what using it would move.
      contents(
        'api_token',
        'api_token',
        [
          'id',
          'name',
          'token_hash',
          'scopes',
          'unit_code',
          'created_at',
          'created_by',
          'expires_at',
          'revoked_at',
        ],
        'id',
      ),
    ].join(` || ' ' || `)} AS f`;
  });
  after(async () => {
    await client?.close();
    await test?.cleanup();
  });

  /** Row counts and the newest row version of every table: any insert, update or delete changes it. */
  async function fingerprint(): Promise<string> {
    return (await test.database.withSession((s) => s.query<{ f: string }>(fingerprintQuery, [])))[0]!.f;
  }

  function errorShapeProblem(response: LightMyRequestResponse): string | undefined {
    let parsed: { error?: Record<string, unknown> };
    try {
      parsed = response.json();
    } catch {
      return `body is not JSON: ${response.body.slice(0, 200)}`;
    }
    const error = parsed.error;
    if (!error || typeof error !== 'object') return `no error object: ${response.body.slice(0, 300)}`;
    const messages = error.messages as Record<string, unknown> | undefined;
    if (
      typeof error.code !== 'string' ||
      !('field' in error) ||
      typeof error.message !== 'string' ||
      typeof messages?.['zh-CN'] !== 'string' ||
      typeof messages?.en !== 'string' ||
      !Array.isArray(error.issues)
    )
      return `not the one error shape: ${response.body.slice(0, 300)}`;
    return undefined;
  }

  /** The field and every issue's field of an error answer. */
  function fieldPaths(response: LightMyRequestResponse): string[] {
    try {
      const error = response.json().error as { field?: unknown; issues?: { field?: unknown }[] } | undefined;
      return [
        error?.field,
        ...(Array.isArray(error?.issues) ? error.issues.map((issue) => issue?.field) : []),
      ].filter((field): field is string => typeof field === 'string');
    } catch {
      return [];
    }
  }

  /** Tables a refusal writes by design, by name in the fingerprint, or as told by the answer. */
  type RefusalWrites = string[] | ((response: LightMyRequestResponse) => string[]);

  /**
   * Sends requests and collects what went wrong with each. The registry's state is fingerprinted
   * after every answer: a refusal must leave it as the last answer did. A prober for reads
   * (`writes: false`) fingerprints once per group of requests instead: no read writes, whether
   * answered or refused (the logs of reads and sessions aside).
   */
  function prober(options: { writes: boolean } = { writes: true }) {
    const failures: string[] = [];
    let known: string | undefined;
    return {
      failures,
      async send(
        request: InjectOptions,
        label: string,
        refusalWrites: RefusalWrites = [],
      ): Promise<LightMyRequestResponse> {
        known ??= await fingerprint();
        const response = await client.inject(request);
        const status = response.statusCode;
        if (status >= 500) failures.push(`${label}: ${status} ${response.body.slice(0, 300)}`);
        if (status >= 400) {
          const problem = errorShapeProblem(response);
          if (problem) failures.push(`${label}: ${status} ${problem}`);
        }
        // A value quoted in a message is shown as written, never as JavaScript's name for an object.
        if (response.body.includes('[object Object]'))
          failures.push(`${label}: ${status} says [object Object]: ${response.body.slice(0, 300)}`);
        // One spelling of a field path, the schema's: 'items.0.target', never 'items[0].target'.
        if (status >= 400) {
          const bracketed = fieldPaths(response).filter((field) => field.includes('['));
          if (bracketed.length)
            failures.push(`${label}: ${status} field paths with brackets: ${bracketed.join(', ')}`);
        }
        if (options.writes) {
          const now = await fingerprint();
          const allowed = typeof refusalWrites === 'function' ? refusalWrites(response) : refusalWrites;
          const other = (f: string) =>
            f
              .split(' ')
              .filter((t) => !allowed.includes(t.split(':')[0]!))
              .join(' ');
          if (status >= 400 && other(now) !== other(known))
            failures.push(`${label}: refused with ${status} but wrote`);
          known = now;
        }
        return response;
      },
      /** For reads: the requests since the last check wrote nothing. */
      async unchanged(label: string) {
        const now = await fingerprint();
        if (known !== undefined && now !== known) failures.push(`${label}: a read wrote`);
        known = now;
      },
      /** The test itself wrote (new rows for the next valid request): that is the state to keep now. */
      resync() {
        known = undefined;
      },
      check() {
        assert.deepEqual(failures, [], `${failures.length} bad answers:\n${failures.join('\n')}`);
      },
    };
  }

  const operationOf = (route: RouteEntry): OpenApiOperation => {
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    const operation = spec.paths[path]?.[route.method.toLowerCase()];
    assert.ok(operation, `${route.method} ${route.url} is in the OpenAPI document`);
    return operation;
  };

  /** Path parameters of real rows, by route (ids) or by name (units, years, codes). */
  function pathValues(route: RouteEntry): Record<string, string> {
    const ids = fixtures.ids;
    const byRoute: Record<string, number | string> = {
      '/api/persons/:id': ids.person,
      '/api/persons/:id/history': ids.person,
      '/api/persons/:id/as-of': ids.person,
      '/api/imports/:id': ids.importBatch,
      '/api/imports/:id/quarantine': ids.importBatch,
      '/api/imports/:id/quarantine/file': ids.importBatch,
      '/api/indicators/:id': 'crude_birth_rate',
      '/api/indicators/:id/records': 'crude_birth_rate',
      '/api/benefits/batches/:id/bank-file': paymentBatch,
      '/api/reports/runs/:id/diff': ids.reportRun,
      '/api/audits/:id': ids.audit,
      '/api/audits/:id/households': ids.audit,
      '/api/audits/:id/sheet': ids.audit,
      '/api/households/:id': ids.household,
    };
    const values: Record<string, string> = {};
    for (const [, name] of route.url.matchAll(/:(\w+)/g)) {
      const value =
        name === 'id' ? byRoute[route.url] : { unit: '620881', year: '2025', code: '620881' }[name!];
      assert.ok(value !== undefined, `a valid :${name} for ${route.method} ${route.url}`);
      values[name!] = String(value);
    }
    return values;
  }

  /** Marks a path value to be sent without encoding. */
  const unencoded = (value: string) => `\u0001${value}`;
  const urlOf = (route: RouteEntry, path: Record<string, string>, query: [string, string][]) => {
    const filled = route.url.replace(/:(\w+)/g, (_, name: string) => {
      const value = path[name]!;
      return value.startsWith('\u0001') ? value.slice(1) : encodeURIComponent(value);
    });
    const qs = query.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
    return qs ? `${filled}?${qs}` : filled;
  };

  /** Optional parameters the base request sets anyway, to keep it cheap (a JSON report, not a Word file). */
  const QUERY_EXTRA: Record<string, [string, string][]> = {
    '/api/reports': [['format', 'json']],
  };
  /** GET routes that write when they answer: each request of theirs is checked as a write's. */
  const GET_WRITES = new Set(['/api/reports']);
  /** Required parameters a route needs other values for. */
  const QUERY_OVERRIDE: Record<string, Record<string, string>> = {
    // As the registry knew the person: they were recorded today.
    '/api/persons/:id/as-of': { date: new Date().toISOString().slice(0, 10) },
  };

  /** A request whose parameters are in its path and query string, and its body if it has one. */
  interface ParameterBase {
    path: Record<string, string>;
    query: [string, string][];
    payload?: string | Buffer;
    contentType?: string;
  }

  /**
   * The valid request, then each path and query parameter of the route (from the OpenAPI
   * document) in turn set to each bad value, and each query parameter given twice. `make` builds
   * the valid request; unless `reusable`, a request that succeeded has used its rows up and the
   * next is built anew.
   */
  async function sweepParameters(
    probe: ReturnType<typeof prober>,
    route: RouteEntry,
    make: () => Promise<ParameterBase>,
    reusable: boolean,
  ): Promise<number> {
    const label = `${route.method} ${route.url}`;
    const request = (base: ParameterBase, path: Record<string, string>, query: [string, string][]) => ({
      method: route.method as InjectOptions['method'],
      url: urlOf(route, path, query),
      ...(base.payload === undefined
        ? {}
        : { payload: base.payload, headers: { 'content-type': base.contentType ?? 'application/json' } }),
    });
    let base = await make();
    probe.resync();
    const valid = await probe.send(request(base, base.path, base.query), `${label} (valid)`);
    if (valid.statusCode >= 400) {
      probe.failures.push(`${label}: the valid request is refused: ${valid.body.slice(0, 300)}`);
      return 0;
    }
    let requests = 0;
    const send = async (path: Record<string, string>, query: [string, string][], what: string) => {
      requests += 1;
      const response = await probe.send(request(base, path, query), `${label} ${what}`);
      if (response.statusCode < 400 && !reusable) {
        base = await make();
        probe.resync();
      }
    };
    if (!reusable) {
      base = await make();
      probe.resync();
    }
    for (const parameter of operationOf(route).parameters ?? []) {
      const name = parameter.name;
      const others = () => base.query.filter(([k]) => k !== name);
      for (const value of QUERY_VALUES) {
        const what = `${name}=${describeValue(value)}`;
        if (parameter.in === 'path') await send({ ...base.path, [name]: value }, base.query, what);
        else await send(base.path, [...others(), [name, value]], what);
      }
      if (parameter.in === 'path')
        for (const raw of RAW_PATH_VALUES)
          await send({ ...base.path, [name]: unencoded(raw) }, base.query, `${name}=${raw} (raw)`);
      if (parameter.in === 'query') {
        // The parameter twice, as a form with two fields of one name sends it.
        const twice = base.query.find(([k]) => k === name)?.[1] ?? QUERY_BASE[name] ?? '1';
        await send(base.path, [...others(), [name, twice], [name, twice]], `${name} twice`);
      }
      await probe.unchanged(`${label} ${name}=…`);
    }
    return requests;
  }

  it('every GET route answers a valid request, and a bad value in any one parameter with a 4xx', async () => {
    const probe = prober({ writes: false });
    const recorder = prober();
    const reads = routes.filter((r) => r.method === 'GET');
    assert.ok(reads.length > 40, `${reads.length} GET routes`);
    let requests = 0;
    for (const route of reads) {
      const parameters = operationOf(route).parameters ?? [];
      const query: [string, string][] = [
        ...parameters
          .filter((p) => p.in === 'query' && p.required)
          .map((p): [string, string] => {
            const value = QUERY_OVERRIDE[route.url]?.[p.name] ?? QUERY_BASE[p.name];
            assert.ok(value !== undefined, `a valid ?${p.name} for GET ${route.url}`);
            return [p.name, value];
          }),
        ...(QUERY_EXTRA[route.url] ?? []),
      ];
      const path = pathValues(route);
      // A report is recorded as a run when it is made: its route is checked as a write.
      const reads = GET_WRITES.has(route.url) ? recorder : probe;
      requests += await sweepParameters(reads, route, async () => ({ path, query }), true);
    }
    assert.ok(requests > 1000, `${requests} requests`);
    probe.check();
    recorder.check();
  });

  let feedFiles = 0;
  /** A marriage registration file of one record, new each time (the same file twice is refused). */
  const feedFile = () => {
    feedFiles += 1;
    return JSON.stringify([
      {
        登记证字号: `J${feedFiles}`,
        业务类型: '结婚登记',
        登记日期: '2024-01-02',
        男方姓名: '甲',
        女方姓名: '乙',
      },
    ]);
  };
  const uploadFeed = async () => {
    const response = await client.inject({
      method: 'POST',
      url: '/api/feeds/batches?source=marriage_registration&filename=m.json&county=620881',
      headers: { 'content-type': 'application/json' },
      payload: feedFile(),
    });
    assert.equal(response.statusCode, 201, response.body);
    return Number(response.json().batchId);
  };
  let linkBatch: number | undefined;
  let sheetFile: Buffer | undefined;
  /** The audit's survey sheets as the app hands them out: taken back as they are, a valid upload. */
  const auditSheet = async () => {
    if (!sheetFile) {
      const sheet = await client.inject({ url: `/api/audits/${fixtures.ids.audit}/sheet` });
      assert.equal(sheet.statusCode, 200, sheet.body);
      sheetFile = sheet.rawPayload;
    }
    return sheetFile;
  };
  /** Write routes whose input is in the path and query string: uploads, deletions, runs. */
  const PARAMETER_WRITES: {
    method: string;
    url: string;
    reusable?: boolean;
    make(): Promise<ParameterBase>;
  }[] = [
    {
      method: 'POST',
      url: '/api/imports',
      reusable: true,
      async make() {
        return {
          path: {},
          query: [
            ['filename', '三月.csv'],
            ['unit', '620881'],
          ],
          payload: csvOf([person({ name: '周导入', birthDate: '1979-09-09' })]),
          contentType: 'text/csv',
        };
      },
    },
    {
      method: 'POST',
      url: '/api/services/import',
      reusable: true,
      async make() {
        const { id_number: idNumber } = await test.database.db
          .selectFrom('person')
          .select('id_number')
          .where('id', '=', fixtures.ids.person)
          .executeTakeFirstOrThrow();
        return {
          path: {},
          query: [
            ['unit', '620881'],
            ['source', 'fuzz'],
          ],
          payload: `${SERVICE_CSV_HEADER.join(',')}\r\ncervical_screening,${idNumber},,2025-04-01,妇幼保健院,normal,true,,fuzz-1\r\n`,
          contentType: 'text/csv',
        };
      },
    },
    {
      method: 'POST',
      url: '/api/feeds/batches',
      async make() {
        return {
          path: {},
          query: [
            ['source', 'marriage_registration'],
            ['filename', 'm.json'],
            ['county', '620881'],
          ],
          payload: feedFile(),
        };
      },
    },
    {
      method: 'POST',
      url: '/api/feeds/batches/:id/link',
      reusable: true,
      async make() {
        linkBatch ??= await uploadFeed();
        return { path: { id: String(linkBatch) }, query: [] };
      },
    },
    {
      method: 'POST',
      url: '/api/audits/:id/results',
      reusable: true,
      async make() {
        return {
          path: { id: String(fixtures.ids.audit) },
          query: [['date', '2025-06-30']],
          payload: await auditSheet(),
          contentType: XLSX,
        };
      },
    },
    {
      method: 'DELETE',
      url: '/api/targets/sheets/:unit/:year',
      reusable: true,
      async make() {
        return { path: { unit: '620881', year: '2024' }, query: [['reason', '撤销']] };
      },
    },
    {
      method: 'DELETE',
      url: '/api/api-tokens/:id',
      async make() {
        const token = await client.inject({
          method: 'POST',
          url: '/api/api-tokens',
          payload: { name: '待吊销', scopes: ['aggregates.read'], unit: '620881' },
        });
        assert.equal(token.statusCode, 201, token.body);
        return { path: { id: String(token.json().id) }, query: [] };
      },
    },
  ];

  it('every write route taking its input in the path or query string answers a bad value with a 4xx', async () => {
    const probe = prober();
    let requests = 0;
    for (const write of PARAMETER_WRITES) {
      const route = routes.find((r) => r.method === write.method && r.url === write.url);
      assert.ok(route, `${write.method} ${write.url} is a route`);
      requests += await sweepParameters(probe, route, write.make, write.reusable ?? false);
    }
    // The filled survey sheet is the whole body: anything but an XLSX file is refused, and so is one
    // that is cut short.
    const sheet = await auditSheet();
    const badFiles: [string, string | Buffer, string][] = [
      ['empty', Buffer.alloc(0), XLSX],
      ['text', '这不是表格', XLSX],
      [
        'bytes',
        Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) % 256)),
        'application/octet-stream',
      ],
      ['cut short', sheet.subarray(0, Math.floor(sheet.length / 2)), XLSX],
      ['a zip of nothing', Buffer.from('504b0506000000000000000000000000000000000000', 'hex'), XLSX],
      ['JSON', '{"households":[]}', 'application/json'],
      ['CSV', 'household_no,name\r\n1,王\r\n', 'text/csv'],
    ];
    for (const [what, payload, contentType] of badFiles) {
      requests += 1;
      const response = await probe.send(
        {
          method: 'POST',
          url: `/api/audits/${fixtures.ids.audit}/results?date=2025-06-30`,
          payload,
          headers: { 'content-type': contentType },
        },
        `POST /api/audits/:id/results body=${what}`,
      );
      if (response.statusCode < 400)
        probe.failures.push(
          `POST /api/audits/:id/results body=${what}: accepted with ${response.statusCode}`,
        );
    }
    assert.ok(requests > 200, `${requests} requests`);
    probe.check();
  });

  /**
   * A write route's valid request: `make` builds it from rows it makes or reuses; after a request
   * that succeeded, the next is built from new rows (a death cannot be registered twice).
   */
  interface WriteBase {
    method?: 'POST' | 'PUT';
    url: string;
    make(): Promise<{
      url: string;
      body: Record<string, unknown>;
      /** A session of its own (sign-out, a password change): its cookie and CSRF token. */
      headers?: Record<string, string>;
      /** Sign-in attempts from an address of their own, so their rate limit is theirs. */
      remoteAddress?: string;
    }>;
    /** A success leaves the rows as they were: the next request may reuse them. */
    reusable?: boolean;
    /** Tables a refusal writes by design (a refused resubmission keeps its cells and new issues). */
    refusalWrites?: RefusalWrites;
  }

  /** Imports a person file as the signed-in user: the batch. */
  const importCsv = async (csv: string) => {
    const response = await client.inject({
      method: 'POST',
      url: '/api/imports?filename=q.csv&unit=620881',
      headers: { 'content-type': 'text/csv' },
      payload: csv,
    });
    assert.ok(response.statusCode < 300, response.body);
    return { batchId: Number(response.json().batchId) };
  };
  let reviewPair: number | undefined;
  let loginUser: string | undefined;
  /** A pair in the review queue: a marriage registration naming two adults of the registry, linked. */
  const newFeedPair = async () => {
    const husband = await newAdult('male');
    const wife = await newAdult('female');
    const people = await test.database.db
      .selectFrom('person')
      .select(['id', 'name', 'id_number', 'birth_date'])
      .where('id', 'in', [husband.id, wife.id])
      .execute();
    const [h, w] = [husband.id, wife.id].map((id) => people.find((p) => Number(p.id) === id)!);
    const upload = await client.inject({
      method: 'POST',
      url: '/api/feeds/batches?source=marriage_registration&filename=pair.json&county=620881',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify([
        {
          登记证字号: 'J-pair-1',
          业务类型: '结婚登记',
          登记日期: '2025-03-03',
          男方姓名: h!.name,
          男方身份证件号码: h!.id_number,
          男方出生日期: h!.birth_date,
          女方姓名: w!.name,
          女方身份证件号码: w!.id_number,
          女方出生日期: w!.birth_date,
          登记机关: '华亭市民政局',
        },
      ]),
    });
    assert.equal(upload.statusCode, 201, upload.body);
    const batchId = Number(upload.json().batchId);
    const link = await client.inject({ method: 'POST', url: `/api/feeds/batches/${batchId}/link` });
    assert.ok(link.statusCode < 300, link.body);
    const pair = await test.database.db
      .selectFrom('feed_pair')
      .select('id')
      .where('batch_id', '=', batchId)
      .executeTakeFirstOrThrow();
    return Number(pair.id);
  };
  /** A new user signed in on a session of their own: the headers that send requests as them. */
  const newSession = async () => {
    users += 1;
    const username = await createTestUser(
      test.database,
      [{ role: 'auditor', unit: '620881' }],
      `fuzz.session${users}`,
    );
    const session = await signIn(client.app, username);
    return { cookie: session.cookie, 'x-csrf-token': session.csrf };
  };
  let households = 0;
  let quarantines = 0;
  let tasks = 0;
  let users = 0;
  const WRITES: WriteBase[] = [
    {
      url: '/api/households',
      async make() {
        households += 1;
        return {
          url: '/api/households',
          body: {
            householdNo: `F-${households}`,
            orgCode: VILLAGE,
            address: '东华路 1 号',
            hukouType: 'rural',
          },
        };
      },
    },
    {
      url: '/api/births',
      async make() {
        const mother = await newAdult();
        return {
          url: '/api/births',
          body: {
            child: { name: '王小花', sex: 'female', birthDate: '2025-03-01', ethnicity: '汉族' },
            motherId: mother.id,
            residenceType: 'registered',
            reportDate: '2025-03-10',
            place: '华亭市',
            hospital: '华亭市人民医院',
          },
        };
      },
    },
    {
      url: '/api/deaths',
      async make() {
        const person = await newAdult('male', '1940-01-01');
        return {
          url: '/api/deaths',
          body: { personId: person.id, deathDate: '2025-05-01', reportDate: '2025-05-03', cause: '疾病' },
        };
      },
    },
    {
      url: '/api/marriages',
      async make() {
        const person = await newAdult();
        return {
          url: '/api/marriages',
          body: {
            personId: person.id,
            partner: { name: '赵先生' },
            marriageDate: '2025-05-01',
            reportDate: '2025-05-02',
          },
        };
      },
    },
    {
      url: '/api/divorces',
      async make() {
        const person = await newAdult();
        await registerMarriage(ctx, {
          personId: person.id,
          partner: { name: '钱先生' },
          marriageDate: '2020-05-01',
        });
        return {
          url: '/api/divorces',
          body: { personId: person.id, divorceDate: '2025-05-01', reportDate: '2025-05-02' },
        };
      },
    },
    {
      url: '/api/moves/in',
      reusable: true,
      async make() {
        return {
          url: '/api/moves/in',
          body: {
            person: {
              name: '孙迁入',
              sex: 'male',
              birthDate: '1988-08-08',
              maritalStatus: 'single',
              hukouType: 'rural',
            },
            orgCode: VILLAGE,
            residenceType: 'inflow',
            moveDate: '2025-04-01',
            fromPlace: '兰州市',
            reportDate: '2025-04-02',
          },
        };
      },
    },
    {
      url: '/api/moves/out',
      async make() {
        const person = await newAdult();
        return {
          url: '/api/moves/out',
          body: { personId: person.id, moveDate: '2025-04-01', kind: 'out_of_county', toPlace: '兰州市' },
        };
      },
    },
    {
      url: '/api/moves/within',
      async make() {
        const person = await newAdult();
        return {
          url: '/api/moves/within',
          body: {
            personId: person.id,
            date: '2025-04-01',
            orgCode: OTHER_VILLAGE,
            residenceType: 'registered',
          },
        };
      },
    },
    {
      url: '/api/persons/:id/corrections',
      async make() {
        const person = await newAdult();
        return {
          url: `/api/persons/${person.id}/corrections`,
          body: { expectedVersion: person.version, changes: { name: '更正名' }, reason: '登记错误' },
        };
      },
    },
    {
      url: '/api/persons/:id/void',
      async make() {
        const person = await newAdult();
        return {
          url: `/api/persons/${person.id}/void`,
          body: { expectedVersion: person.version, reason: '重复登记' },
        };
      },
    },
    {
      url: '/api/events/:id/void',
      async make() {
        const person = await newAdult();
        const event = await test.database.db
          .selectFrom('vital_event')
          .select('id')
          .where('person_id', '=', person.id)
          .executeTakeFirstOrThrow();
        return { url: `/api/events/${event.id}/void`, body: { reason: '录入错误' } };
      },
    },
    {
      url: '/api/services',
      reusable: true,
      async make() {
        return {
          url: '/api/services',
          body: {
            kind: 'cervical_screening',
            personId: fixtures.ids.person,
            serviceDate: '2025-04-01',
            provider: '妇幼保健院',
            outcomeCode: 'normal',
            consent: true,
          },
        };
      },
    },
    {
      url: '/api/services/:id/void',
      async make() {
        const service = await recordService(
          { ...ctx, countyCode: '620881' },
          {
            kind: 'counselling',
            personId: fixtures.ids.person,
            serviceDate: '2025-04-02',
            provider: '妇幼保健院',
            outcomeCode: 'given',
            consent: true,
          },
        );
        return { url: `/api/services/${service.id}/void`, body: { reason: '录入错误' } };
      },
    },
    {
      url: '/api/activities',
      reusable: true,
      async make() {
        return {
          url: '/api/activities',
          body: {
            unit: VILLAGE,
            date: '2025-04-01',
            kind: 'publicity',
            peopleServed: 30,
            materials: 100,
            description: '政策宣传',
          },
        };
      },
    },
    {
      method: 'PUT',
      url: '/api/targets/sheets/:unit/:year',
      async make() {
        const current = await client.inject('/api/targets/sheets/620881/2025');
        return {
          url: '/api/targets/sheets/620881/2025',
          body: {
            reason: '调整',
            expectedVersion: current.json().version,
            items: [
              { indicator: 'timeliness_rate', direction: 'at_least', target: 90, weight: 60, gate: true },
            ],
            settings: {},
          },
        };
      },
    },
    {
      url: '/api/targets/sheets/:unit/:year/split',
      reusable: true,
      async make() {
        return {
          url: '/api/targets/sheets/620881/2025/split',
          body: { reason: '分解', overrides: { '620881100': { timeliness_rate: { target: 80 } } } },
        };
      },
    },
    {
      url: '/api/benefits/applications',
      async make() {
        const mother = await newAdult();
        const born = await registerBirth(ctx, {
          child: { name: '小申请', sex: 'male', birthDate: '2024-10-10' },
          motherId: mother.id,
        });
        return {
          url: '/api/benefits/applications',
          body: {
            programmeId: 'childcare-subsidy',
            personId: born.person.id,
            period: '2025',
            payeePersonId: mother.id,
            bankAccount: '6222 0000 1111 2222',
          },
        };
      },
    },
    ...(['review', 'reject'] as const).map(
      (action): WriteBase => ({
        url: `/api/benefits/entitlements/:id/${action}`,
        async make() {
          const { entitlement: id } = await newApplication();
          return { url: `/api/benefits/entitlements/${id}/${action}`, body: { note: '材料齐全' } };
        },
      }),
    ),
    {
      url: '/api/benefits/reverify',
      reusable: true,
      async make() {
        return {
          url: '/api/benefits/reverify',
          body: { county: '620881', programmeId: 'childcare-subsidy', asOf: '2025-06-30', apply: false },
        };
      },
    },
    {
      url: '/api/benefits/batches',
      reusable: true,
      async make() {
        return {
          url: '/api/benefits/batches',
          body: { county: '620881', programmeId: 'childcare-subsidy', period: '2025H1' },
        };
      },
    },
    {
      url: '/api/benefits/payments/:id/reverse',
      async make() {
        const { line } = await newPayment();
        return { url: `/api/benefits/payments/${line}/reverse`, body: { reason: '账户有误' } };
      },
    },
    {
      url: '/api/benefits/disability',
      reusable: true,
      async make() {
        return {
          url: '/api/benefits/disability',
          body: {
            personId: fixtures.ids.person,
            grade: 2,
            certificateNo: '62088119900304002X42',
            validFrom: '2025-01-01',
            validTo: '2029-12-31',
          },
        };
      },
    },
    {
      method: 'PUT',
      url: '/api/completeness/official',
      reusable: true,
      async make() {
        return {
          url: '/api/completeness/official',
          body: { unit: '620881', year: 2025, births: 1200, source: '统计公报' },
        };
      },
    },
    {
      url: '/api/quality/checks',
      reusable: true,
      async make() {
        return { url: '/api/quality/checks', body: { unit: VILLAGE, period: '2025', lang: 'zh-CN' } };
      },
    },
    {
      url: '/api/audits',
      reusable: true,
      async make() {
        return { url: '/api/audits', body: { unit: '620881100', year: 2025, households: 2, seed: 'fuzz' } };
      },
    },
    {
      url: '/api/tasks/:id',
      async make() {
        tasks += 1;
        const id = await test.database.withSession(
          async (s) =>
            (
              await s.query<{ id: number }>(
                `INSERT INTO work_task (county_code, kind, org_code, source, source_ref, created_by)
                 VALUES ('620881', 'data_check', $1, 'validation', $2, 'test') RETURNING id`,
                [VILLAGE, `fuzz:${tasks}`],
              )
            )[0]!.id,
        );
        return { url: `/api/tasks/${id}`, body: { status: 'done', note: '已核实' } };
      },
    },
    {
      url: '/api/persons/:id/merge',
      async make() {
        const keep = await newAdult('male', '1970-07-07');
        const drop = await newAdult('male', '1970-07-07');
        return {
          url: `/api/persons/${keep.id}/merge`,
          body: { dropId: drop.id, keepVersion: keep.version, dropVersion: drop.version, reason: '同一人' },
        };
      },
    },
    {
      url: '/api/merges/:id/undo',
      async make() {
        const keep = await newAdult('female', '1971-07-07');
        const drop = await newAdult('female', '1971-07-07');
        const { mergeId } = await mergePersons(ctx, {
          keepId: keep.id,
          dropId: drop.id,
          keepVersion: keep.version,
          dropVersion: drop.version,
          reason: '同一人',
        });
        return { url: `/api/merges/${mergeId}/undo`, body: { reason: '并非同一人' } };
      },
    },
    {
      url: '/api/benefits/entitlements/:id/approve',
      async make() {
        const { entitlement: id } = await newApplication();
        await decideEntitlement(ctx, { id, action: 'review', note: null });
        return { url: `/api/benefits/entitlements/${id}/approve`, body: { note: '同意' } };
      },
    },
    ...(['resubmit', 'discard'] as const).map(
      (action): WriteBase => ({
        url: `/api/imports/:id/quarantine/:row/${action}`,
        refusalWrites: action === 'resubmit' ? ['import_quarantine'] : [],
        async make() {
          // A 10-year-old entered as married, in a household of their own: quarantined at the
          // marital status, row 2.
          quarantines += 1;
          const { batchId } = await importCsv(
            csvOf([
              person({
                householdNo: `Q-${quarantines}`,
                name: '周隔离',
                birthDate: '2015-04-04',
                residenceFrom: '2015-04-04',
                maritalStatus: '已婚',
              }),
            ]),
          );
          return {
            url: `/api/imports/${batchId}/quarantine/2/${action}`,
            body: action === 'resubmit' ? { values: { marital_status: '未婚' } } : { reason: '重复' },
          };
        },
      }),
    ),
    {
      url: '/api/users/:id/roles',
      async make() {
        users += 1;
        const username = await createTestUser(
          test.database,
          [{ role: 'auditor', unit: '620881' }],
          `fuzz.roles${users}`,
        );
        const { id } = await test.database.db
          .selectFrom('app_user')
          .select('id')
          .where('username', '=', username)
          .executeTakeFirstOrThrow();
        return { url: `/api/users/${id}/roles`, body: { role: 'village_worker', unit: VILLAGE } };
      },
    },
    {
      url: '/api/users',
      async make() {
        users += 1;
        return {
          url: '/api/users',
          body: {
            username: `fuzz.user${users}`,
            displayName: '测试用户',
            password: 'Fuzz-password-2025',
            roles: [{ role: 'village_worker', unit: VILLAGE }],
          },
        };
      },
    },
    {
      url: '/api/api-tokens',
      reusable: true,
      async make() {
        return {
          url: '/api/api-tokens',
          body: {
            name: '对接',
            scopes: ['aggregates.read'],
            unit: '620881',
            expiresAt: '2030-01-01T00:00:00+08:00',
          },
        };
      },
    },
    {
      url: '/api/feeds/review/:id',
      reusable: true,
      async make() {
        reviewPair ??= await newFeedPair();
        return { url: `/api/feeds/review/${reviewPair}`, body: { decision: 'unsure', note: '请村里核实' } };
      },
    },
    {
      url: '/api/dedupe/runs',
      reusable: true,
      async make() {
        return { url: '/api/dedupe/runs', body: { unit: VILLAGE, minProbability: 0.9 } };
      },
    },
    {
      url: '/api/auth/password',
      async make() {
        const session = await newSession();
        return {
          url: '/api/auth/password',
          body: { oldPassword: TEST_PASSWORD, newPassword: 'Fuzz-new-password-2026' },
          headers: session,
        };
      },
    },
    {
      url: '/api/auth/logout',
      async make() {
        return { url: '/api/auth/logout', body: {}, headers: await newSession() };
      },
    },
    {
      url: '/api/auth/login',
      reusable: true,
      async make() {
        loginUser ??= await createTestUser(
          test.database,
          [{ role: 'auditor', unit: '620881' }],
          'fuzz.login',
        );
        return {
          url: '/api/auth/login',
          body: { username: loginUser, password: TEST_PASSWORD },
          remoteAddress: '10.20.30.40',
        };
      },
      // A wrong password (a 401) counts against the account; a refused body writes nothing at all.
      refusalWrites: (response) => (response.statusCode === 401 ? ['app_user.sign_in_failures'] : []),
    },
  ];

  type Body = Record<string, unknown>;
  /** One bad request: which field, what it holds, and the valid body changed that way. */
  type Variant = [field: string, value: string, apply: (body: Body) => unknown];

  /**
   * Each field of the body (and of its schema) absent, then set to each bad value; the same for
   * each field of an object field, and of an array field's first element.
   */
  function bodyVariants(body: Body, schema: JsonSchema | undefined): Variant[] {
    const variants: Variant[] = [];
    for (const whole of [null, [], 'x', {}]) variants.push(['(body)', describeValue(whole), () => whole]);
    const fields = (object: Body, s: JsonSchema | undefined) => [
      ...new Set([...Object.keys(object), ...Object.keys(s?.properties ?? {})]),
    ];
    const without = (object: Body, key: string) => {
      const { [key]: _, ...rest } = object;
      return rest;
    };
    for (const key of fields(body, schema)) {
      variants.push([key, '(absent)', (b) => without(b, key)]);
      for (const value of BODY_VALUES)
        variants.push([key, describeValue(value), (b) => ({ ...b, [key]: value })]);
      const inner = body[key];
      const innerSchema = schema?.properties?.[key];
      if (Array.isArray(inner) && inner[0] && typeof inner[0] === 'object') {
        for (const sub of fields(inner[0] as Body, innerSchema?.items))
          for (const value of NESTED_VALUES)
            variants.push([
              `${key}.0.${sub}`,
              describeValue(value),
              (b) => {
                const [first, ...rest] = b[key] as Body[];
                return { ...b, [key]: [{ ...first, [sub]: value }, ...rest] };
              },
            ]);
      } else if (inner && typeof inner === 'object') {
        for (const sub of fields(inner as Body, innerSchema)) {
          variants.push([
            `${key}.${sub}`,
            '(absent)',
            (b) => ({ ...b, [key]: without(b[key] as Body, sub) }),
          ]);
          for (const value of NESTED_VALUES)
            variants.push([
              `${key}.${sub}`,
              describeValue(value),
              (b) => ({ ...b, [key]: { ...(b[key] as Body), [sub]: value } }),
            ]);
        }
      }
    }
    return variants;
  }

  it('every write route with a buildable body answers a bad value in any one field with a 4xx', async () => {
    const probe = prober();
    let requests = 0;
    for (const write of WRITES) {
      const method = write.method ?? 'POST';
      const route = routes.find((r) => r.method === method && r.url === write.url);
      assert.ok(route, `${method} ${write.url} is a route`);
      const schema = operationOf(route).requestBody?.content?.['application/json']?.schema;
      const label = `${method} ${write.url}`;
      let base = await write.make();
      probe.resync();
      const valid = await probe.send(
        {
          method,
          url: base.url,
          payload: serialize(base.body),
          headers: { 'content-type': 'application/json', ...base.headers },
          ...(base.remoteAddress ? { remoteAddress: base.remoteAddress } : {}),
        },
        `${label} (valid)`,
        write.refusalWrites,
      );
      if (valid.statusCode >= 400) {
        probe.failures.push(`${label}: the valid request is refused: ${valid.body.slice(0, 300)}`);
        continue;
      }
      // The valid request may have used its rows up (a person who died): build the next from new ones.
      if (!write.reusable) {
        base = await write.make();
        probe.resync();
      }
      for (const [field, value, apply] of bodyVariants(base.body, schema)) {
        requests += 1;
        const response = await probe.send(
          {
            method,
            url: base.url,
            payload: serialize(apply(base.body)),
            headers: { 'content-type': 'application/json', ...base.headers },
            ...(base.remoteAddress ? { remoteAddress: base.remoteAddress } : {}),
          },
          `${label} ${field}=${value}`,
          write.refusalWrites,
        );
        if (response.statusCode < 400 && !write.reusable) {
          base = await write.make();
          probe.resync();
        }
      }
    }
    assert.ok(requests > 1000, `${requests} requests`);
    probe.check();
  });
});
