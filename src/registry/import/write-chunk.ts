import type { RawSession } from '../../db/database.ts';
import { type FieldIssue, fieldIssue } from '../../domain/errors.ts';
import { COLUMN_BY_FIELD, type PersonField } from './person-columns.ts';
import type { ValidPersonRow } from './validate-row.ts';
import {
  ETHNICITY_VALUES,
  HUKOU_VALUES,
  labelOf,
  MARITAL_VALUES,
  RELATION_VALUES,
  RESIDENCE_VALUES,
  SEX_VALUES,
  type ValueChoice,
} from './value-aliases.ts';

/**
 * Writes one chunk of validated rows, set-wise, in the caller's transaction: COPY into a staging
 * table, then a handful of statements that find rows already in the registry (unchanged, or in
 * conflict), check households, and INSERT … SELECT the rest into household, person,
 * residence_spell and person_version. Nothing here commits; the caller commits the chunk together
 * with the batch's progress, so a chunk is all there or not there at all.
 */

const STAGE_COLUMNS = [
  'row_no',
  'import_key',
  'source_key',
  'id_number',
  'household_no',
  'org_code',
  'name',
  'name_pinyin',
  'name_initials',
  'sex',
  'birth_date',
  'ethnicity',
  'hukou_type',
  'marital_status',
  'phone',
  'relation_to_head',
  'residence_type',
  'residence_from',
  'mother_id_number',
] as const;

// ON COMMIT DELETE ROWS: the staging table is empty at the start of every chunk's transaction,
// and a rolled-back chunk leaves nothing behind in it either.
const CREATE_STAGE = `
CREATE TEMP TABLE import_stage (
  row_no           integer NOT NULL,
  import_key       text COLLATE "C" NOT NULL,
  source_key       text COLLATE "C",
  id_number        text COLLATE "C",
  household_no     text,
  org_code         text COLLATE "C" NOT NULL,
  name             text NOT NULL,
  name_pinyin      text COLLATE "C" NOT NULL,
  name_initials    text COLLATE "C" NOT NULL,
  sex              text NOT NULL,
  birth_date       date NOT NULL,
  ethnicity        text,
  hukou_type       text,
  marital_status   text,
  phone            text,
  relation_to_head text,
  residence_type   text NOT NULL,
  residence_from   date NOT NULL,
  mother_id_number text COLLATE "C",
  match_id         bigint,
  household_id     bigint,
  new_household    boolean NOT NULL DEFAULT false,
  person_id        bigint,
  mother_id        bigint,
  birth_order      smallint
) ON COMMIT DELETE ROWS`;

/**
 * Brings the planner's statistics of the registry tables up to date. During a big import they grow
 * many-fold within minutes, faster than autovacuum looks at them, and a plan made for a table the
 * statistics still call tiny (a nested loop over all its rows, per staged row) takes minutes
 * instead of milliseconds.
 */
export async function analyseRegistry(session: RawSession): Promise<void> {
  await session.exec('ANALYZE person; ANALYZE household');
}

/** Rows the registry's person table has, as far as the planner knows. */
export async function plannedPersons(session: RawSession): Promise<number> {
  const [row] = await session.query<{ n: number }>(
    `SELECT greatest(reltuples, 0)::bigint AS n FROM pg_class WHERE oid = 'person'::regclass`,
  );
  return Number(row?.n ?? 0);
}

/** Makes the session ready for writeChunk: the staging table, and the person id sequence's name. */
export async function prepareSession(session: RawSession): Promise<{ personSequence: string }> {
  const [exists] = await session.query<{ t: string | null }>(
    `SELECT to_regclass('pg_temp.import_stage')::text AS t`,
  );
  if (!exists?.t) await session.exec(CREATE_STAGE);
  const [seq] = await session.query<{ s: string }>(`SELECT pg_get_serial_sequence('person', 'id') AS s`);
  return { personSequence: seq!.s };
}

