/**
 * bench/import: persons per second importing a synthetic county's person file with renkou's
 * import, against a plain COPY of the same file into an unindexed table, in the same run.
 *
 *   npx node bench/import.ts [--persons 1000000] [--storage postgres|pglite] [--source synth|generated]
 *                            [--chunk 10000] [--costs yes] [--mode auto|chunked|initial]
 *
 * The file is the synthetic county generator's registry (renkou synth --persons N), its living
 * persons converted to the import template's columns; with --source generated (or when the
 * generator fails) a template-format file is generated here instead. Files are cached under
 * bench/out/import/. PostgreSQL is the server named by DATABASE_URL (default: the dev server),
 * in a fresh database renkou_bench_import; PGlite runs in a fresh temporary data directory.
 * --mode is importPersons' mode: `auto` (default, as the CLI) makes this empty county's import an
 * initial load; `chunked` measures the clerk's path, chunk by chunk with the indexes kept.
 * Targets (issue 4): PostgreSQL ≥ 50,000 persons/s and ≥ half of plain COPY; PGlite ≥ 10,000/s.
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { availableParallelism as availableCores, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { type Database, openDatabase, type RawSession } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { initCounty } from '../src/org/init-county.ts';
import { csvLine } from '../src/registry/export/table-writer.ts';
import { readCsvRows } from '../src/registry/import/csv-reader.ts';
import { type ImportMode, importPersons } from '../src/registry/import/import-persons.ts';
import { PERSON_COLUMNS, type PersonField } from '../src/registry/import/person-columns.ts';
import { writeSampleImportFile } from '../src/registry/import/sample-file.ts';
import {
  HUKOU_VALUES,
  labelOf,
  MARITAL_VALUES,
  RELATION_VALUES,
  RESIDENCE_VALUES,
  SEX_VALUES,
} from '../src/registry/import/value-aliases.ts';
import { describeMachine, readBenchArgs } from './lib/args.ts';
import { serverCpuMeter } from './lib/server-cpu.ts';

const ROOT = join(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out', 'import');
const COUNTY = '620881';
const TODAY = '2025-12-31';
const DEV_SERVER = 'postgres://renkou@127.0.0.1:54330/postgres';

const args = readBenchArgs({
  persons: '1000000',
  storage: 'postgres',
  source: 'synth',
  chunk: '10000',
  costs: 'no',
  mode: 'auto',
});
const persons = Number(args.persons);
if (
  !['postgres', 'pglite'].includes(args.storage) ||
  !['synth', 'generated'].includes(args.source) ||
  !['auto', 'chunked', 'initial'].includes(args.mode)
) {
  process.stderr.write(
    'usage: bench/import.ts [--persons N] [--storage postgres|pglite] [--source synth|generated] [--mode auto|chunked|initial]\n',
  );
  process.exit(2);
}
const log = (line: string) => process.stderr.write(`${line}\n`);

/** Reads a CSV file row by row (header first), with renkou's own reader. */
async function* csvRows(path: string): AsyncGenerator<string[]> {
  for await (const batch of readCsvRows(createReadStream(path, { highWaterMark: 1 << 20 }))) {
    for (const row of batch) yield row.cells;
  }
}

