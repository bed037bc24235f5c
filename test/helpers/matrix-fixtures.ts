import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions } from 'fastify';
import type { Database } from '../../src/db/database.ts';
import { importPersons } from '../../src/registry/import/import-persons.ts';
import { writeSampleImportFile } from '../../src/registry/import/sample-file.ts';
import type { RouteEntry } from '../../src/server/access.ts';
import { SERVICE_CSV_HEADER } from '../../src/services/import-services.ts';
import { recordService } from '../../src/services/record-service.ts';
import { addAdult, contextFor, VILLAGE } from './registry.ts';

/** The same request made inside the caller's units and outside them. */
export interface ScopedRequests {
  inside: InjectOptions;
  outside: InjectOptions;
  /** The inside request is complete enough that it must succeed, not only pass the access check. */
  expectOk?: boolean;
}

export interface MatrixFixtures {
  otherVillage: string;
  /** The rows made in VILLAGE (the county's, for the import and the feed batch), by kind. */
  ids: {
    person: number;
    event: number;
    service: number;
    importBatch: number;
    task: number;
    household: number;
    audit: number;
    reportRun: number;
    feedBatch: number;
  };
  requestsFor(route: RouteEntry): ScopedRequests | undefined;
}

/** A village of another township than VILLAGE's (东华镇). */
const OTHER_TOWNSHIP_VILLAGE = '620881101201';

/**
 * Records in VILLAGE (the village-level users' own) and in another township, and requests that
 * name them the way each kind of unit lookup reads them. Routes with a lookup of their own (a
 * feed batch's county, a task's village …) need an entry in CUSTOM.
 */
