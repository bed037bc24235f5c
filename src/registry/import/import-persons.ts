import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { sql } from 'kysely';
import { dataVersion } from '../../db/data-version.ts';
import type { Database, RawSession } from '../../db/database.ts';
import { AppError, type FieldIssue, fieldIssue } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import { type Actor, todayOf } from '../context.ts';
import { BulkLoad, chooseInitialLoad, initialLoadFacts, initialLoadRefused } from './bulk-load.ts';
import { isBlankRecord, ownCopy } from './csv-reader.ts';
import { detectFormat, type FileFormat, hashFile, openTable, readHeader } from './import-file.ts';
import { getImportReport, type ImportReport } from './import-report.ts';
import { linkPendingMothers } from './link-mothers.ts';
import { type ColumnMap, mapHeader } from './person-columns.ts';
import type { TableRow } from './table-row.ts';
import {
  type RawPersonRow,
  type RowRules,
  rawOf,
  type ValidPersonRow,
  validatePersonRow,
} from './validate-row.ts';
import {
  analyseRegistry,
  type ChunkWriteResult,
  plannedPersons,
  prepareSession,
  setHouseholdHeads,
  writeChunk,
} from './write-chunk.ts';

/** Who imports, and the date rules treat as today (injectable so tests do not depend on the calendar). */
export interface ImportContext {
  database: Database;
  actor: Actor;
  today?: string;
  /**
   * The units (subtree roots) the actor may import into, for resubmitting quarantined rows: a row
   * whose village lies outside them stays quarantined as `outside_units`. Undefined: everywhere
   * (the CLI's operator).
   */
  scope?: readonly string[];
}

export type ImportMode = 'auto' | 'chunked' | 'initial';

export interface ImportProgress {
  /** Data rows committed so far in this batch (in an initial load: written, committed at the end). */
  rowsDone: number;
  /** `indexes`: an initial load has written every row and is building the registry's indexes. */
  phase: 'rows' | 'indexes';
  bytesRead: number;
  bytesTotal: number;
}

/** The outcome of one row, for a per-row report. */
export interface RowOutcome {
  rowNo: number;
  outcome: 'ok' | 'unchanged' | 'quarantined';
  issues?: FieldIssue[];
}

export interface ImportPersonsInput {
  path: string;
  /** The name recorded for the batch (an upload's original name); the path's base name by default. */
  fileName?: string;
  /** csv or xlsx; read from the file's first bytes by default. */
  format?: FileFormat;
  /** 6-digit county code; by default the county of `unit`, else the only loaded county, else the county of the first row's village. */
  county?: string;
  /**
   * The unit the import is for — a county, township or village the importer holds the right for.
   * Rows whose village lies outside it are quarantined (`outside_units`), the rest imported. The
   * whole county by default. Recorded with the batch: who may read the batch follows from it.
   */
  unit?: string;
  /** Data rows per chunk (per transaction; in an initial load, per COPY). */
  chunkSize?: number;
  /**
   * How the rows reach the registry. `chunked` (the default): a transaction per chunk, indexes
   * kept up row by row, other work goes on in between. `initial`: a county's initial load, the whole
   * file in one transaction with the registry tables locked and their secondary indexes and
   * foreign keys rebuilt at the end (see bulk-load.ts) — refused unless the county is empty.
   * `auto`: `initial` when the county is empty and the file is big enough to be worth it, else
   * `chunked` (what the CLI does).
   */
  mode?: ImportMode;
  onProgress?: (progress: ImportProgress) => void;
  /** Called after each committed chunk with its rows' outcomes. */
  onRows?: (outcomes: RowOutcome[]) => void;
  /** Test hook: runs inside each chunk's transaction just before it commits; throwing rolls the chunk back. */
  beforeCommit?: (chunk: { chunkNo: number; lastRowNo: number }) => void | Promise<void>;
}