async function writeLines(path: string, lines: AsyncIterable<string>): Promise<void> {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  for await (const line of lines) if (!out.write(line)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

/**
 * The synthetic county's registry as an import file: every living person in the template's
 * columns — household number from households.csv, the open residence spell's start from
 * residence_spells.csv, the mother's ID number through mother_key.
 */
async function synthFile(target: string): Promise<void> {
  const dir = join(OUT, `synth-${persons}`);
  if (!existsSync(join(dir, 'registry', 'persons.csv'))) {
    log(`bench: renkou synth --persons ${persons} (once) …`);
    const result = spawnSync(
      process.execPath,
      [
        join(ROOT, 'src', 'cli', 'main.ts'),
        'synth',
        '--county',
        COUNTY,
        '--persons',
        String(persons),
        '--seed',
        '1',
        '--out',
        dir,
      ],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (result.status !== 0) throw new Error(`renkou synth failed (exit ${result.status})`);
  }
  const index = (header: string[]) => (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`synth output has no column ${name}`);
    return i;
  };
  const households = new Map<string, string>();
  let col: (name: string) => number = () => 0;
  for await (const cells of csvRows(join(dir, 'registry', 'households.csv'))) {
    if (households.size === 0 && cells[0] === 'household_key') {
      col = index(cells);
      households.set('', '');
      continue;
    }
    households.set(cells[col('household_key')]!, cells[col('household_no')]!);
  }
  const since = new Map<string, string>();
  let first = true;
  for await (const cells of csvRows(join(dir, 'registry', 'residence_spells.csv'))) {
    if (first) {
      col = index(cells);
      first = false;
      continue;
    }
    if (cells[col('valid_to')] === '') since.set(cells[col('person_key')]!, cells[col('valid_from')]!);
  }
  const idOf = new Map<string, string>();
  first = true;
  for await (const cells of csvRows(join(dir, 'registry', 'persons.csv'))) {
    if (first) {
      col = index(cells);
      first = false;
      continue;
    }
    if (cells[col('id_number')]) idOf.set(cells[col('person_key')]!, cells[col('id_number')]!);
  }
  async function* lines() {
    yield `\uFEFF${csvLine(PERSON_COLUMNS.map((c) => c.zh))}`;
    let header = true;
    let c: (name: string) => number = () => 0;
    for await (const cells of csvRows(join(dir, 'registry', 'persons.csv'))) {
      if (header) {
        c = index(cells);
        header = false;
        continue;
      }
      if (cells[c('status')] !== 'active') continue;
      const values: Record<PersonField, string> = {
        householdNo: households.get(cells[c('household_key')]!) ?? '',
        villageCode: cells[c('village_code')]!,
        name: cells[c('name')]!,
        sex: labelOf(SEX_VALUES, cells[c('sex')]!),
        birthDate: cells[c('birth_date')]!,
        idNumber: cells[c('id_number')]!,
        ethnicity: cells[c('ethnicity')]!,
        hukouType: labelOf(HUKOU_VALUES, cells[c('hukou_type')] || null),
        maritalStatus: labelOf(MARITAL_VALUES, cells[c('marital_status')] || null),
        phone: cells[c('phone')]!,
        relationToHead: labelOf(RELATION_VALUES, cells[c('relation_to_head')] || null),
        residenceType: labelOf(RESIDENCE_VALUES, cells[c('residence_type')]!),
        residenceFrom: since.get(cells[c('person_key')]!) ?? cells[c('registered_date')]!,
        motherIdNumber: idOf.get(cells[c('mother_key')]!) ?? '',
        sourceKey: '',
      };
      yield csvLine(PERSON_COLUMNS.map((column) => values[column.field]));
    }
  }
  await writeLines(target, lines());
}

/** Deterministic random numbers (mulberry32), so every generated file is the same. */
async function prepareFile(villages: () => Promise<string[]>): Promise<{ path: string; source: string }> {
  mkdirSync(OUT, { recursive: true });
  const path = join(OUT, `persons-${args.source}-${persons}.csv`);
  if (existsSync(path)) return { path, source: args.source };
  const partial = `${path}.partial`;
  if (args.source === 'synth') {
    try {
      await synthFile(partial);
      renameSync(partial, path);
      return { path, source: 'synth' };
    } catch (error) {
      log(
        `bench: the synthetic county generator failed (${(error as Error).message}); generating a file here`,
      );
    }
  }
  const fallback = join(OUT, `persons-generated-${persons}.csv`);
  if (!existsSync(fallback)) {
    await writeSampleImportFile(partial, { persons, villages: await villages(), county: COUNTY });
    renameSync(partial, fallback);
  }
  return { path: fallback, source: 'generated' };
}

/** A fresh, migrated database with the county loaded. */
async function freshDatabase(): Promise<{ database: Database; url?: string; cleanup(): Promise<void> }> {
  if (args.storage === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'renkou-bench-import-'));
    const database = await openDatabase({ dataDir: dir });
    await migrateToLatest(database);
    await initCounty(database.db, COUNTY);
    return {
      database,
      async cleanup() {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const serverUrl = process.env.DATABASE_URL || DEV_SERVER;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS renkou_bench_import WITH (FORCE)');
  await admin.query('CREATE DATABASE renkou_bench_import');
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = '/renkou_bench_import';
  const database = await openDatabase({ databaseUrl: url.toString() });
  await migrateToLatest(database);
  await initCounty(database.db, COUNTY);
  return { database, url: url.toString(), cleanup: () => database.close() };
}

const PLAIN_COLUMNS = PERSON_COLUMNS.map((c) => c.en);

/** Plain COPY of the file into an unindexed table of text columns: the floor the import is held against. */
async function plainCopy(database: Database, url: string | undefined, path: string): Promise<number> {
  const ddl = `DROP TABLE IF EXISTS bench_plain_copy;
    CREATE TABLE bench_plain_copy (${PLAIN_COLUMNS.map((c) => `${c} text`).join(', ')})`;
  await database.withSession((session) => session.exec(ddl));
  const started = performance.now();
  if (url) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const stream = client.query(
      copyFrom(
        `COPY bench_plain_copy (${PLAIN_COLUMNS.join(', ')}) FROM STDIN WITH (FORMAT csv, HEADER true)`,
      ),
    );
    await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), stream);
    await client.end();
  } else {
    await database.withSession((session) => session.copyCsvFile('bench_plain_copy', PLAIN_COLUMNS, path));
  }
  const seconds = (performance.now() - started) / 1000;
  await database.withSession((session) => session.exec('DROP TABLE bench_plain_copy'));
  return seconds;
}