const NEEDS_QUOTES = /[",\r\n\\]/;

export function csvField(value: string | null): string {
  if (value === null) return '';
  if (value === '' || NEEDS_QUOTES.test(value)) return `"${value.replaceAll('"', '""')}"`;
  return value;
}

/** The chunk's rows as COPY text for the staging table. */
function stageCsv(rows: readonly ValidPersonRow[]): string {
  const lines: string[] = [STAGE_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push(
      `${r.rowNo},${csvField(r.importKey)},${csvField(r.sourceKey)},${r.idNumber ?? ''},${csvField(r.householdNo)},` +
        `${r.orgCode},${csvField(r.name)},${csvField(r.namePinyin)},${csvField(r.nameInitials)},${r.sex},${r.birthDate},` +
        `${csvField(r.ethnicity)},${r.hukouType ?? ''},${r.maritalStatus ?? ''},${csvField(r.phone)},` +
        `${csvField(r.relationToHead)},${r.residenceType},${r.residenceFrom},${r.motherIdNumber ?? ''}`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

const LIVE = `status NOT IN ('voided', 'merged')`;

// A row is the same person as a registry record when they share the ID number (live records),
// else the import key (an earlier import of this row, in any state), else — for a record without
// an ID number — the household (or, for a person in none, the village), name and birth date. Correlated subqueries, so each is an index
// probe per staged row whatever the planner thinks of a temp table it has no statistics for.
const MATCH = `
WITH m AS (
  UPDATE import_stage s
     SET match_id = coalesce(
           CASE WHEN s.id_number IS NOT NULL THEN (
             SELECT p.id FROM person p
              WHERE p.county_code = $1::text AND p.id_number = s.id_number AND p.${LIVE} LIMIT 1) END,
           (SELECT p.id FROM person p
             WHERE p.county_code = $1::text AND p.source = 'import' AND p.import_key = s.import_key LIMIT 1),
           CASE WHEN s.household_no IS NOT NULL THEN (
             SELECT p.id FROM household h JOIN person p ON p.county_code = h.county_code AND p.household_id = h.id
              WHERE h.county_code = $1::text AND h.household_no = s.household_no AND p.name COLLATE "C" = s.name
                AND p.birth_date = s.birth_date AND p.id_number IS NULL AND p.${LIVE} LIMIT 1)
           ELSE (
             SELECT p.id FROM person p
              WHERE p.name COLLATE "C" = s.name AND p.county_code = $1::text AND p.household_id IS NULL
                AND p.current_org_code = s.org_code AND p.birth_date = s.birth_date AND p.id_number IS NULL
                AND p.${LIVE} LIMIT 1) END),
         household_id = (SELECT h.id FROM household h WHERE h.county_code = $1::text AND h.household_no = s.household_no)
  RETURNING s.match_id)
SELECT count(match_id)::int AS n FROM m`;

/** What the registry holds for a matched row, to compare field by field. */
interface RegistryRecord {
  row_no: number;
  id: number;
  status: string;
  id_number: string | null;
  name: string;
  sex: string;
  birth_date: string;
  ethnicity: string | null;
  hukou_type: string | null;
  marital_status: string | null;
  phone: string | null;
  relation_to_head: string | null;
  current_org_code: string | null;
  current_residence_type: string | null;
  household_no: string | null;
  residence_from: string | null;
  mother_id_number: string | null;
  mother_id: number | null;
  row_mother_in_registry: boolean;
}

// LATERAL … LIMIT 1 keeps every lookup an index probe per matched row.
const SELECT_MATCHED = `
SELECT s.row_no, p.id, p.status, p.id_number, p.name, p.sex, p.birth_date, p.ethnicity, p.hukou_type,
       p.marital_status, p.phone, p.relation_to_head, p.current_org_code, p.current_residence_type,
       (SELECT h.household_no FROM household h
         WHERE h.county_code = p.county_code AND h.id = p.household_id) AS household_no,
       (SELECT r.valid_from FROM residence_spell r
         WHERE r.county_code = p.county_code AND r.person_id = p.id AND r.valid_to IS NULL AND NOT r.voided
         ORDER BY r.valid_from DESC LIMIT 1) AS residence_from,
       (SELECT m.id_number FROM person m WHERE m.county_code = p.county_code AND m.id = p.mother_id) AS mother_id_number,
       p.mother_id,
       (s.mother_id_number IS NOT NULL AND EXISTS (
          SELECT 1 FROM person rm
           WHERE rm.county_code = $1::text AND rm.id_number = s.mother_id_number AND rm.${LIVE}
       )) AS row_mother_in_registry
  FROM import_stage s
 CROSS JOIN LATERAL (
   SELECT * FROM person p WHERE p.county_code = $1::text AND p.id = s.match_id LIMIT 1) p
 WHERE s.match_id IS NOT NULL`;

// A household lives in one village and has one head. The first row that names a new household
// decides its village; later rows that disagree are quarantined rather than guessed at.
const HOUSEHOLD_CONFLICTS = `
SELECT s.row_no,
       CASE WHEN h.status <> 'active' THEN 'household_not_active'
            WHEN h.org_code <> s.org_code THEN 'household_village_mismatch'
            ELSE 'household_has_head' END AS code,
       h.org_code, h.status
  FROM import_stage s
 CROSS JOIN LATERAL (
   SELECT h.org_code, h.status, h.head_person_id FROM household h
    WHERE h.county_code = $1::text AND h.id = s.household_id LIMIT 1) h
 WHERE h.status <> 'active' OR h.org_code <> s.org_code
    OR (s.relation_to_head = 'head' AND h.head_person_id IS NOT NULL)
UNION ALL
SELECT s.row_no, 'household_village_mismatch', f.org_code, 'active'
  FROM import_stage s
  JOIN (SELECT DISTINCT ON (household_no) household_no, org_code
          FROM import_stage WHERE household_id IS NULL AND household_no IS NOT NULL
         ORDER BY household_no, row_no) f
    ON f.household_no = s.household_no
 WHERE s.household_id IS NULL AND s.org_code <> f.org_code
UNION ALL
SELECT x.row_no, 'household_has_head', x.org_code, 'active'
  FROM (SELECT row_no, org_code, row_number() OVER (PARTITION BY household_no ORDER BY row_no) AS k
          FROM import_stage WHERE relation_to_head = 'head' AND household_no IS NOT NULL) x
 WHERE x.k > 1`;

// Person ids are drawn first, so a new household is inserted with its head already set: updating
// a row inserted in the same transaction would run its foreign-key checks a second time.
const ASSIGN_IDS = (sequence: string) => `
UPDATE import_stage s
   SET person_id = nextval('${sequence}'),
       mother_id = CASE WHEN s.mother_id_number IS NULL THEN NULL ELSE (
         SELECT m.id FROM person m
          WHERE m.county_code = $1::text AND m.id_number = s.mother_id_number AND m.${LIVE}
          LIMIT 1) END`;

const INSERT_HOUSEHOLDS = `
WITH ins AS (
  INSERT INTO household (county_code, household_no, org_code, hukou_type, head_person_id, created_by)
  SELECT DISTINCT ON (household_no) $1::text, household_no, org_code, hukou_type,
         CASE WHEN relation_to_head = 'head' THEN person_id END, $2::text
    FROM import_stage
   WHERE household_id IS NULL AND household_no IS NOT NULL
   ORDER BY household_no, (relation_to_head IS NOT DISTINCT FROM 'head') DESC, row_no
  ON CONFLICT (county_code, household_no) DO NOTHING
  RETURNING id, household_no)
UPDATE import_stage s SET household_id = ins.id, new_household = true
  FROM ins WHERE s.household_no = ins.household_no`;

// A mother further up in the same chunk.
const LINK_MOTHERS_IN_CHUNK = `
UPDATE import_stage s SET mother_id = m.person_id
  FROM import_stage m
 WHERE s.mother_id IS NULL AND s.mother_id_number IS NOT NULL AND m.id_number = s.mother_id_number`;

// A file brings no birth order: a child with a mother in the registry is numbered among her
// children as registering the birth numbers it — those the registry has (born on or before this
// child's birth date; earlier chunks included) and, within the chunk, by birth date and row.
// Children of one household come in one chunk (chunks close at a household's end).
const NUMBER_CHILDREN = `
UPDATE import_stage s SET birth_order = least(o.n, 32767)
  FROM (SELECT x.row_no,
               row_number() OVER (PARTITION BY x.mother_id ORDER BY x.birth_date, x.row_no)
               + (SELECT count(*) FROM person sib
                   WHERE sib.county_code = $1::text AND sib.mother_id = x.mother_id
                     AND sib.${LIVE} AND sib.birth_date <= x.birth_date) AS n
          FROM import_stage x WHERE x.mother_id IS NOT NULL) o
 WHERE s.row_no = o.row_no`;

const INSERT_PERSONS = `
INSERT INTO person (county_code, id, id_number, name, name_pinyin, name_initials, sex, birth_date, ethnicity,
                    hukou_type, marital_status, phone, household_id, relation_to_head, mother_id, birth_order,
                    current_org_code, current_residence_type, source, import_key, created_by, updated_by)
SELECT $1::text, person_id, id_number, name, name_pinyin, name_initials, sex, birth_date, ethnicity,
       hukou_type, marital_status, phone, household_id, relation_to_head, mother_id, birth_order,
       org_code, residence_type, 'import', import_key, $2::text, $2::text
  FROM import_stage`;

const INSERT_SPELLS = `
INSERT INTO residence_spell (county_code, person_id, org_code, residence_type, valid_from, valid_to, household_id)
SELECT $1::text, person_id, org_code, residence_type, residence_from, NULL, household_id FROM import_stage`;

// A household someone else committed while this chunk was being written (the INSERT above waited
// for it and skipped it): attach to it, and check these rows against it as for any existing one.
const REATTACH_HOUSEHOLDS = `
WITH attached AS (
  UPDATE import_stage s
     SET household_id = (SELECT h.id FROM household h
                          WHERE h.county_code = $1::text AND h.household_no = s.household_no)
   WHERE s.household_id IS NULL AND s.household_no IS NOT NULL
  RETURNING s.row_no, s.household_id)
SELECT row_no FROM attached WHERE household_id IS NOT NULL`;

const REATTACHED_CONFLICTS = `
SELECT s.row_no,
       CASE WHEN h.status <> 'active' THEN 'household_not_active'
            WHEN h.org_code <> s.org_code THEN 'household_village_mismatch'
            ELSE 'household_has_head' END AS code,
       h.org_code, h.status
  FROM import_stage s
 CROSS JOIN LATERAL (
   SELECT h.org_code, h.status, h.head_person_id FROM household h
    WHERE h.county_code = $1::text AND h.id = s.household_id LIMIT 1) h
 WHERE s.row_no = ANY($2::int[])
   AND (h.status <> 'active' OR h.org_code <> s.org_code
        OR (s.relation_to_head = 'head' AND h.head_person_id IS NOT NULL))`;

// Heads of households that existed before this chunk and had none: the few pairs are read out
// first and joined back as an array, so the plan is index probes whatever the statistics say.
const HEADS_FOR_EXISTING = `
SELECT household_id, person_id FROM import_stage
 WHERE relation_to_head = 'head' AND NOT new_household AND household_id IS NOT NULL
 ORDER BY row_no`;

const SET_HEADS = `
UPDATE household h SET head_person_id = v.person_id
  FROM unnest($2::bigint[], $3::bigint[]) AS v(household_id, person_id)
 WHERE h.county_code = $1::text AND h.id = v.household_id AND h.head_person_id IS NULL`;

// The first history version, its changes and snapshot left out: both are read off the person's
// row (impliedFirstChanges, rewoundSnapshot in person-store.ts).
const INSERT_VERSIONS = `
INSERT INTO person_version (county_code, person_id, version, change_kind, changed_by, reason, changes)
SELECT $1::text, person_id, 1, 'import', $2::text, $3::text || row_no, '{}'::jsonb
  FROM import_stage`;

// A person whose residence in the village began on their birth date was born there: the import
// records the birth, as registering it would have (docs/import.md, "Births"). Its report date is
// the import's: the registry learnt of it then, and timeliness leaves imported events out.
const INSERT_BIRTHS = `
INSERT INTO vital_event (county_code, kind, person_id, other_person_id, event_date, report_date, org_code,
                         source, entered_by, details, import_key)
SELECT $1::text, 'birth', person_id, mother_id, birth_date, $3::date, org_code, 'import', $2::text,
       jsonb_strip_nulls(jsonb_build_object('motherId', mother_id, 'motherIdNumber', mother_id_number)), import_key
  FROM import_stage WHERE residence_from = birth_date`;

const INSERT_PENDING_LINKS = `
INSERT INTO import_pending_link (county_code, person_id, mother_id_number, batch_id)
SELECT $1::text, person_id, mother_id_number, $2::bigint
  FROM import_stage WHERE mother_id IS NULL AND mother_id_number IS NOT NULL`;

export interface ChunkWriteInput {
  countyCode: string;
  actorId: string;
  batchId: number;
  personSequence: string;
  /** The import's date: the report date of the births it records. */
  today: string;
  rows: readonly ValidPersonRow[];
  /** Whether the caller needs each new row's person id (resubmission does; bulk import does not). */
  returnPersonIds?: boolean;
}

export interface ChunkWriteResult {
  /** Row numbers that created a person (with the id when asked for). */
  ok: { rowNo: number; personId?: number }[];
  /** Rows already in the registry with exactly these values. */
  unchanged: { rowNo: number; personId: number }[];
  /** Rows in conflict with the registry or the household, with their issues. */
  conflicts: { rowNo: number; issues: FieldIssue[] }[];
  /** Rows name a head for an existing household: call setHouseholdHeads before committing. */
  headsPending: boolean;
}

/**
 * Runs a statement that joins the few staged rows to a big registry table with nested loops over
 * the registry's indexes. The staging table has no statistics (ANALYZE on every chunk costs more
 * than it saves), and with them missing the planner may hash the whole registry table instead.
 */
async function withIndexProbes<T>(session: RawSession, run: () => Promise<T>): Promise<T> {
  await session.exec(
    'SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; SET LOCAL enable_seqscan = off',
  );
  const result = await run();
  await session.exec(
    'SET LOCAL enable_hashjoin TO DEFAULT; SET LOCAL enable_mergejoin TO DEFAULT; SET LOCAL enable_seqscan TO DEFAULT',
  );
  return result;
}

type HouseholdConflict = { row_no: number; code: string; org_code: string; status: string };

/** Writes validated rows; see the module comment. Runs inside the caller's open transaction. */
export async function writeChunk(session: RawSession, input: ChunkWriteInput): Promise<ChunkWriteResult> {
  const county = input.countyCode;
  const byRow = new Map(input.rows.map((row) => [row.rowNo, row]));
  const result: ChunkWriteResult = { ok: [], unchanged: [], conflicts: [], headsPending: false };
  const settled = new Set<number>();
  const settle = async (conflicts: HouseholdConflict[]) => {
    const removed: number[] = [];
    for (const conflict of conflicts) {
      if (settled.has(conflict.row_no)) continue;
      settled.add(conflict.row_no);
      const row = byRow.get(conflict.row_no)!;
      result.conflicts.push({ rowNo: conflict.row_no, issues: [householdIssue(row, conflict)] });
      removed.push(conflict.row_no);
    }
    if (removed.length > 0)
      await session.query('DELETE FROM import_stage WHERE row_no = ANY($1::int[])', [removed]);
  };
  if (input.rows.length === 0) return result;

  // A JIT compile costs more than these statements run for; and withIndexProbes' plan costs, with
  // sequential scans priced out, would always cross the JIT threshold.
  await session.exec('SET LOCAL jit = off');
  await session.copyCsv('import_stage', [...STAGE_COLUMNS], stageCsv(input.rows));

  const [match] = await session.query<{ n: number }>(MATCH, [county]);
  if ((match?.n ?? 0) > 0) {
    const records = await withIndexProbes(session, () =>
      session.query<RegistryRecord>(SELECT_MATCHED, [county]),
    );
    for (const record of records) {
      const row = byRow.get(record.row_no)!;
      const issues = compareWithRegistry(row, record);
      settled.add(row.rowNo);
      if (issues.length === 0) result.unchanged.push({ rowNo: row.rowNo, personId: record.id });
      else result.conflicts.push({ rowNo: row.rowNo, issues });
    }
    await session.query('DELETE FROM import_stage WHERE match_id IS NOT NULL');
  }

  await settle(await session.query<HouseholdConflict>(HOUSEHOLD_CONFLICTS, [county]));
  if (input.rows.every((row) => settled.has(row.rowNo))) return result;

  await session.query(ASSIGN_IDS(input.personSequence), [county]);
  await session.query(INSERT_HOUSEHOLDS, [county, input.actorId]);
  const reattached = await session.query<{ row_no: number }>(REATTACH_HOUSEHOLDS, [county]);
  if (reattached.length > 0) {
    const rows = reattached.map((r) => r.row_no);
    await settle(await session.query<HouseholdConflict>(REATTACHED_CONFLICTS, [county, rows]));
  }

  const fresh = input.rows.filter((row) => !settled.has(row.rowNo));
  if (fresh.length === 0) return result;
  if (fresh.some((row) => row.motherIdNumber !== null)) {
    await session.query(LINK_MOTHERS_IN_CHUNK);
    await session.query(NUMBER_CHILDREN, [county]);
  }
  await session.query(INSERT_PERSONS, [county, input.actorId]);
  await session.query(INSERT_SPELLS, [county]);
  await session.query(INSERT_VERSIONS, [county, input.actorId, `import batch ${input.batchId}, row `]);
  if (fresh.some(bornHere)) await session.query(INSERT_BIRTHS, [county, input.actorId, input.today]);
  if (fresh.some((row) => row.motherIdNumber !== null)) {
    await session.query(INSERT_PENDING_LINKS, [county, input.batchId]);
  }
  result.headsPending = fresh.some((row) => row.relationToHead === 'head');
  if (input.returnPersonIds) {
    const ids = await session.query<{ row_no: number; person_id: number }>(
      'SELECT row_no, person_id FROM import_stage ORDER BY row_no',
    );
    result.ok = ids.map((r) => ({ rowNo: r.row_no, personId: r.person_id }));
  } else {
    result.ok = fresh.map((row) => ({ rowNo: row.rowNo }));
  }
  return result;
}

/** The row's person was born where the row places them: their residence there began at birth. */
export function bornHere(row: ValidPersonRow): boolean {
  return row.residenceFrom === row.birthDate;
}

/** Sets the head of households that existed before the chunk and had none, from its rows. */
export async function setHouseholdHeads(session: RawSession, countyCode: string): Promise<void> {
  const pairs = await session.query<{ household_id: number; person_id: number }>(HEADS_FOR_EXISTING);
  if (pairs.length === 0) return;
  // One head per household: the first row that names one.
  const byHousehold = new Map<number, number>();
  for (const pair of pairs)
    if (!byHousehold.has(pair.household_id)) byHousehold.set(pair.household_id, pair.person_id);
  await withIndexProbes(session, () =>
    session.query(SET_HEADS, [countyCode, [...byHousehold.keys()], [...byHousehold.values()]]),
  );
}

export function householdIssue(
  row: ValidPersonRow,
  conflict: { code: string; org_code: string; status: string },
): FieldIssue {
  if (conflict.code === 'household_not_active') {
    return fieldIssue(
      'household_not_active',
      'householdNo',
      `户 ${row.householdNo} 在登记库中已${conflict.status === 'voided' ? '作废' : '注销'}`,
      `Household ${row.householdNo} is ${conflict.status} in the registry`,
    );
  }
  if (conflict.code === 'household_village_mismatch') {
    return fieldIssue(
      'household_village_mismatch',
      'villageCode',
      `户 ${row.householdNo} 属于村（居）${conflict.org_code}，与本行的 ${row.orgCode} 不一致`,
      `Household ${row.householdNo} belongs to village ${conflict.org_code}, not ${row.orgCode} as this row says`,
    );
  }
  return fieldIssue(
    'household_has_head',
    'relationToHead',
    `户 ${row.householdNo} 已有户主`,
    `Household ${row.householdNo} already has a head`,
  );
}

const FIELD_CHOICES: Partial<Record<PersonField, readonly ValueChoice[]>> = {
  sex: SEX_VALUES,
  ethnicity: ETHNICITY_VALUES,
  hukouType: HUKOU_VALUES,
  maritalStatus: MARITAL_VALUES,
  relationToHead: RELATION_VALUES,
  residenceType: RESIDENCE_VALUES,
};

function shown(field: PersonField, value: string | null): string {
  const choices = FIELD_CHOICES[field];
  const label = choices ? labelOf(choices, value) : (value ?? '');
  return label === '' ? '（空）' : label;
}

function shownEn(field: PersonField, value: string | null): string {
  const choices = FIELD_CHOICES[field];
  if (value === null) return '(empty)';
  return choices ? (choices.find((c) => c.code === value)?.en ?? value) : value;
}

/**
 * Holds a row against the registry record it matched: no issues means unchanged (the row adds
 * nothing the registry does not know); otherwise one issue per field that differs.
 */
export function compareWithRegistry(row: ValidPersonRow, record: RegistryRecord): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (record.status !== 'active') {
    const zh: Record<string, string> = {
      dead: '已死亡',
      moved_out: '已迁出本县',
      voided: '已作废',
      merged: '已合并',
    };
    issues.push(
      fieldIssue(
        'person_not_active',
        row.idNumber ? 'idNumber' : 'name',
        `登记库中此人（人员 ${record.id}）${zh[record.status] ?? record.status}，不能再作为现住人口导入`,
        `In the registry this person (person ${record.id}) is ${record.status}; the row cannot add them as living here`,
      ),
    );
    return issues;
  }
  const pairs: [PersonField, string | null, string | null][] = [
    ['idNumber', row.idNumber, record.id_number],
    ['name', row.name, record.name],
    ['sex', row.sex, record.sex],
    ['birthDate', row.birthDate, record.birth_date],
    ['ethnicity', row.ethnicity, record.ethnicity],
    ['hukouType', row.hukouType, record.hukou_type],
    ['maritalStatus', row.maritalStatus, record.marital_status],
    ['phone', row.phone, record.phone],
    ['householdNo', row.householdNo, record.household_no],
    ['relationToHead', row.relationToHead, record.relation_to_head],
    ['villageCode', row.orgCode, record.current_org_code],
    ['residenceType', row.residenceType, record.current_residence_type],
    ['residenceFrom', row.residenceFrom, record.residence_from],
  ];
  // A mother the registry cannot link (she is not in it) is no difference: there is nothing to link.
  const motherDiffers =
    record.mother_id !== null
      ? row.motherIdNumber !== record.mother_id_number
      : row.motherIdNumber !== null && record.row_mother_in_registry;
  if (motherDiffers) pairs.push(['motherIdNumber', row.motherIdNumber, record.mother_id_number]);
  for (const [field, mine, theirs] of pairs) {
    if (field !== 'motherIdNumber' && mine === theirs) continue;
    // An empty optional cell says nothing: it neither confirms nor contradicts the registry.
    if (mine === null && !COLUMN_BY_FIELD.get(field)!.required) continue;
    const column = COLUMN_BY_FIELD.get(field)!;
    issues.push(
      fieldIssue(
        'differs_from_registry',
        field,
        `登记库中已有此人（人员 ${record.id}），其${column.zh}为“${shown(field, theirs)}”，与本行的“${shown(field, mine)}”不同；如需更改请在登记库中更正`,
        `The registry already has this person (person ${record.id}) with ${column.en} "${shownEn(field, theirs)}", not "${shownEn(field, mine)}" as this row says; correct the registry to change it`,
      ),
    );
  }
  return issues;
}