const DEFAULT_CHUNK_SIZE = 10_000;
/** Persons imported before the planner's statistics are first refreshed (then: whenever they double). */
const ANALYSE_EVERY = 10_000;
/** Rows validated between two looks at the event loop. */
const YIELD_EVERY = 200;
/** How far a full chunk may grow to reach the end of a household. */
const MAX_HOUSEHOLD_OVERRUN = 1_000;

interface PendingChunk {
  firstRowNo: number;
  lastRowNo: number;
  valid: ValidPersonRow[];
  /** The file rows of the valid rows, for the quarantine if the database finds a conflict. */
  sources: Map<number, TableRow>;
  rejected: { rowNo: number; raw: RawPersonRow; issues: FieldIssue[] }[];
  blank: number;
  /** The household number of the last row taken. */
  household: string;
}

function newChunk(): PendingChunk {
  return {
    firstRowNo: 0,
    lastRowNo: 0,
    valid: [],
    sources: new Map(),
    rejected: [],
    blank: 0,
    household: '',
  };
}

/** Loaded counties, and every village with its county. */
async function loadUnits(database: Database) {
  const units = await database.db
    .selectFrom('org_unit')
    .select(['code', 'level', 'county_code'])
    .where('level', 'in', ['county', 'village'])
    .execute();
  const counties = units.filter((u) => u.level === 'county').map((u) => u.code);
  const villages = new Map<string, string>();
  for (const unit of units) if (unit.level === 'village') villages.set(unit.code, unit.county_code!);
  return { counties, villages };
}

function resolveCounty(
  requested: string | undefined,
  counties: string[],
  firstVillage: string | undefined,
): string {
  if (requested !== undefined) {
    if (!counties.includes(requested)) {
      throw new AppError(
        'unknown_org_unit',
        text(
          `县 ${requested} 尚未加载（先运行 renkou init --county ${requested}）`,
          `County ${requested} is not loaded (run renkou init --county ${requested} first)`,
        ),
        { field: 'county' },
      );
    }
    return requested;
  }
  if (counties.length === 1) return counties[0]!;
  const guess = firstVillage?.slice(0, 6);
  if (guess && counties.includes(guess)) return guess;
  throw new AppError(
    'invalid_input',
    text(
      counties.length === 0
        ? '还没有加载任何县，请先运行 renkou init'
        : `已加载多个县（${counties.join('、')}），请指定要导入的县`,
      counties.length === 0
        ? 'No county is loaded yet; run renkou init first'
        : `Several counties are loaded (${counties.join(', ')}); say which county to import into`,
    ),
    { field: 'county' },
  );
}

/**
 * Imports persons from a CSV or XLSX file (see docs/import.md). Streams the file, validates each
 * row with the registry's rules, and writes it in chunks, each chunk one transaction together with
 * the batch's progress. Rows that fail go to the quarantine with their reasons; rows already in
 * the registry with the same values are counted as unchanged. The same file imported again (same
 * SHA-256, same county) creates nothing; a batch cut short resumes after its last committed chunk.
 * Returns the batch's report; bad rows never throw.
 */