/** Where the import's database time goes: wall time of each statement, by its first words. */
function timedDatabase(database: Database, times: Map<string, number>): Database {
  const timed = async <T>(key: string, run: () => Promise<T>) => {
    const started = performance.now();
    try {
      return await run();
    } finally {
      times.set(key, (times.get(key) ?? 0) + performance.now() - started);
    }
  };
  const label = (sql: string) => sql.trim().replace(/\s+/g, ' ').slice(0, 48);
  return {
    ...database,
    db: database.db,
    withSession: (work) =>
      database.withSession((session: RawSession) =>
        work({
          exec: (sql) => timed(label(sql), () => session.exec(sql)),
          query: (sql, params) => timed(label(sql), () => session.query(sql, params)),
          copyCsv: (table, columns, csv) =>
            timed(`COPY ${table}`, () => session.copyCsv(table, columns, csv)),
          copyCsvFile: (table, columns, path) =>
            timed(`COPY ${table} (file)`, () => session.copyCsvFile(table, columns, path)),
          copyText: (table, columns, rows) =>
            timed(`COPY ${table}`, () => session.copyText(table, columns, rows)),
        }),
      ),
  };
}

/**
 * What the registry's own indexes and foreign keys cost per person (PostgreSQL, --costs): 10,000
 * persons copied from the imported ones (new ids and ID numbers) inserted into person and
 * residence_spell, as they are, without foreign-key triggers, and without the secondary indexes,
 * each in a transaction that is rolled back. Needs a superuser (to disable the triggers).
 */
