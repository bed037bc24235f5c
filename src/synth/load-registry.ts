import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database, RawSession } from '../db/database.ts';
import { AppError } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import { nameKeys } from '../domain/pinyin.ts';
import { resolvePendingBatches } from '../feeds/ingest-feed.ts';
import { initCounty } from '../org/init-county.ts';
import { createCsvSink, formatCsvLine } from './csv-sink.ts';
import { generateCounty, type SynthOptions } from './generate-county.ts';
import { type Cell, type SynthSink, teeSinks } from './sink.ts';
import { SYNTH_TABLES, type SynthTable } from './tables.ts';

/**
 * Loads a generated county straight into the database: the registry as the county has it and
 * the department feeds as batches waiting to be linked (ground truth never goes in). Rows are
 * staged as CSV files while the generator runs, then COPY'd into temporary tables and moved into
 * the registry with set-based SQL in one transaction: all of it or none.
 */

const FEED_SOURCES: Partial<Record<SynthTable, string>> = {
  'feeds/birth_certificates': 'birth_certificate',
  'feeds/marriage_registrations': 'marriage_registration',
  'feeds/hukou_registrations': 'hukou_registration',
  'feeds/death_certificates': 'death_certificate',
};

interface StagedFile {
  path: string;
  stream: WriteStream;
  columns: string[];
  rows: number;
}

export interface LoadStep {
  step: string;
  rows: number;
  ms: number;
}

export interface RegistryLoadSink extends SynthSink {
  /** What the load wrote, step by step (after close). */
  readonly steps: LoadStep[];
  /** How many steps the load will report (known once the tables are open). */
  expectedSteps(): number;
}

/** Registry steps after the COPYs: households, persons, heads, spells, events, unions, history. */
const REGISTRY_STEPS = 7;

function stageName(table: SynthTable): string {
  return `synth_${table.replace('/', '_')}`;
}