export async function importPersons(
  context: ImportContext,
  input: ImportPersonsInput,
): Promise<ImportReport> {
  const { database } = context;
  const today = todayOf({ db: database.db, actor: context.actor, today: context.today });
  const chunkSize = Math.max(1, input.chunkSize ?? DEFAULT_CHUNK_SIZE);
  const bytesTotal = statSync(input.path).size;
  const format = input.format ?? (await detectFormat(input.path));
  const sha256 = await hashFile(input.path);
  const fileName = (input.fileName ?? basename(input.path)).slice(0, 255);

  const table = openTable(input.path, format);
  const iterator = table.batches[Symbol.asyncIterator]();
  try {
    // The header is the first row with anything in it; the rows after it in that batch wait in `buffered`.
    const start = await readHeader(iterator);
    const header = start.header;
    let buffered = start.after;
    if (!header) {
      throw new AppError('invalid_input', text('文件是空的，没有表头', 'The file is empty: no header row'), {
        field: 'file',
      });
    }
    const columns = mapHeader(header.cells);
    const { counties, villages } = await loadUnits(database);
    const villageIndex = columns.index.villageCode!;
    const firstVillage = buffered.find((row) => !isBlankRecord(row.cells))?.cells[villageIndex]?.trim();
    const unitCounty = input.unit === undefined ? undefined : await countyOfUnit(database, input.unit);
    if (unitCounty !== undefined && input.county !== undefined && input.county !== unitCounty) {
      throw new AppError(
        'invalid_input',
        text(
          `单位 ${input.unit} 不在县 ${input.county} 内`,
          `Unit ${input.unit} is not in county ${input.county}`,
        ),
        { field: 'unit' },
      );
    }
    const countyCode = resolveCounty(input.county ?? unitCounty, counties, firstVillage);
    if (
      input.unit !== undefined &&
      !countyCode.startsWith(input.unit) &&
      !input.unit.startsWith(countyCode)
    ) {
      throw new AppError(
        'invalid_input',
        text(
          `单位 ${input.unit} 不含县 ${countyCode}`,
          `Unit ${input.unit} does not hold county ${countyCode}`,
        ),
        { field: 'unit' },
      );
    }
    // A unit above the county (a prefecture's user) imports for the whole county.
    const unit = input.unit === undefined || input.unit.length < countyCode.length ? countyCode : input.unit;

    const batch = await findOrCreateBatch(database, {
      countyCode,
      fileName,
      format,
      sha256,
      bytes: bytesTotal,
      columns,
      headerRowNo: header.rowNo,
      actorId: context.actor.id,
      unit,
    });
    if (batch.status === 'completed') {
      return { ...(await getImportReport(database.db, batch.id)), alreadyImported: true };
    }
    const resumeAfter = batch.last_row_no;
    const resumed = batch.chunks_committed > 0 ? resumeAfter : null;

    const rules: RowRules = {
      countyCode,
      villages,
      today,
      ...(unit === countyCode ? {} : { scope: [unit] }),
    };
    const replayRules: RowRules = { ...rules, withoutPinyin: true };
    // The first row with each ID number / import key, for duplicates within the file.
    const seenIds = new Map<string, number>();
    const seenKeys = new Map<string, number>();

    const check = (row: TableRow, replay: boolean) => {
      const result = validatePersonRow(row, columns, replay ? replayRules : rules);
      if (!result.ok) return result;
      const issues: FieldIssue[] = [];
      const r = result.row;
      const firstId = r.idNumber ? seenIds.get(r.idNumber) : undefined;
      if (firstId !== undefined) {
        issues.push(
          fieldIssue(
            'duplicate_in_file',
            'idNumber',
            `身份号码与本文件第 ${firstId} 行重复`,
            `The ID number is the same as on row ${firstId} of this file`,
          ),
        );
      }
      // Most import keys are the ID number itself: those are not remembered twice.
      const keyIsId = r.importKey === r.idNumber;
      const firstKey = keyIsId ? undefined : seenKeys.get(r.importKey);
      if (firstKey !== undefined && firstId === undefined) {
        issues.push(
          r.sourceKey
            ? fieldIssue(
                'duplicate_in_file',
                'sourceKey',
                `来源编号与本文件第 ${firstKey} 行重复`,
                `The source key is the same as on row ${firstKey} of this file`,
              )
            : fieldIssue(
                'duplicate_in_file',
                'name',
                `同户同名同出生日期的人已在本文件第 ${firstKey} 行`,
                `A person with this household, name and birth date is already on row ${firstKey} of this file`,
              ),
        );
      }
      if (issues.length > 0) return { ok: false as const, issues, raw: rawOf(row, columns) };
      // Kept for the whole file: copies, not cuts of the text they were read from.
      if (r.idNumber) seenIds.set(ownCopy(r.idNumber), r.rowNo);
      if (!keyIsId) seenKeys.set(ownCopy(r.importKey), r.rowNo);
      return result;
    };

    let expectedLastRow = resumeAfter;
    let chunkNo = batch.chunks_committed;
    let rowsDone = batch.rows_total;

    /**
     * Records a written chunk in its transaction: its quarantined rows, its line in import_chunk
     * and the batch's progress. Returns the rows' outcomes.
     */
    const recordChunk = async (
      session: RawSession,
      chunk: PendingChunk,
      written: ChunkWriteResult,
      thisChunk: number,
    ): Promise<RowOutcome[]> => {
      const quarantined = [
        ...chunk.rejected.map((r) => ({ row_no: r.rowNo, raw: r.raw, issues: r.issues })),
        ...written.conflicts.map((c) => ({
          row_no: c.rowNo,
          raw: rawOf(chunk.sources.get(c.rowNo)!, columns),
          issues: c.issues,
        })),
      ].sort((a, b) => a.row_no - b.row_no);
      if (quarantined.length > 0) {
        await session.query(
          `INSERT INTO import_quarantine (batch_id, row_no, county_code, raw, issues)
           SELECT $1::bigint, q.row_no, $2::text, q.raw, q.issues
             FROM jsonb_to_recordset($3::jsonb) AS q(row_no integer, raw jsonb, issues jsonb)`,
          [batch.id, countyCode, JSON.stringify(quarantined)],
        );
      }
      const rows = written.ok.length + written.unchanged.length + quarantined.length;
      const unchangedRows = written.unchanged.map((u) => u.rowNo).sort((a, b) => a - b);
      await session.query(
        `INSERT INTO import_chunk (batch_id, chunk_no, first_row_no, last_row_no, rows_ok, rows_unchanged,
                                   rows_quarantined, unchanged_rows)
         VALUES ($1::bigint, $2::int, $3::int, $4::int, $5::int, $6::int, $7::int, $8::int[])`,
        [
          batch.id,
          thisChunk,
          chunk.firstRowNo,
          chunk.lastRowNo,
          written.ok.length,
          written.unchanged.length,
          quarantined.length,
          unchangedRows,
        ],
      );
      // Progress moves only from where this run found it: a second process importing the
      // same file at the same time gets a conflict here instead of writing the rows twice.
      const moved = await session.query(
        `UPDATE import_batch
            SET rows_total = rows_total + $2::int, rows_ok = rows_ok + $3::int,
                rows_unchanged = rows_unchanged + $4::int, rows_quarantined = rows_quarantined + $5::int,
                blank_rows = blank_rows + $6::int, last_row_no = $7::int,
                chunks_committed = chunks_committed + 1, updated_at = now()
          WHERE id = $1::bigint AND last_row_no = $8::int
         RETURNING id`,
        [
          batch.id,
          rows,
          written.ok.length,
          written.unchanged.length,
          quarantined.length,
          chunk.blank,
          chunk.lastRowNo,
          expectedLastRow,
        ],
      );
      if (moved.length === 0) {
        throw new AppError(
          'conflict',
          text(
            '另一个导入正在处理同一个文件，本次导入已停止',
            'Another import of the same file is running; this one stopped',
          ),
          { field: 'file', details: { batchId: batch.id } },
        );
      }
      await input.beforeCommit?.({ chunkNo: thisChunk, lastRowNo: chunk.lastRowNo });
      expectedLastRow = chunk.lastRowNo;
      rowsDone += rows;
      if (!input.onRows) return [];
      return [
        ...written.ok.map((o) => ({ rowNo: o.rowNo, outcome: 'ok' as const })),
        ...written.unchanged.map((u) => ({ rowNo: u.rowNo, outcome: 'unchanged' as const })),
        ...quarantined.map((q) => ({
          rowNo: q.row_no,
          outcome: 'quarantined' as const,
          issues: q.issues,
        })),
      ].sort((a, b) => a.rowNo - b.rowNo);
    };

    /**
     * Reads the rest of the file and hands each chunk to `write`, one at a time: while the
     * database writes one chunk, JS reads and validates the next.
     */
    const eachChunk = async (
      write: (chunk: PendingChunk, thisChunk: number, previous: Promise<void> | undefined) => Promise<void>,
    ) => {
      let inflight: Promise<void> | undefined;
      let before: Promise<void> | undefined;
      const dispatch = async (chunk: PendingChunk) => {
        // At most two chunks on their way: one being written, the next waiting for it.
        if (before) await before;
        chunkNo += 1;
        before = inflight;
        // The writer waits for the chunk before it (`previous`) where it must.
        inflight = write(chunk, chunkNo, inflight);
        inflight.catch(() => undefined);
      };

      let chunk = newChunk();
      /** Adds a row to the current chunk. */
      const take = (row: TableRow) => {
        if (row.rowNo <= resumeAfter) {
          // Committed before: replayed only so duplicates within the file are still found.
          if (!isBlankRecord(row.cells)) check(row, true);
          return;
        }
        if (chunk.firstRowNo === 0) chunk.firstRowNo = row.rowNo;
        chunk.lastRowNo = row.rowNo;
        if (isBlankRecord(row.cells)) {
          chunk.blank += 1;
          return;
        }
        chunk.household = householdOf(row);
        const result = check(row, false);
        if (result.ok) {
          chunk.valid.push(result.row);
          chunk.sources.set(result.row.rowNo, row);
        } else {
          chunk.rejected.push({ rowNo: row.rowNo, raw: result.raw, issues: result.issues });
        }
      };
      const householdIndex = columns.index.householdNo;
      const householdOf = (row: TableRow) =>
        householdIndex === undefined ? '' : (row.cells[householdIndex] ?? '').trim();
      /**
       * A full chunk is closed at the end of a household, so the members of one household (rows
       * that follow each other, as files list them) are written together.
       */
      const closes = (row: TableRow) => {
        const size = chunk.valid.length + chunk.rejected.length;
        if (size < chunkSize) return false;
        return (
          size >= chunkSize + MAX_HOUSEHOLD_OVERRUN ||
          isBlankRecord(row.cells) ||
          householdOf(row) !== chunk.household
        );
      };

      try {
        let rows = buffered;
        buffered = [];
        for (;;) {
          for (let i = 0; i < rows.length; i++) {
            const row = rows[i]!;
            if (row.rowNo > resumeAfter && closes(row)) {
              await dispatch(chunk);
              chunk = newChunk();
            }
            take(row);
            // Let the database's replies in now and then: while JS validates a long run of rows,
            // the chunk being written waits for its next statement.
            if (inflight && i % YIELD_EVERY === YIELD_EVERY - 1) await new Promise(setImmediate);
          }
          const next = await iterator.next();
          if (next.done) break;
          rows = next.value;
        }
        if (chunk.firstRowNo !== 0) await dispatch(chunk);
        if (inflight) await inflight;
      } catch (error) {
        // Never return while a chunk is still being written.
        await inflight?.catch(() => undefined);
        throw error;
      }
    };

    const progress = (phase: ImportProgress['phase']) =>
      input.onProgress?.({ rowsDone, phase, bytesRead: table.bytesRead(), bytesTotal });
    const mode = input.mode ?? 'chunked';
    const initial = mode !== 'chunked' && batch.chunks_committed === 0 && (await initialLoadFits(mode));

    /** A county's initial load: every chunk, and the completion, in one transaction. */
    const loadInitial = () =>
      database.withSession(async (session) => {
        const outcomes: RowOutcome[][] = [];
        await session.exec('BEGIN');
        try {
          const load = await BulkLoad.start(session, {
            kind: database.kind,
            countyCode,
            actorId: context.actor.id,
            batchId: batch.id,
            today,
          });
          await eachChunk(async (chunk, thisChunk, previous) => {
            // Worked out while the chunk before is still being copied; written after it.
            const prepared = await load.prepare(chunk.valid);
            await previous;
            await load.send(prepared);
            const rows = await recordChunk(session, chunk, prepared.result, thisChunk);
            if (input.onRows) outcomes.push(rows);
            progress('rows');
          });
          await load.finish(() => progress('indexes'));
          await completeBatch(session);
          await session.exec('COMMIT');
        } catch (error) {
          await session.exec('ROLLBACK').catch(() => undefined);
          throw error;
        }
        // Told only once the rows are there to stay.
        for (const rows of outcomes) input.onRows?.(rows);
      });

    /** Chunk by chunk: each chunk its own transaction together with the batch's progress. */
    const loadChunked = async () => {
      // Each chunk takes a session (a connection; on PGlite, its exclusive lock) only while it is
      // written, so other work gets in between chunks.
      const { personSequence, persons } = await database.withSession(async (session) => ({
        ...(await prepareSession(session)),
        persons: await plannedPersons(session),
      }));
      // Statistics are refreshed whenever the import has doubled the person table since they were taken.
      let analysedAt = persons;
      let insertedSince = 0;

      // One chunk at a time (a chunk's households and mothers may be the one before it's). Each
      // chunk counts as one registry change, bumped last (dataVersion): the counter's row lock is
      // held only for the moment before COMMIT, so other writers in the county do not wait for
      // the chunk.
      await eachChunk(async (chunk, thisChunk, previous) => {
        await previous;
        await database.withSession(async (session) => {
          await prepareSession(session);
          await session.exec('BEGIN');
          try {
            await dataVersion.defer(session);
            if (insertedSince >= Math.max(ANALYSE_EVERY, analysedAt)) {
              await analyseRegistry(session);
              analysedAt += insertedSince;
              insertedSince = 0;
            }
            const written = await writeChunk(session, {
              countyCode,
              actorId: context.actor.id,
              batchId: batch.id,
              personSequence,
              today,
              rows: chunk.valid,
            });
            if (written.headsPending) await setHouseholdHeads(session, countyCode);
            const outcomes = await recordChunk(session, chunk, written, thisChunk);
            await dataVersion.bump(session, countyCode);
            await session.exec('COMMIT');
            insertedSince += written.ok.length;
            progress('rows');
            if (input.onRows) input.onRows(outcomes);
          } catch (error) {
            await session.exec('ROLLBACK').catch(() => undefined);
            throw error;
          }
        });
      });

      await database.withSession(async (session) => {
        await session.exec('BEGIN');
        try {
          if (insertedSince > 0) await analyseRegistry(session);
          await completeBatch(session);
          await session.exec('COMMIT');
        } catch (error) {
          await session.exec('ROLLBACK').catch(() => undefined);
          throw error;
        }
      });
    };

    /** The batch's last step, in its caller's transaction: children who came before their mother in the file get linked to her now. */
    const completeBatch = async (session: RawSession) => {
      await session.exec('ANALYZE import_pending_link');
      await linkPendingMothers(session, countyCode, context.actor.id);
      await session.query(
        `UPDATE import_batch SET status = 'completed', finished_at = now(), updated_at = now() WHERE id = $1::bigint`,
        [batch.id],
      );
    };

    /** Whether this import is a county's initial load (`initial` insists: refused if it cannot be). */
    async function initialLoadFits(wanted: 'auto' | 'initial'): Promise<boolean> {
      const facts = await database.withSession((session) =>
        initialLoadFacts(session, countyCode, bytesTotal),
      );
      if (wanted === 'initial' && !facts.empty) throw initialLoadRefused(countyCode);
      if (wanted === 'initial' && !facts.ownsTables) {
        throw new AppError(
          'invalid_input',
          text(
            '数据库用户不是登记库各表的所有者，不能整批初始导入（需删除并重建索引）；请按常规导入，或以表的所有者运行',
            'The database user does not own the registry tables, so this cannot be an initial load (it drops and rebuilds their indexes); import the usual way, or run as the tables’ owner',
          ),
          { field: 'mode' },
        );
      }
      return wanted === 'initial' || chooseInitialLoad(facts);
    }

    if (initial) await loadInitial();
    else await loadChunked();
    return {
      ...(await getImportReport(database.db, batch.id)),
      resumedAfterRow: resumed,
      initialLoad: initial,
    };
  } finally {
    await iterator.return?.(undefined);
  }
}