async function indexCosts(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const lines: string[] = [];
  const n = 10_000;
  await client.query('SET jit = off');
  await client.query(`CREATE TEMP TABLE cost_src AS
    SELECT p.*, nextval(pg_get_serial_sequence('person', 'id')) AS new_id FROM person p LIMIT ${n}`);
  await client.query(
    `UPDATE cost_src SET id_number = '9' || substr(id_number, 2), import_key = import_key || '+'`,
  );
  const personInsert = `INSERT INTO person (county_code, id, id_number, name, name_pinyin, name_initials, sex, birth_date,
      ethnicity, hukou_type, marital_status, phone, household_id, relation_to_head, mother_id, current_org_code,
      current_residence_type, source, import_key, created_by, updated_by)
    SELECT county_code, new_id, id_number, name, name_pinyin, name_initials, sex, birth_date, ethnicity, hukou_type,
      marital_status, phone, household_id, relation_to_head, mother_id, current_org_code, current_residence_type,
      source, import_key, created_by, updated_by FROM cost_src`;
  const spellInsert = `INSERT INTO residence_spell (county_code, person_id, org_code, residence_type, valid_from, household_id)
    SELECT county_code, new_id, current_org_code, current_residence_type, birth_date, household_id FROM cost_src`;
  const indexes = (
    await client.query<{ name: string; table: string }>(
      `SELECT indexrelid::regclass::text AS name, indrelid::regclass::text AS table FROM pg_index
        WHERE indrelid IN ('person'::regclass, 'residence_spell'::regclass) AND NOT indisprimary`,
    )
  ).rows;
  const time = async (label: string, setup: string[], statements: string[]) => {
    await client.query('BEGIN');
    try {
      for (const sql of setup) await client.query(sql);
      for (const sql of statements) {
        const started = performance.now();
        await client.query(sql);
        const us = ((performance.now() - started) * 1000) / n;
        lines.push(
          `  ${label.padEnd(44)} ${sql.includes('residence_spell') ? 'residence_spell' : 'person'.padEnd(15)} ${us.toFixed(0).padStart(5)} µs/row`,
        );
      }
    } finally {
      await client.query('ROLLBACK');
    }
  };
  await time('as they are (all indexes, foreign keys)', [], [personInsert, spellInsert]);
  await time(
    'without triggers (foreign keys, data_version)',
    ['SET LOCAL session_replication_role = replica'],
    [personInsert, spellInsert],
  );
  await time(
    'without triggers and secondary indexes',
    ['SET LOCAL session_replication_role = replica', ...indexes.map((i) => `DROP INDEX ${i.name}`)],
    [personInsert, spellInsert],
  );
  await client.end();
  return lines;
}

/** The CPU seconds of each phase, this process / the server: ", CPU-s 12.3 / 8.9 and 0.4 / 14.2". */
function phaseCpu(
  rows: { process: NodeJS.CpuUsage; server: number | null } | null,
  total: NodeJS.CpuUsage,
  serverTotal: number | null,
): string {
  if (rows === null) return '';
  const own = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1e6;
  const server = (seconds: number | null) => (seconds === null ? '' : ` / ${seconds.toFixed(1)}`);
  return (
    `; CPU-s (this process${serverTotal === null ? '' : ' / the server'}) ${own(rows.process).toFixed(1)}${server(rows.server)}` +
    ` and ${(own(total) - own(rows.process)).toFixed(1)}${server(serverTotal === null || rows.server === null ? null : serverTotal - rows.server)}`
  );
}

