import { dataVersion } from '../../db/data-version.ts';
import type { RawSession, StorageKind } from '../../db/database.ts';
import { AppError, type FieldIssue } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import { ownCopy } from './csv-reader.ts';
import type { ValidPersonRow } from './validate-row.ts';
import { bornHere, type ChunkWriteResult, householdIssue } from './write-chunk.ts';

/**
 * A county's initial load (see docs/import.md, "Initial load"): every row of the file into a
 * county that has no persons yet, in one transaction. Row by row, each person costs the database
 * ~100 µs of index and foreign-key upkeep (13 indexes on person alone); here the registry tables'
 * secondary indexes and foreign keys are dropped for the load, the rows go in by COPY with ids,
 * households and mothers worked out in JS (the county is empty, so nothing in the registry can
 * match a row), and at the end the indexes are built once each, sorted, and the foreign keys
 * added back — which checks every row against them in one join each. The transaction keeps the
 * all-or-nothing rule: a failure anywhere, including a row that breaks a constraint when it is
 * added back, leaves the registry as it was, indexes included.
 *
 * While it runs the loaded tables are locked (ACCESS EXCLUSIVE): other readers of the registry wait.
 * That is why only the CLI chooses it by itself (importPersons' `mode: 'auto'`), and only for a
 * file big enough to be worth it.
 */

/**
 * The tables an initial load writes and whose secondary indexes and foreign keys it rebuilds
 * (person_name_key: the typo search's dictionary, filled once at the end instead of by the
 * person table's insert trigger, whose trigram index costs as much as the person row itself).
 */
const LOADED_TABLES = [
  'household',
  'person',
  'residence_spell',
  'person_version',
  'import_pending_link',
  'person_name_key',
  'vital_event',
] as const;
/**
 * Insert triggers switched off while the load runs, because finish() does their work once for the
 * whole load: the search dictionary's, and the data_version counters' (each collects every
 * inserted row into a transition table). Named one by one: a trigger added later stays on.
 */
const DEFERRED_TRIGGERS = [
  ['person', 'person_name_key_on_insert'],
  ['person', 'person_data_version_ins'],
  ['residence_spell', 'spell_data_version_ins'],
  ['vital_event', 'event_data_version_ins'],
] as const;
const switchTriggers = (state: 'ENABLE' | 'DISABLE') =>
  DEFERRED_TRIGGERS.map(([table, trigger]) => `ALTER TABLE ${table} ${state} TRIGGER ${trigger}`).join('; ');

/** Files smaller than this are imported chunk by chunk even into an empty county (≈ 30,000 rows of CSV). */
export const BULK_MIN_BYTES = 4 * 2 ** 20;
/** A rough size of one person's row in an import file, to guess a file's rows from its bytes. */
const BYTES_PER_ROW = 150;

const PERSON_COPY_COLUMNS = [
  'county_code',
  'id',
  'id_number',
  'name',
  'name_pinyin',
  'name_initials',
  'sex',
  'birth_date',
  'ethnicity',
  'hukou_type',
  'marital_status',
  'phone',
  'household_id',
  'relation_to_head',
  'mother_id',
  'birth_order',
  'current_org_code',
  'current_residence_type',
  'source',
  'import_key',
  'created_by',
  'updated_by',
];
const SPELL_COPY_COLUMNS = [
  'county_code',
  'person_id',
  'org_code',
  'residence_type',
  'valid_from',
  'household_id',
];
const HOUSEHOLD_COPY_COLUMNS = [
  'county_code',
  'id',
  'household_no',
  'org_code',
  'hukou_type',
  'head_person_id',
  'created_by',
];
const BIRTH_COPY_COLUMNS = [
  'county_code',
  'kind',
  'person_id',
  'other_person_id',
  'event_date',
  'report_date',
  'org_code',
  'source',
  'entered_by',
  'details',
  'import_key',
];
const PENDING_COPY_COLUMNS = ['county_code', 'person_id', 'mother_id_number', 'batch_id'];
const VERSION_COPY_COLUMNS = [
  'county_code',
  'person_id',
  'version',
  'change_kind',
  'changed_by',
  'reason',
  'changes',
];