async function findOrCreateBatch(
  database: Database,
  values: {
    countyCode: string;
    fileName: string;
    format: FileFormat;
    sha256: string;
    bytes: number;
    columns: ColumnMap;
    headerRowNo: number;
    actorId: string;
    unit: string;
  },
) {
  const find = () =>
    database.db
      .selectFrom('import_batch')
      .selectAll()
      .where('county_code', '=', values.countyCode)
      .where('kind', '=', 'persons')
      .where('file_sha256', '=', values.sha256)
      .where('unit_code', '=', values.unit)
      .executeTakeFirst();
  const existing = await find();
  if (existing) return existing;
  // The same file, imported to the end for a unit that holds this one, left nothing of this
  // unit's to import. (For another unit — a neighbouring township, or one inside this unit — the
  // file is a batch of its own: this unit's rows are its to import.)
  const above = await database.db
    .selectFrom('import_batch')
    .select(['id', 'unit_code'])
    .where('county_code', '=', values.countyCode)
    .where('kind', '=', 'persons')
    .where('file_sha256', '=', values.sha256)
    .where('status', '=', 'completed')
    .where(sql<boolean>`starts_with(${values.unit}::text, unit_code)`)
    .orderBy('id')
    .executeTakeFirst();
  if (above) {
    throw new AppError(
      'conflict',
      text(
        `此文件已为 ${above.unit_code} 导入（批次 ${above.id}），其中已包含 ${values.unit} 的行，无需再次导入`,
        `This file was already imported for ${above.unit_code} (batch ${above.id}), which covers ${values.unit}; there is nothing to import again`,
      ),
      { field: 'file', details: { batchId: above.id, unit: above.unit_code } },
    );
  }
  await database.db
    .insertInto('import_batch')
    .values({
      county_code: values.countyCode,
      unit_code: values.unit,
      file_name: values.fileName,
      file_format: values.format,
      file_sha256: values.sha256,
      file_bytes: values.bytes,
      header: JSON.stringify({ index: values.columns.index, ignored: values.columns.ignored }),
      last_row_no: values.headerRowNo,
      created_by: values.actorId,
    })
    .onConflict((oc) => oc.columns(['county_code', 'kind', 'file_sha256', 'unit_code']).doNothing())
    .execute();
  return (await find())!;
}

/** The county of a unit (a county, township or village code; undefined above county level); unknown_org_unit if it is not loaded. */
async function countyOfUnit(database: Database, unit: string): Promise<string | undefined> {
  const row = await database.db
    .selectFrom('org_unit')
    .select(['code', 'level', 'county_code'])
    .where('code', '=', unit)
    .executeTakeFirst();
  if (row && (row.level === 'province' || row.level === 'prefecture')) return undefined;
  const county = row?.level === 'county' ? row.code : row?.county_code;
  if (!row || !county) {
    throw new AppError(
      'unknown_org_unit',
      text(`没有代码为 ${unit} 的单位（或尚未加载）`, `No unit with code ${unit} is loaded`),
      { field: 'unit' },
    );
  }
  return county;
}