const machine = await describeMachine();
const load = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
const store = await freshDatabase();
try {
  const { path, source } = await prepareFile(async () =>
    (
      await store.database.db
        .selectFrom('org_unit')
        .select('code')
        .where('level', '=', 'village')
        .where('county_code', '=', COUNTY)
        .execute()
    ).map((u) => u.code),
  );
  const bytes = statSync(path).size;
  log(
    `bench: ${path} (${(bytes / 2 ** 20).toFixed(0)} MiB, source ${source}); storage ${args.storage}; load ${load}`,
  );

  const copySeconds = await plainCopy(store.database, store.url, path);
  log(`bench: plain COPY ${copySeconds.toFixed(1)} s`);

  const times = new Map<string, number>();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const serverCpu = store.url ? await serverCpuMeter(store.url) : null;
  // Set by the progress callback (a plain `let x: number | null = null` narrows to null for tsc).
  let rowsSeconds = null as number | null;
  let rowsCpu = null as { process: NodeJS.CpuUsage; server: number | null } | null;
  let lastLog = 0;
  const report = await importPersons(
    { database: timedDatabase(store.database, times), actor: { id: 'bench' }, today: TODAY },
    {
      path,
      county: COUNTY,
      chunkSize: Number(args.chunk),
      mode: args.mode as ImportMode,
      onProgress: (p) => {
        const now = performance.now();
        if (p.phase === 'indexes') {
          rowsSeconds = (now - started) / 1000;
          rowsCpu = { process: process.cpuUsage(cpuBefore), server: serverCpu?.seconds() ?? null };
          log(`bench: every row written after ${rowsSeconds.toFixed(1)} s; building indexes`);
          return;
        }
        if (now - lastLog < 10_000) return;
        lastLog = now;
        const seconds = (now - started) / 1000;
        log(
          `bench: ${p.rowsDone} rows, ${Math.round(p.rowsDone / seconds)}/s, ${((100 * p.bytesRead) / p.bytesTotal).toFixed(0)}% of the file`,
        );
      },
    },
  );
  const importSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const serverSeconds = serverCpu?.seconds() ?? null;
  const rows = report.rows.total;
  const importRate = rows / importSeconds;
  const copyRate = rows / copySeconds;

  const again = performance.now();
  const second = await importPersons(
    { database: store.database, actor: { id: 'bench' }, today: TODAY },
    { path, county: COUNTY },
  );
  const againSeconds = (performance.now() - again) / 1000;

  const target = args.storage === 'postgres' ? 50_000 : 10_000;
  const lines = [
    `bench/import — ${new Date().toISOString().slice(0, 10)}`,
    `machine: ${machine}; load average at start ${load}`,
    `storage: ${args.storage}${store.url ? ` (${new URL(store.url).host})` : ''}; file: ${source}, ${rows.toLocaleString('en')} rows, ${(bytes / 2 ** 20).toFixed(0)} MiB; chunk ${args.chunk}`,
    `rows: ${JSON.stringify(report.rows)}`,
    `plain COPY into an unindexed table: ${copySeconds.toFixed(1)} s = ${Math.round(copyRate).toLocaleString('en')} rows/s`,
    `renkou import:                      ${importSeconds.toFixed(1)} s = ${Math.round(importRate).toLocaleString('en')} persons/s`,
    rowsSeconds === null
      ? 'phases: rows and indexes not told apart (a chunked import keeps its indexes)'
      : `phases: rows written ${rowsSeconds.toFixed(1)} s, then indexes, keys and statistics ${(importSeconds - rowsSeconds).toFixed(1)} s${phaseCpu(rowsCpu, cpu, serverSeconds)}`,
    `this process's CPU during the import: ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (user ${(cpu.user / 1e6).toFixed(1)}, system ${(cpu.system / 1e6).toFixed(1)})${args.storage === 'pglite' ? ', PGlite included (it runs in this process)' : serverSeconds === null ? " — the database server's is not measured (not a process of this machine)" : ''}`,
    ...(serverSeconds === null
      ? []
      : [
          `the database server's CPU during the import: ${serverSeconds.toFixed(1)} s (every process of it); both: ${(serverSeconds + (cpu.user + cpu.system) / 1e6).toFixed(1)} CPU-s of the ${(availableCores() * importSeconds).toFixed(1)} this machine's ${availableCores()} cores had in the import's time`,
        ]),
    `import / COPY: ${(importRate / copyRate).toFixed(3)}${args.storage === 'postgres' ? ' (target ≥ 0.5)' : ''}`,
    `target ${target.toLocaleString('en')} persons/s: ${importRate >= target ? 'met' : 'NOT met'}`,
    `same file again: ${second.alreadyImported ? 'already imported, nothing written' : 'WROTE AGAIN'} in ${againSeconds.toFixed(1)} s`,
    'database time by statement (s):',
    ...[...times]
      .sort((a, b) => b[1] - a[1])
      .filter(([, ms]) => ms >= 100)
      .map(([key, ms]) => `  ${(ms / 1000).toFixed(1).padStart(7)}  ${key}`),
  ];
  if (args.costs === 'yes' && store.url) {
    lines.push(
      "cost of the registry's indexes and triggers, 10,000 rows each (rolled back):",
      ...(await indexCosts(store.url)),
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await store.cleanup();
}