interface RebuiltObject {
  /** The statement that creates it again. */
  create: string;
  drop: string;
}

// Indexes on the loaded tables that back no constraint (primary keys and unique constraints stay:
// other tables' foreign keys hang on them), and the loaded tables' own foreign keys.
const SECONDARY_INDEXES = `
SELECT format('DROP INDEX %s', i.indexrelid::regclass) AS drop, pg_get_indexdef(i.indexrelid) AS create
  FROM pg_index i
 WHERE i.indrelid = ANY($1::regclass[])
   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
 ORDER BY i.indexrelid`;

const OWN_FOREIGN_KEYS = `
SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname) AS drop,
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)) AS create
  FROM pg_constraint c
 WHERE c.contype = 'f' AND c.conrelid = ANY($1::regclass[])
 ORDER BY c.oid`;

/** What decides whether an import becomes an initial load by itself (mode `auto`). */
export interface InitialLoadFacts {
  /** The county holds no persons and no households. */
  empty: boolean;
  /** Persons in the whole registry, all counties (the planner's estimate). */
  registryPersons: number;
  fileBytes: number;
  /**
   * The database user owns the registry tables, as dropping and creating their indexes and
   * switching their triggers needs (a deployment may run the application as a lesser role).
   */
  ownsTables: boolean;
}

/**
 * Mode `auto`: an initial load for an empty county and a file big enough to be worth the index
 * rebuild, and only while the rest of the registry is small beside it — rebuilding an index
 * sorts its whole table, other counties' rows included.
 */
export function chooseInitialLoad(facts: InitialLoadFacts): boolean {
  const fileRows = facts.fileBytes / BYTES_PER_ROW;
  return (
    facts.empty &&
    facts.ownsTables &&
    facts.fileBytes >= BULK_MIN_BYTES &&
    facts.registryPersons <= 2 * fileRows
  );
}

/** The facts chooseInitialLoad weighs, read from the database. */
export async function initialLoadFacts(
  session: RawSession,
  countyCode: string,
  fileBytes: number,
): Promise<InitialLoadFacts> {
  const [row] = await session.query<{
    persons: boolean;
    households: boolean;
    registry: number;
    owns: boolean;
  }>(
    `SELECT EXISTS (SELECT 1 FROM person WHERE county_code = $1::text) AS persons,
            EXISTS (SELECT 1 FROM household WHERE county_code = $1::text) AS households,
            greatest((SELECT reltuples FROM pg_class WHERE oid = 'person'::regclass), 0)::bigint AS registry,
            (SELECT bool_and(pg_has_role(current_user, relowner, 'USAGE')) FROM pg_class
              WHERE oid = ANY($2::regclass[])) AS owns`,
    [countyCode, [...LOADED_TABLES]],
  );
  return {
    empty: !row!.persons && !row!.households,
    registryPersons: Number(row!.registry),
    fileBytes,
    ownsTables: row!.owns === true,
  };
}

interface HouseholdDraft {
  id: number;
  householdNo: string;
  orgCode: string;
  hukouType: string | null;
  headPersonId: number | null;
  /** A row accepted so far names the household's head. */
  hasHead: boolean;
}

/** A chunk worked out by BulkLoad.prepare: its rows' outcomes, and the COPY text that writes them. */
export interface PreparedChunk {
  result: ChunkWriteResult;
  copies: [table: string, columns: string[], rows: string][];
}

/** Rows prepared between two looks at the event loop. */
const PREPARE_SLICE = 1_000;
/** Ids drawn from a sequence at a time. */
const ID_BLOCK = 50_000;

export interface BulkLoadOptions {
  kind: StorageKind;
  countyCode: string;
  actorId: string;
  batchId: number;
  /** The import's date: the report date of the births it records. */
  today: string;
}