export function createRegistryLoadSink(
  database: Database,
  countyCode: string,
  options: { actor?: string; onStep?: (step: LoadStep) => void } = {},
): RegistryLoadSink {
  const dir = mkdtempSync(join(tmpdir(), 'renkou-synth-load-'));
  const files = new Map<SynthTable, StagedFile>();
  const steps: LoadStep[] = [];
  const withPinyin = [...SYNTH_TABLES['registry/persons'], 'name_pinyin', 'name_initials'];
  const nameIndex = SYNTH_TABLES['registry/persons'].indexOf('name');
  let pending = new Map<SynthTable, string>();

  const flush = (table: SynthTable) => {
    const chunk = pending.get(table);
    if (!chunk) return;
    files.get(table)!.stream.write(chunk);
    pending.set(table, '');
  };

  return {
    steps,
    expectedSteps() {
      const feeds = [...files.keys()].filter((table) => FEED_SOURCES[table] !== undefined).length;
      return files.size + REGISTRY_STEPS + feeds;
    },
    open(table, columns) {
      if (!table.startsWith('registry/') && !table.startsWith('feeds/')) return;
      const path = join(dir, `${table.replace('/', '_')}.csv`);
      const stream = createWriteStream(path, { highWaterMark: 1 << 20 });
      const cols = table === 'registry/persons' ? withPinyin : [...columns];
      files.set(table, { path, stream, columns: cols, rows: 0 });
      pending.set(table, `${formatCsvLine(cols)}\n`);
    },
    row(table, values) {
      const file = files.get(table);
      if (!file) return;
      file.rows++;
      let line: string;
      if (table === 'registry/persons') {
        const keys = nameKeys(String(values[nameIndex] ?? ''));
        line = formatCsvLine([...values, keys.pinyin, keys.initials]);
      } else {
        line = formatCsvLine(values as Cell[]);
      }
      const chunk = `${pending.get(table) ?? ''}${line}\n`;
      pending.set(table, chunk);
      if (chunk.length > 1 << 16) flush(table);
    },
    async drain() {
      for (const [table, file] of files) {
        flush(table);
        if (file.stream.writableNeedDrain) await once(file.stream, 'drain');
      }
    },
    async close() {
      try {
        for (const [table, file] of files) {
          flush(table);
          file.stream.end();
          await once(file.stream, 'finish');
        }
        pending = new Map();
        await database.withSession((session) =>
          load(session, countyCode, files, options.actor ?? 'synth', (step) => {
            steps.push(step);
            options.onStep?.(step);
          }),
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

async function load(
  session: RawSession,
  county: string,
  files: Map<SynthTable, StagedFile>,
  actor: string,
  report: (step: LoadStep) => void,
) {
  const existing = await session.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM person WHERE county_code = $1 AND source = 'synth'",
    [county],
  );
  if ((existing[0]?.n ?? 0) > 0) {
    throw new AppError(
      'conflict',
      text(
        `数据库中已有 ${county} 的模拟人口；请用一个新的数据库（或新的数据目录）生成`,
        `The database already holds a synthetic population for ${county}; generate into a fresh database (or data directory)`,
      ),
      { field: 'county' },
    );
  }
  const timed = async (step: string, sqlText: string) => {
    const started = performance.now();
    const rows = await session.query<{ n: number }>(sqlText);
    report({ step, rows: rows[0]?.n ?? 0, ms: performance.now() - started });
  };
  await session.exec('BEGIN');
  try {
    for (const [table, file] of files) {
      const stage = stageName(table);
      await session.exec(
        `CREATE TEMP TABLE ${stage} (${file.columns.map((c) => `"${c}" text`).join(', ')}) ON COMMIT DROP`,
      );
      const started = performance.now();
      await session.copyCsvFile(
        stage,
        file.columns.map((c) => `"${c}"`),
        file.path,
      );
      report({ step: `copy ${table}`, rows: file.rows, ms: performance.now() - started });
    }
    const c = county.replaceAll("'", '');
    // Ids are drawn from the tables' own sequences up front, so links (mother, household, spouse)
    // resolve by joins on the staging tables instead of updates after the fact.
    await timed(
      'households',
      `WITH ins AS (
         INSERT INTO household (county_code, id, household_no, org_code, address, hukou_type, status, created_by)
         SELECT '${c}', h.id, s.household_no, s.village_code, nullif(s.address, ''),
                CASE WHEN s.hukou_type IN ('rural', 'urban') THEN s.hukou_type END,
                CASE WHEN s.status IN ('active', 'dissolved') THEN s.status ELSE 'active' END, '${actor}'
           FROM synth_registry_households s
           JOIN (SELECT household_key, nextval(pg_get_serial_sequence('household', 'id')) AS id
                   FROM synth_registry_households) h USING (household_key)
         RETURNING id)
       SELECT count(*)::int AS n FROM ins`,
    );
    await session.exec(
      `CREATE TEMP TABLE synth_household_id ON COMMIT DROP AS
         SELECT s.household_key, h.id FROM synth_registry_households s
           JOIN household h ON h.county_code = '${c}' AND h.household_no = s.household_no;
       CREATE TEMP TABLE synth_person_id ON COMMIT DROP AS
         SELECT person_key, nextval(pg_get_serial_sequence('person', 'id')) AS id FROM synth_registry_persons;
       CREATE INDEX ON synth_person_id (person_key);
       CREATE INDEX ON synth_household_id (household_key);
       ANALYZE synth_person_id; ANALYZE synth_household_id;`,
    );
    await timed(
      'persons',
      `WITH ins AS (
         INSERT INTO person (county_code, id, id_number, name, name_pinyin, name_initials, sex, birth_date, ethnicity,
                             hukou_type, marital_status, phone, household_id, relation_to_head, mother_id, father_id,
                             birth_order, death_date, current_org_code, current_residence_type, status, source,
                             import_key, created_by, updated_by)
         SELECT '${c}', i.id,
                CASE WHEN upper(s.id_number) ~ '^[0-9]{17}[0-9X]$' THEN upper(s.id_number) END,
                s.name, s.name_pinyin, s.name_initials, s.sex, s.birth_date::date, nullif(s.ethnicity, ''),
                CASE WHEN s.hukou_type IN ('rural', 'urban') THEN s.hukou_type END,
                CASE WHEN s.marital_status IN ('single', 'married', 'divorced', 'widowed') THEN s.marital_status END,
                nullif(s.phone, ''), h.id, nullif(s.relation_to_head, ''), m.id, f.id,
                nullif(s.birth_order, '')::smallint,
                CASE WHEN s.status = 'dead' THEN coalesce(nullif(s.death_date, '')::date, s.birth_date::date) END,
                nullif(s.village_code, ''),
                CASE WHEN s.residence_type IN ('registered', 'resident', 'inflow', 'outflow') THEN s.residence_type END,
                CASE WHEN s.status IN ('active', 'dead', 'moved_out') THEN s.status ELSE 'active' END,
                'synth', s.person_key, '${actor}', '${actor}'
           FROM synth_registry_persons s
           JOIN synth_person_id i USING (person_key)
           LEFT JOIN synth_household_id h ON h.household_key = s.household_key
           LEFT JOIN synth_person_id m ON m.person_key = s.mother_key
           LEFT JOIN synth_person_id f ON f.person_key = s.father_key
         RETURNING 1)
       SELECT count(*)::int AS n FROM ins`,
    );
    await timed(
      'household heads',
      `WITH upd AS (
         UPDATE household h SET head_person_id = p.id
           FROM synth_registry_households s
           JOIN synth_household_id hi USING (household_key)
           JOIN synth_person_id p ON p.person_key = s.head_person_key
          WHERE h.county_code = '${c}' AND h.id = hi.id
         RETURNING 1)
       SELECT count(*)::int AS n FROM upd`,
    );
    await timed(
      'residence spells',
      `WITH ins AS (
         INSERT INTO residence_spell (county_code, person_id, org_code, residence_type, valid_from, valid_to, household_id)
         SELECT '${c}', p.id, s.village_code, s.residence_type, s.valid_from::date, nullif(s.valid_to, '')::date, h.id
           FROM synth_registry_residence_spells s
           JOIN synth_person_id p USING (person_key)
           LEFT JOIN synth_household_id h ON h.household_key = s.household_key
          WHERE s.residence_type IN ('registered', 'resident', 'inflow', 'outflow')
            AND (nullif(s.valid_to, '') IS NULL OR s.valid_to::date > s.valid_from::date)
         RETURNING 1)
       SELECT count(*)::int AS n FROM ins`,
    );
    await timed(
      'events',
      `WITH ins AS (
         INSERT INTO vital_event (county_code, kind, person_id, other_person_id, event_date, report_date, org_code,
                                  source, entered_by, details, import_key)
         SELECT '${c}', s.kind, p.id, o.id, s.event_date::date, greatest(s.report_date::date, s.event_date::date),
                coalesce(nullif(s.org_code, ''), '${c}'), 'synth', '${actor}',
                jsonb_strip_nulls(jsonb_build_object(
                  'motherId', mo.id, 'fatherId', fa.id, 'birthOrder', nullif(s.birth_order, '')::int,
                  'fromCode', nullif(s.from_code, ''), 'toCode', nullif(s.to_code, ''),
                  'fromResidenceType', nullif(s.from_residence_type, ''), 'toResidenceType', nullif(s.to_residence_type, ''),
                  'motherIdNumber', mp.id_number)),
                s.event_key
           FROM synth_registry_events s
           JOIN synth_person_id p ON p.person_key = s.person_key
           LEFT JOIN synth_person_id o ON o.person_key = s.other_person_key
           LEFT JOIN synth_person_id mo ON mo.person_key = s.mother_key
           LEFT JOIN synth_person_id fa ON fa.person_key = s.father_key
           LEFT JOIN synth_registry_persons mp ON mp.person_key = s.mother_key
          WHERE s.kind IN ('birth', 'death', 'marriage', 'divorce', 'move_in', 'move_out', 'residence_change')
         RETURNING 1)
       SELECT count(*)::int AS n FROM ins`,
    );
    // Marriages: one union row per spouse in the registry, ended by the couple's divorce or a death.
    await timed(
      'unions',
      `WITH m AS (
         SELECT e.person_id AS a, e.other_person_id AS b, e.event_date AS start_date FROM vital_event e
          WHERE e.county_code = '${c}' AND e.kind = 'marriage' AND e.source = 'synth' AND e.other_person_id IS NOT NULL),
       pairs AS (SELECT a AS person_id, b AS partner_id, start_date FROM m UNION ALL SELECT b, a, start_date FROM m),
       dv AS (
         SELECT least(person_id, other_person_id) AS x, greatest(person_id, other_person_id) AS y, event_date
           FROM vital_event WHERE county_code = '${c}' AND kind = 'divorce' AND other_person_id IS NOT NULL),
       divorced AS (
         SELECT pr.person_id, pr.partner_id, pr.start_date, min(dv.event_date) AS divorced
           FROM pairs pr LEFT JOIN dv ON dv.x = least(pr.person_id, pr.partner_id)
                                     AND dv.y = greatest(pr.person_id, pr.partner_id) AND dv.event_date >= pr.start_date
          GROUP BY 1, 2, 3),
       ended AS (
         SELECT d.*, least(pp.death_date, qq.death_date) AS died
           FROM divorced d
           JOIN person pp ON pp.county_code = '${c}' AND pp.id = d.person_id
           JOIN person qq ON qq.county_code = '${c}' AND qq.id = d.partner_id),
       ins AS (
         INSERT INTO person_union (county_code, person_id, partner_id, partner_name, start_date, end_date, end_reason)
         SELECT '${c}', e.person_id, e.partner_id, q.name, e.start_date,
                CASE WHEN e.divorced IS NOT NULL AND (e.died IS NULL OR e.divorced <= e.died) THEN e.divorced
                     WHEN e.died >= e.start_date THEN e.died END,
                CASE WHEN e.divorced IS NOT NULL AND (e.died IS NULL OR e.divorced <= e.died) THEN 'divorce'
                     WHEN e.died >= e.start_date THEN 'death' END
           FROM ended e JOIN person q ON q.county_code = '${c}' AND q.id = e.partner_id
         RETURNING 1)
       SELECT count(*)::int AS n FROM ins`,
    );
    await timed(
      'history',
      `WITH ins AS (
         INSERT INTO person_version (county_code, person_id, version, change_kind, changed_by, reason, changes)
         SELECT p.county_code, p.id, 1, 'import', '${actor}', 'synthetic county', '{}'::jsonb
           FROM person p WHERE p.county_code = '${c}' AND p.source = 'synth'
         RETURNING 1)
       SELECT count(*)::int AS n FROM ins`,
    );
    for (const [table, source] of Object.entries(FEED_SOURCES) as [SynthTable, string][]) {
      const file = files.get(table);
      if (!file) continue;
      const stage = stageName(table);
      const columns = JSON.stringify(file.columns).replaceAll("'", "''");
      await timed(
        `feed ${source}`,
        `WITH b AS (
           INSERT INTO feed_batch (county_code, source, file_name, columns, row_count, received_by)
           VALUES ('${c}', '${source}', '${table}.csv (synthetic)', '${columns}'::jsonb, ${file.rows}, '${actor}')
           RETURNING id),
         ins AS (
           INSERT INTO feed_record (batch_id, row_no, county_code, raw)
           SELECT b.id, row_number() OVER ()::int, '${c}', to_jsonb(s) FROM ${stage} s, b
           RETURNING 1)
         SELECT count(*)::int AS n FROM ins`,
      );
    }
    await session.exec('COMMIT');
  } catch (error) {
    await session.exec('ROLLBACK').catch(() => undefined);
    throw error;
  }
  await session.exec('ANALYZE person; ANALYZE residence_spell; ANALYZE vital_event; ANALYZE household;');
}

export interface IntoDatabaseOptions extends Omit<SynthOptions, 'onProgress'> {
  /** Also write the CSV files (registry, feeds, truth) here. */
  out?: string | undefined;
  actor?: string;
  onProgress?: (phase: 'generate' | 'load', done: number, total: number) => void;
}

/**
 * Generates a county into the database (and optionally CSV files too): loads the county's org
 * units if missing, then the registry and the feeds, in one transaction.
 */
export async function generateCountyIntoDatabase(database: Database, options: IntoDatabaseOptions) {
  const county = await initCounty(database.db, options.county);
  let done = 0;
  const sink: RegistryLoadSink = createRegistryLoadSink(database, county.county.code, {
    actor: options.actor ?? 'synth',
    onStep: () => options.onProgress?.('load', ++done, sink.expectedSteps()),
  });
  const result = await generateCounty(
    {
      ...options,
      county: county.county.code,
      onProgress: (d, total) => options.onProgress?.('generate', d, total),
    },
    options.out ? teeSinks(createCsvSink(options.out), sink) : sink,
  );
  // The feed batches get their source's standard mapping and each record its event kind, date
  // and village, as an ingested file would (src/feeds/).
  await resolvePendingBatches(database, county.county.code);
  return { result, steps: sink.steps };
}