export async function buildMatrixFixtures(database: Database): Promise<MatrixFixtures> {
  const ctx = contextFor(database.db);
  const inside = await addAdult(ctx, {
    name: '王秀英',
    sex: 'female',
    birthDate: '1990-03-04',
    orgCode: VILLAGE,
  });
  const outside = await addAdult(ctx, {
    name: '李建国',
    sex: 'male',
    birthDate: '1985-06-07',
    orgCode: OTHER_TOWNSHIP_VILLAGE,
  });
  const eventOf = async (personId: number) =>
    Number(
      (
        await database.db
          .selectFrom('vital_event')
          .select('id')
          .where('person_id', '=', personId)
          .executeTakeFirstOrThrow()
      ).id,
    );
  const events = { inside: await eventOf(inside.id), outside: await eventOf(outside.id) };
  /** A service record of each person: it counts in their village, where they also live. */
  const serviceOf = async (personId: number) =>
    Number(
      (
        await recordService(
          { ...ctx, countyCode: '620881' },
          {
            kind: 'counselling',
            personId,
            serviceDate: '2025-04-01',
            provider: '东华镇卫生院',
            outcomeCode: 'given',
            consent: true,
          },
        )
      ).id,
    );
  const services = { inside: await serviceOf(inside.id), outside: await serviceOf(outside.id) };
  const dir = mkdtempSync(join(tmpdir(), 'renkou-matrix-'));
  let importBatch: number;
  try {
    const file = join(dir, 'persons.csv');
    await writeSampleImportFile(file, { persons: 5, villages: [VILLAGE], county: '620881', seed: 3 });
    importBatch = (await importPersons({ database, actor: { id: 'test' } }, { path: file, county: '620881' }))
      .batchId;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  /** Query parameters a route requires besides its unit, so a complete request can succeed. */
  const REQUIRED_QUERY: Record<string, string> = {
    // As the registry knew the person: they were recorded just now.
    '/api/persons/:id/as-of': `date=${new Date().toISOString().slice(0, 10)}`,
  };
  const fill = (url: string, params: Record<string, number | string> = {}) => {
    const path = url.replace(/:(\w+)/g, (_, name: string) => String(params[name] ?? 1));
    return REQUIRED_QUERY[url] ? `${path}?${REQUIRED_QUERY[url]}` : path;
  };
  const base = (route: RouteEntry, url: string, payload?: Record<string, unknown>): InjectOptions => ({
    method: route.method as InjectOptions['method'],
    url,
    ...(['POST', 'PUT', 'PATCH'].includes(route.method) ? { payload: payload ?? {} } : {}),
  });

  // Records of the areas whose routes look their unit up themselves: one in VILLAGE (or, for
  // county-level records, the county — outside a village-level user's reach) and one elsewhere.
  const insertId = async (query: string, params: unknown[]) =>
    Number((await database.withSession((session) => session.query<{ id: number }>(query, params)))[0]!.id);
  const task = async (org: string) =>
    insertId(
      `INSERT INTO work_task (county_code, kind, org_code, source, source_ref, created_by)
       VALUES ('620881', 'data_check', $1, 'validation', $2, 'test') RETURNING id`,
      [org, `matrix:${org}`],
    );
  const audit = async (unit: string) =>
    insertId(
      `INSERT INTO field_audit (county_code, unit_code, year, households_requested, seed, frame_households,
         frame_persons, frame_digest, fields, drawn_by)
       VALUES ('620881', $1, 2025, 1, 'matrix', 1, 1, 'x', '[]', 'test') RETURNING id`,
      [unit],
    );
  const reportRun = async (unit: string) =>
    insertId(
      `INSERT INTO report_run (county_code, unit_code, period, kind, format, data_version, figures, file_sha256,
         file_bytes, created_by)
       VALUES ('620881', $1, '2025', 'work_report', 'docx', 0, '{}', repeat('0', 64), 0, 'test') RETURNING id`,
      [unit],
    );
  const feedBatch = await insertId(
    `INSERT INTO feed_batch (county_code, source, columns, received_by)
     VALUES ('620881', 'birth_certificate', '[]', 'test') RETURNING id`,
    [],
  );
  const household = async (org: string) =>
    insertId(
      `INSERT INTO household (county_code, household_no, org_code, created_by)
       VALUES ('620881', $1, $2, 'test') RETURNING id`,
      [`matrix-${org}`, org],
    );
  const tasks = { inside: await task(VILLAGE), outside: await task(OTHER_TOWNSHIP_VILLAGE) };
  const households = { inside: await household(VILLAGE), outside: await household(OTHER_TOWNSHIP_VILLAGE) };
  const audits = { inside: await audit(VILLAGE), outside: await audit(OTHER_TOWNSHIP_VILLAGE) };
  const runs = { inside: await reportRun(VILLAGE), outside: await reportRun(OTHER_TOWNSHIP_VILLAGE) };
  const byId = (ids: { inside: number; outside: number }) => (route: RouteEntry) => ({
    inside: base(route, fill(route.url, { id: ids.inside })),
    outside: base(route, fill(route.url, { id: ids.outside })),
  });
  const countyRecord = (id: number) => (route: RouteEntry) => {
    const request = base(route, fill(route.url, { id }));
    return { inside: request, outside: request };
  };

  const CUSTOM: Record<string, (route: RouteEntry) => ScopedRequests> = {
    'POST /api/tasks/:id': byId(tasks),
    'GET /api/audits/:id': byId(audits),
    'GET /api/audits/:id/households': byId(audits),
    'GET /api/audits/:id/sheet': byId(audits),
    'POST /api/audits/:id/results': byId(audits),
    'GET /api/reports/runs/:id/diff': byId(runs),
    'GET /api/households/:id': byId(households),
    'POST /api/feeds/batches/:id/link': countyRecord(feedBatch),
    // The file is the raw body and the unit is in the query: a file of no rows must be answered
    // with its (empty) report for a village of the county, and refused to a village-level user
    // for another township's village.
    'POST /api/services/import': (route) => {
      const request = (unit: string): InjectOptions => ({
        method: 'POST',
        url: `${route.url}?unit=${unit}`,
        headers: { 'content-type': 'text/csv' },
        payload: `${SERVICE_CSV_HEADER.join(',')}\r\n`,
      });
      return { inside: request(VILLAGE), outside: request(OTHER_TOWNSHIP_VILLAGE), expectOk: true };
    },
    // Merging a village's record with another township's acts on the county.
    'POST /api/persons/:id/merge': (route) => ({
      inside: base(route, fill(route.url, { id: inside.id }), { dropId: inside.id, reason: 'x' }),
      outside: base(route, fill(route.url, { id: inside.id }), { dropId: outside.id, reason: 'x' }),
    }),
  };

  return {
    otherVillage: OTHER_TOWNSHIP_VILLAGE,
    ids: {
      person: inside.id,
      event: events.inside,
      service: services.inside,
      importBatch,
      task: tasks.inside,
      household: households.inside,
      audit: audits.inside,
      reportRun: runs.inside,
      feedBatch,
    },
    requestsFor(route) {
      const custom = CUSTOM[`${route.method} ${route.url}`];
      if (custom) return custom(route);
      const unit = route.access?.unit;
      if (!unit) {
        const request = base(route, fill(route.url));
        return { inside: request, outside: request };
      }
      const kind = unit.kind;
      if (!kind) return undefined;
      if ('from' in kind) {
        const value = (place: 'inside' | 'outside') =>
          kind.key === 'county' ? '620881' : place === 'inside' ? VILLAGE : OTHER_TOWNSHIP_VILLAGE;
        if (kind.from === 'query') {
          const q = (place: 'inside' | 'outside') =>
            `${fill(route.url)}${fill(route.url).includes('?') ? '&' : '?'}${kind.key}=${value(place)}`;
          return { inside: base(route, q('inside')), outside: base(route, q('outside')) };
        }
        if (kind.from === 'params')
          return {
            inside: base(route, fill(route.url, { [kind.key]: value('inside') })),
            outside: base(route, fill(route.url, { [kind.key]: value('outside') })),
          };
        return {
          inside: base(route, fill(route.url), { [kind.key]: value('inside') }),
          outside: base(route, fill(route.url), { [kind.key]: value('outside') }),
        };
      }
      if ('person' in kind) {
        if (kind.person === 'params')
          return {
            inside: base(route, fill(route.url, { [kind.key]: inside.id })),
            outside: base(route, fill(route.url, { [kind.key]: outside.id })),
            expectOk: route.url === '/api/persons/:id' || route.url === '/api/persons/:id/history',
          };
        return {
          inside: base(route, fill(route.url), { [kind.key]: inside.id }),
          outside: base(route, fill(route.url), { [kind.key]: outside.id }),
        };
      }
      if ('event' in kind)
        return {
          inside: base(route, fill(route.url, { [kind.event]: events.inside })),
          outside: base(route, fill(route.url, { [kind.event]: events.outside })),
        };
      if ('serviceRecord' in kind)
        return {
          inside: base(route, fill(route.url, { [kind.serviceRecord]: services.inside }), {
            reason: '录入错误',
          }),
          outside: base(route, fill(route.url, { [kind.serviceRecord]: services.outside }), {
            reason: '录入错误',
          }),
        };
      if ('importBatch' in kind) {
        // The batch is the county's: a village-level user is outside it.
        const request = base(route, fill(route.url, { [kind.importBatch]: importBatch }));
        return { inside: request, outside: request, expectOk: route.method === 'GET' };
      }
      return undefined;
    },
  };
}