/** The load's state across chunks; open with startBulkLoad inside the caller's transaction. */
export class BulkLoad {
  private readonly households = new Map<string, HouseholdDraft>();
  /** Person id of every ID number loaded so far, to link mothers listed before their children. */
  private readonly personByIdNumber = new Map<string, number>();

  private readonly session: RawSession;
  private readonly options: BulkLoadOptions;
  /** What start() dropped: indexes, then foreign keys, in the order finish() creates them. */
  private readonly rebuilt: RebuiltObject[];
  private readonly sequences: { person: string; household: string };

  private constructor(
    session: RawSession,
    options: BulkLoadOptions,
    rebuilt: RebuiltObject[],
    sequences: { person: string; household: string },
  ) {
    this.session = session;
    this.options = options;
    this.rebuilt = rebuilt;
    this.sequences = sequences;
  }

  /** Locks the tables, checks the county is still empty, and drops what finish() builds again. */
  static async start(session: RawSession, options: BulkLoadOptions): Promise<BulkLoad> {
    await session.exec(`LOCK TABLE ${LOADED_TABLES.join(', ')} IN ACCESS EXCLUSIVE MODE`);
    const [county] = await session.query<{ busy: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM person WHERE county_code = $1::text)
           OR EXISTS (SELECT 1 FROM household WHERE county_code = $1::text) AS busy`,
      [options.countyCode],
    );
    if (county!.busy) throw initialLoadRefused(options.countyCode);
    const tables = [...LOADED_TABLES];
    const foreignKeys = await session.query<RebuiltObject>(OWN_FOREIGN_KEYS, [tables]);
    const indexes = await session.query<RebuiltObject>(SECONDARY_INDEXES, [tables]);
    for (const object of [...foreignKeys, ...indexes]) await session.exec(object.drop);
    await session.exec(switchTriggers('DISABLE'));
    const [sequences] = await session.query<{ person: string; household: string }>(
      `SELECT pg_get_serial_sequence('person', 'id') AS person, pg_get_serial_sequence('household', 'id') AS household`,
    );
    // Indexes first, then the foreign keys (whose checks use them).
    return new BulkLoad(session, options, [...indexes, ...foreignKeys], sequences!);
  }

  /**
   * Draws n values from a sequence: values no other session gets, whatever it does meanwhile.
   * Nearly always one unbroken run, sent back as its ends; the values themselves only when
   * another session drew from the sequence in between.
   */
  private async draw(sequence: string, n: number): Promise<number[]> {
    if (n === 0) return [];
    const [row] = await this.session.query<{ first: string; last: string; ids: string[] | null }>(
      `SELECT min(v) AS first, max(v) AS last,
              CASE WHEN max(v) - min(v) + 1 <> $2::int THEN array_agg(v ORDER BY v) END AS ids
         FROM (SELECT nextval($1::regclass) AS v FROM generate_series(1, $2::int)) s`,
      [sequence, n],
    );
    if (row!.ids) return row!.ids.map(Number);
    const first = Number(row!.first);
    return Array.from({ length: n }, (_, i) => first + i);
  }

  /** Ids drawn ahead, so a chunk can be prepared while the one before it is still being copied. */
  private readonly idPools = { person: [] as number[], household: [] as number[] };

  private async takeIds(kind: 'person' | 'household', n: number): Promise<number[]> {
    if (this.idPools[kind].length < n) {
      // concat, not push(...): a chunk bigger than a block would pass more arguments than a call takes.
      const drawn = await this.draw(this.sequences[kind], Math.max(n, ID_BLOCK));
      this.idPools[kind] = this.idPools[kind].concat(drawn);
    }
    return this.idPools[kind].splice(0, n);
  }

  /** Birth dates of the children loaded in earlier chunks, by mother. */
  private readonly childrenOf = new Map<number, string[]>();

  /**
   * Each row's number among its mother's children, as a chunked import numbers them
   * (write-chunk.ts NUMBER_CHILDREN): her children of earlier chunks born on or before it, plus its
   * rank in the chunk by birth date and row. null without a known mother.
   */
  private numberChildren(rows: readonly ValidPersonRow[], motherOf: readonly (number | null)[]) {
    const byMother = new Map<number, number[]>();
    motherOf.forEach((mother, i) => {
      if (mother === null) return;
      const list = byMother.get(mother);
      if (list) list.push(i);
      else byMother.set(mother, [i]);
    });
    const order: (number | null)[] = rows.map(() => null);
    for (const [mother, indices] of byMother) {
      indices.sort(
        (a, b) => rows[a]!.birthDate.localeCompare(rows[b]!.birthDate) || rows[a]!.rowNo - rows[b]!.rowNo,
      );
      const earlier = this.childrenOf.get(mother) ?? [];
      indices.forEach((index, rank) => {
        const before = earlier.filter((date) => date <= rows[index]!.birthDate).length;
        order[index] = Math.min(rank + 1 + before, 32767);
      });
      this.childrenOf.set(mother, earlier.concat(indices.map((index) => rows[index]!.birthDate)));
    }
    return order;
  }

  /**
   * Works out one chunk of validated rows — households, ids, mothers, the COPY text — without
   * writing anything: send() writes it. Households are written by finish(), with their heads.
   */
  async prepare(rows: readonly ValidPersonRow[]): Promise<PreparedChunk> {
    const { countyCode, actorId, batchId } = this.options;
    const result: ChunkWriteResult = { ok: [], unchanged: [], conflicts: [], headsPending: false };
    // A household lives in one village and has one head: the first row that names a household
    // decides its village; a later row that disagrees, or a second head, is quarantined.
    const accepted: ValidPersonRow[] = [];
    /** The household of each accepted row (undefined: in none). */
    const householdOf: (HouseholdDraft | undefined)[] = [];
    const newHouseholds: HouseholdDraft[] = [];
    for (const row of rows) {
      const householdNo = row.householdNo;
      if (householdNo === null) {
        accepted.push(row);
        householdOf.push(undefined);
        continue;
      }
      const household = this.households.get(householdNo);
      let issue: FieldIssue | undefined;
      if (household && household.orgCode !== row.orgCode) {
        issue = householdIssue(row, {
          code: 'household_village_mismatch',
          org_code: household.orgCode,
          status: 'active',
        });
      } else if (household?.hasHead && row.relationToHead === 'head') {
        issue = householdIssue(row, { code: 'household_has_head', org_code: row.orgCode, status: 'active' });
      }
      if (issue) {
        result.conflicts.push({ rowNo: row.rowNo, issues: [issue] });
        continue;
      }
      if (!household) {
        // Kept for the whole load: a copy, not a cut of the text it was read from.
        const draft: HouseholdDraft = {
          id: 0,
          householdNo: ownCopy(householdNo),
          orgCode: row.orgCode,
          hukouType: row.hukouType,
          headPersonId: null,
          hasHead: row.relationToHead === 'head',
        };
        this.households.set(draft.householdNo, draft);
        newHouseholds.push(draft);
        householdOf.push(draft);
      } else {
        if (row.relationToHead === 'head') household.hasHead = true;
        householdOf.push(household);
      }
      accepted.push(row);
    }
    if (newHouseholds.length > 0) {
      const householdIds = await this.takeIds('household', newHouseholds.length);
      newHouseholds.forEach((draft, i) => {
        draft.id = householdIds[i]!;
      });
    }
    if (accepted.length === 0) return { result, copies: [] };
    const personIds = await this.takeIds('person', accepted.length);
    // A mother anywhere in this chunk or before it is linked at once, as a chunked import links
    // one within its chunk; one further on waits in import_pending_link.
    accepted.forEach((row, i) => {
      if (row.idNumber !== null) this.personByIdNumber.set(ownCopy(row.idNumber), personIds[i]!);
    });

    // Each row's mother, where she is known by now, and the child's number among her children.
    const motherOf = accepted.map((row) =>
      row.motherIdNumber === null ? null : (this.personByIdNumber.get(row.motherIdNumber) ?? null),
    );
    const birthOrderOf = this.numberChildren(accepted, motherOf);

    const persons = new CopyRows();
    const spells = new CopyRows();
    const versions = new CopyRows();
    const pending = new CopyRows();
    const births = new CopyRows();
    const actor = copyValue(actorId);
    const { today } = this.options;
    // The first history version leaves out its changes and its snapshot: both are read off the
    // person's row (impliedFirstChanges, rewoundSnapshot), so it is a line of a few dozen bytes.
    const versionReason = `import batch ${batchId}, row `;
    const batchText = String(batchId);
    for (let i = 0; i < accepted.length; i++) {
      // Let the socket drain now and then: the chunk before this one is being copied meanwhile.
      if (i % PREPARE_SLICE === PREPARE_SLICE - 1) await new Promise(setImmediate);
      const row = accepted[i]!;
      const personId = personIds[i]!;
      const personText = String(personId);
      const household = householdOf[i];
      if (household && row.relationToHead === 'head') {
        household.headPersonId = personId;
        // The head's row speaks for the household's hukou type, as a chunked import takes it.
        household.hukouType = row.hukouType;
      }
      const householdText = household ? String(household.id) : NULL;
      const motherId = motherOf[i]!;
      if (row.motherIdNumber !== null && motherId === null)
        pending.add([countyCode, personText, row.motherIdNumber, batchText]);
      const motherText = motherId === null ? NULL : String(motherId);
      const importKey = copyValue(row.importKey);
      persons.add([
        countyCode,
        personText,
        row.idNumber ?? NULL,
        copyValue(row.name),
        copyValue(row.namePinyin),
        copyValue(row.nameInitials),
        row.sex,
        row.birthDate,
        copyValue(row.ethnicity),
        row.hukouType ?? NULL,
        row.maritalStatus ?? NULL,
        copyValue(row.phone),
        householdText,
        copyValue(row.relationToHead),
        motherText,
        birthOrderOf[i] === null ? NULL : String(birthOrderOf[i]),
        row.orgCode,
        row.residenceType,
        'import',
        importKey,
        actor,
        actor,
      ]);
      spells.add([countyCode, personText, row.orgCode, row.residenceType, row.residenceFrom, householdText]);
      versions.add([countyCode, personText, '1', 'import', actor, `${versionReason}${row.rowNo}`, '{}']);
      if (bornHere(row)) {
        // As write-chunk's INSERT_BIRTHS: the mother's id and ID number, those known.
        const mother = [
          motherId === null ? '' : `"motherId": ${motherId}`,
          row.motherIdNumber === null ? '' : `"motherIdNumber": "${row.motherIdNumber}"`,
        ].filter((part) => part !== '');
        births.add([
          countyCode,
          'birth',
          personText,
          motherText,
          row.birthDate,
          today,
          row.orgCode,
          'import',
          actor,
          `{${mother.join(', ')}}`,
          importKey,
        ]);
      }
      result.ok.push({ rowNo: row.rowNo, personId });
    }
    const copies: PreparedChunk['copies'] = [
      ['person', PERSON_COPY_COLUMNS, persons.text()],
      ['residence_spell', SPELL_COPY_COLUMNS, spells.text()],
      ['person_version', VERSION_COPY_COLUMNS, versions.text()],
    ];
    if (!pending.isEmpty()) copies.push(['import_pending_link', PENDING_COPY_COLUMNS, pending.text()]);
    if (!births.isEmpty()) copies.push(['vital_event', BIRTH_COPY_COLUMNS, births.text()]);
    return { result, copies };
  }

  /** Writes a prepared chunk: its COPYs, in order (the person rows before what refers to them). */
  async send(prepared: PreparedChunk): Promise<void> {
    for (const [table, columns, rows] of prepared.copies) await this.session.copyText(table, columns, rows);
  }

  /**
   * Writes the households, builds the dropped indexes and foreign keys again, and brings the
   * planner's statistics up to date; `onPhase` hears when the index work starts. Still inside the
   * caller's transaction.
   */
  async finish(onPhase?: (phase: 'indexes') => void): Promise<void> {
    const { countyCode, actorId } = this.options;
    const households: string[] = [];
    const actor = copyValue(actorId);
    for (const h of this.households.values()) {
      households.push(
        `${countyCode}\t${h.id}\t${copyValue(h.householdNo)}\t${h.orgCode}\t${h.hukouType ?? NULL}\t` +
          `${h.headPersonId ?? NULL}\t${actor}\n`,
      );
    }
    if (households.length > 0)
      await this.session.copyText('household', HOUSEHOLD_COPY_COLUMNS, households.join(''));
    onPhase?.('indexes');
    await this.session.exec(switchTriggers('ENABLE'));
    // What the triggers would have done, once: the county's distinct pinyin names into the
    // dictionary, and the county's registry version bumped (see bump_data_version, migration 0004).
    await this.session.query(
      `INSERT INTO person_name_key (name_pinyin)
       SELECT DISTINCT name_pinyin FROM person WHERE county_code = $1::text
       ON CONFLICT DO NOTHING`,
      [countyCode],
    );
    await dataVersion.bump(this.session, countyCode);
    // Each index is one sort of its table; on PostgreSQL with parallel workers where it can. Each
    // foreign key added back is one join over its table: in memory, not spilled at a server's
    // default work_mem of 4 MB.
    await this.session.exec(
      this.options.kind === 'postgres'
        ? "SET LOCAL maintenance_work_mem = '1GB'; SET LOCAL work_mem = '256MB'"
        : "SET LOCAL maintenance_work_mem = '256MB'",
    );
    // Statistics first: the foreign keys' checks are planned on them (without, a join over a
    // freshly loaded million rows is planned as if the tables were small and takes 3-4 times as
    // long). The index builds need none, and set their indexes' sizes themselves.
    await this.session.exec(LOADED_TABLES.map((t) => `ANALYZE ${t}`).join('; '));
    for (const object of this.rebuilt) await this.session.exec(object.create);
  }
}

/** The refusal when a county asked to be loaded from scratch already has registry rows. */
export function initialLoadRefused(countyCode: string): AppError {
  return new AppError(
    'conflict',
    text(
      `县 ${countyCode} 的登记库中已有人员或户，不能整批初始导入；请按常规分块导入（--mode chunked）`,
      `County ${countyCode} already has persons or households in the registry, so this cannot be an initial load; import it chunk by chunk (--mode chunked)`,
    ),
    { field: 'mode' },
  );
}

/**
 * Rows in COPY's text format. Each row is joined from its values at once: written as one
 * template string, a row is a rope of some forty pieces that the chunk's final join has to walk.
 */
class CopyRows {
  readonly #rows: string[] = [];

  /**
   * Appends a row; each value a string already in COPY's text format (see copyValue), numbers
   * written out: join takes a slower path for an array that holds a number.
   */
  add(values: readonly string[]): void {
    this.#rows.push(values.join('\t'));
  }

  isEmpty(): boolean {
    return this.#rows.length === 0;
  }

  text(): string {
    return this.#rows.length === 0 ? '' : `${this.#rows.join('\n')}\n`;
  }
}

/** COPY text format's null. */
const NULL = '\\N';
const COPY_SPECIAL = /[\\\t\n\r]/;

/** A value in COPY's text format: null as \N; backslash, tab and line breaks escaped. */
function copyValue(value: string | null): string {
  if (value === null) return NULL;
  if (!COPY_SPECIAL.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}
