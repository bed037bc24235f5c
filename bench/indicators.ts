/**
 * bench/indicators: the whole catalogue for every unit (county, townships, villages) for the 12
 * months and the year, on a synthetic registry on PostgreSQL (default 1,000,000 persons), cold
 * (a fresh engine, no cube cached). Beside it, the same births / deaths / population
 * aggregations written as one hand-tuned SQL query in DuckDB over the same rows, measured in the
 * same run. Target (issue 6): renkou under 10 s.
 *
 *   DATABASE_URL=postgres://… npx node bench/indicators.ts [--persons 1000000] [--year 2025]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { openDatabase } from '../src/db/database.ts';
import { CATALOGUE, IndicatorEngine } from '../src/indicators/index.ts';
import { describeMachine, readBenchArgs } from './lib/args.ts';
import { ensureBenchRegistry } from './lib/registry.ts';

const args = readBenchArgs({ persons: '1000000', year: '2025' });
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  process.stderr.write('bench/indicators needs DATABASE_URL (a PostgreSQL server)\n');
  process.exit(2);
}
const persons = Number(args.persons);
const year = Number(args.year);
const databaseUrl = await ensureBenchRegistry(serverUrl, persons);
const database = await openDatabase({ databaseUrl });

// --- renkou: every indicator × every unit × 13 periods -------------------------------------------
const units = (
  await database.db
    .selectFrom('org_unit')
    .select('code')
    .where('county_code', '=', '620881')
    .orderBy('code')
    .execute()
).map((row) => row.code);
const periods = [
  String(year),
  ...Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`),
];
const engine = new IndicatorEngine(database.db);
const started = performance.now();
const result = await engine.evaluateAll({ root: '620881', year, periods, units });
const values = result.values.length;
const cubeMs = result.cubeMs;
const renkouMs = performance.now() - started;
await database.close();

// --- DuckDB: the same base aggregations as one hand-tuned query ----------------------------------
const dir = mkdtempSync(join(tmpdir(), 'renkou-bench-duck-'));
const client = new pg.Client({ connectionString: databaseUrl });
await client.connect();
async function exportCsv(name: string, query: string) {
  const { createWriteStream } = await import('node:fs');
  const { pipeline } = await import('node:stream/promises');
  await pipeline(
    client.query(copyTo(`COPY (${query}) TO STDOUT WITH (FORMAT csv, HEADER true)`)),
    createWriteStream(join(dir, `${name}.csv`)),
  );
}
await exportCsv(
  'person',
  "SELECT id, sex, birth_date, status FROM person WHERE status NOT IN ('voided', 'merged')",
);
await exportCsv(
  'spell',
  'SELECT person_id, org_code, residence_type, valid_from, valid_to FROM residence_spell WHERE NOT voided',
);
await exportCsv('event', 'SELECT person_id, kind, event_date, org_code FROM vital_event WHERE NOT voided');
await client.end();
const duck = await (await DuckDBInstance.create(':memory:')).connect();
for (const name of ['person', 'spell', 'event']) {
  await duck.run(`CREATE TABLE ${name} AS SELECT * FROM read_csv_auto('${join(dir, `${name}.csv`)}')`);
}
const dates = [
  `${year - 1}-12-31`,
  ...Array.from({ length: 12 }, (_, i) => `last_day(DATE '${year}-${String(i + 1).padStart(2, '0')}-01')`),
];
const duckQuery = `
  WITH d AS (SELECT unnest([${dates.map((d) => (d.startsWith('last_day') ? d : `DATE '${d}'`)).join(', ')}]) AS d),
  pop AS (
    SELECT s.org_code, d.d, p.sex, s.residence_type,
           least(CASE WHEN date_diff('year', p.birth_date, d.d) < 1 THEN 0 ELSE date_diff('year', p.birth_date, d.d) // 5 + 1 END, 21) AS band,
           count(*) AS n
      FROM spell s JOIN person p ON p.id = s.person_id JOIN d ON s.valid_from <= d.d AND (s.valid_to IS NULL OR s.valid_to > d.d)
     GROUP BY ALL),
  ev AS (
    SELECT e.org_code, month(e.event_date) AS m, e.kind, p.sex, count(*) AS n
      FROM event e JOIN person p ON p.id = e.person_id
     WHERE year(e.event_date) = ${year}
     GROUP BY ALL)
  SELECT (SELECT count(*) FROM pop) AS pop_cells, (SELECT sum(n) FROM pop) AS pop_total,
         (SELECT count(*) FROM ev) AS event_cells, (SELECT sum(n) FROM ev) AS event_total`;
const duckStarted = performance.now();
const duckResult = await duck.runAndReadAll(duckQuery);
const duckMs = performance.now() - duckStarted;
rmSync(dir, { recursive: true, force: true });

console.log(`bench/indicators — ${await describeMachine()}`);
console.log(
  `registry: ${persons.toLocaleString('en')} persons (synthetic 华亭市) on PostgreSQL; ${units.length} units × 13 periods × ${CATALOGUE.length} indicators`,
);
console.log(
  `renkou: ${values.toLocaleString('en')} values in ${(renkouMs / 1000).toFixed(2)} s (cube ${(cubeMs / 1000).toFixed(2)} s, cold)`,
);
console.log(
  `DuckDB: the base aggregations as one query in ${(duckMs / 1000).toFixed(2)} s (${JSON.stringify(duckResult.getRows()[0], (_, v) => (typeof v === 'bigint' ? Number(v) : v))})`,
);
console.log(`ratio renkou / DuckDB: ${(renkouMs / duckMs).toFixed(2)}`);
console.log(`target under 10 s: ${renkouMs < 10_000 ? 'met' : 'NOT met'}`);
