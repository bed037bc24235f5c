import type { Writable } from 'node:stream';
import type { Kysely, Selectable } from 'kysely';
import type { ImportQuarantineTable, Schema } from '../../db/schema.ts';
import { AppError, type FieldIssue, invalidInput } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import { checkRequiredText } from '../../domain/person-rules.ts';
import { todayOf } from '../context.ts';
import { createTableWriter, type TableFormat } from '../export/table-writer.ts';
import { isBlankRecord } from './csv-reader.ts';
import { detectFormat, openTable } from './import-file.ts';
import type { ImportContext } from './import-persons.ts';
import { linkPendingMothers } from './link-mothers.ts';
import {
  COLUMN_LABELS,
  type ColumnMap,
  mapHeader,
  normaliseHeader,
  PERSON_COLUMNS,
  type PersonField,
} from './person-columns.ts';
import { personSheetColumns } from './template.ts';
import { validatePersonRow } from './validate-row.ts';
import { prepareSession, setHouseholdHeads, writeChunk } from './write-chunk.ts';

export interface QuarantinedRow {
  batchId: number;
  rowNo: number;
  countyCode: string;
  status: 'pending' | 'resubmitted' | 'discarded';
  /** Field -> the cell as in the file (with any corrections made since). */
  raw: Partial<Record<PersonField, string>>;
  issues: FieldIssue[];
  attempts: number;
  outcome: 'ok' | 'unchanged' | null;
  personId: number | null;
  discardReason: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
}

export interface ListQuarantineInput {
  batchId?: number;
  county?: string;
  status?: 'pending' | 'resubmitted' | 'discarded' | 'all';
  limit?: number;
  offset?: number;
}

function toView(row: Selectable<ImportQuarantineTable>): QuarantinedRow {
  return {
    batchId: row.batch_id,
    rowNo: row.row_no,
    countyCode: row.county_code,
    status: row.status,
    raw: row.raw as QuarantinedRow['raw'],
    issues: row.issues as FieldIssue[],
    attempts: row.attempts,
    outcome: row.outcome,
    personId: row.person_id,
    discardReason: row.discard_reason,
    resolvedBy: row.resolved_by,
    resolvedAt: row.resolved_at,
  };
}

/** Quarantined rows, pending ones by default, in file order; `total` counts all that match. */
export async function listQuarantine(
  db: Kysely<Schema>,
  input: ListQuarantineInput = {},
): Promise<{ total: number; items: QuarantinedRow[]; columns: typeof COLUMN_LABELS }> {
  let query = db.selectFrom('import_quarantine');
  if (input.batchId !== undefined) query = query.where('batch_id', '=', input.batchId);
  if (input.county !== undefined) query = query.where('county_code', '=', input.county);
  const status = input.status ?? 'pending';
  if (status !== 'all') query = query.where('status', '=', status);
  const counted = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await query
    .selectAll()
    .orderBy('batch_id')
    .orderBy('row_no')
    .limit(Math.min(input.limit ?? 100, 10_000))
    .offset(input.offset ?? 0)
    .execute();
  // The template's columns with their names, so a form that edits a row can label its fields.
  return { total: Number(counted.n), items: rows.map(toView), columns: COLUMN_LABELS };
}

/** One quarantined row; throws not_found. */
export async function getQuarantinedRow(
  db: Kysely<Schema>,
  batchId: number,
  rowNo: number,
): Promise<QuarantinedRow> {
  const row = await db
    .selectFrom('import_quarantine')
    .selectAll()
    .where('batch_id', '=', batchId)
    .where('row_no', '=', rowNo)
    .executeTakeFirst();
  if (!row) {
    throw new AppError(
      'not_found',
      text(
        `导入批次 ${batchId} 的隔离区中没有第 ${rowNo} 行`,
        `Row ${rowNo} of import batch ${batchId} is not in the quarantine`,
      ),
      { field: 'rowNo' },
    );
  }
  return toView(row);
}

function assertPending(row: QuarantinedRow) {
  if (row.status !== 'pending') {
    throw new AppError(
      'conflict',
      text(
        `第 ${row.rowNo} 行已${row.status === 'resubmitted' ? '重新提交并导入' : '舍弃'}，不能再处理`,
        `Row ${row.rowNo} has already been ${row.status}`,
      ),
      { field: 'rowNo', details: { status: row.status } },
    );
  }
}

const ROW_COLUMNS: ColumnMap = {
  index: Object.fromEntries(PERSON_COLUMNS.map((column, i) => [column.field, i])),
  ignored: [],
  width: PERSON_COLUMNS.length,
};

export interface ResubmitInput {
  batchId: number;
  rowNo: number;
  /** Corrected cells by field (zh-CN header or English key also accepted); others keep their value. */
  values?: Record<string, string | null | undefined>;
}

export interface ResubmitResult {
  batchId: number;
  rowNo: number;
  outcome: 'ok' | 'unchanged';
  personId: number;
}

/** Field keys from whatever names a caller used (field, English key or zh-CN header). */
function correctionsOf(
  values: Record<string, string | null | undefined>,
): Partial<Record<PersonField, string>> {
  const byHeader = new Map<string, PersonField>();
  for (const column of PERSON_COLUMNS) {
    for (const name of [column.field, column.en, column.zh, ...column.aliases])
      byHeader.set(normaliseHeader(name), column.field);
  }
  const out: Partial<Record<PersonField, string>> = {};
  const unknown: FieldIssue[] = [];
  for (const [key, value] of Object.entries(values)) {
    const field = byHeader.get(normaliseHeader(key));
    if (!field) {
      unknown.push({
        code: 'unknown_field',
        field: key,
        message: text(`没有名为“${key}”的列`, `There is no column "${key}"`),
      });
      continue;
    }
    out[field] = value ?? '';
  }
  if (unknown.length > 0) throw invalidInput(unknown);
  return out;
}

/**
 * Resubmits a quarantined row, with corrections: it goes through the same rules and the same
 * set-wise write as the file did. On success the row is marked resubmitted with the person it
 * created (or found unchanged); otherwise its corrected values and new issues are kept and an
 * invalid_input error lists them.
 */
export async function resubmitQuarantinedRow(
  context: ImportContext,
  input: ResubmitInput,
): Promise<ResubmitResult> {
  const { database } = context;
  const db = database.db;
  const current = await getQuarantinedRow(db, input.batchId, input.rowNo);
  assertPending(current);
  const raw = { ...current.raw, ...correctionsOf(input.values ?? {}) };
  const villages = new Map(
    (
      await db
        .selectFrom('org_unit')
        .select(['code', 'county_code'])
        .where('level', '=', 'village')
        .where('county_code', '=', current.countyCode)
        .execute()
    ).map((unit) => [unit.code, unit.county_code!]),
  );
  const today = todayOf({ db, actor: context.actor, today: context.today });
  const checked = validatePersonRow(
    { rowNo: input.rowNo, cells: PERSON_COLUMNS.map((column) => raw[column.field] ?? '') },
    ROW_COLUMNS,
    {
      countyCode: current.countyCode,
      villages,
      today,
      ...(context.scope ? { scope: context.scope } : {}),
    },
  );

  const outcome = await database.withSession(async (session) => {
    const { personSequence } = await prepareSession(session);
    await session.exec('BEGIN');
    try {
      const [locked] = await session.query<{ status: string }>(
        'SELECT status FROM import_quarantine WHERE batch_id = $1::bigint AND row_no = $2::int FOR UPDATE',
        [input.batchId, input.rowNo],
      );
      if (locked?.status !== 'pending')
        assertPending({ ...current, status: locked?.status as QuarantinedRow['status'] });
      let issues: FieldIssue[];
      let result: ResubmitResult | undefined;
      if (!checked.ok) {
        issues = checked.issues;
      } else {
        const written = await writeChunk(session, {
          countyCode: current.countyCode,
          actorId: context.actor.id,
          batchId: input.batchId,
          personSequence,
          today,
          rows: [checked.row],
          returnPersonIds: true,
        });
        if (written.headsPending) await setHouseholdHeads(session, current.countyCode);
        issues = written.conflicts[0]?.issues ?? [];
        const ok = written.ok[0];
        const unchanged = written.unchanged[0];
        if (ok) result = { ...input, outcome: 'ok', personId: ok.personId! };
        else if (unchanged) result = { ...input, outcome: 'unchanged', personId: unchanged.personId };
      }
      if (result) {
        await session.query(
          `UPDATE import_quarantine
              SET status = 'resubmitted', outcome = $3::text, person_id = $4::bigint, raw = $5::jsonb,
                  issues = '[]', attempts = attempts + 1, resolved_by = $6::text, resolved_at = now(), updated_at = now()
            WHERE batch_id = $1::bigint AND row_no = $2::int`,
          [
            input.batchId,
            input.rowNo,
            result.outcome,
            result.personId,
            JSON.stringify(raw),
            context.actor.id,
          ],
        );
        await linkPendingMothers(session, current.countyCode, context.actor.id);
      } else {
        await session.query(
          `UPDATE import_quarantine
              SET raw = $3::jsonb, issues = $4::jsonb, attempts = attempts + 1, updated_at = now()
            WHERE batch_id = $1::bigint AND row_no = $2::int`,
          [input.batchId, input.rowNo, JSON.stringify(raw), JSON.stringify(issues)],
        );
      }
      await session.exec('COMMIT');
      return result ?? issues;
    } catch (error) {
      await session.exec('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
  if (Array.isArray(outcome)) throw invalidInput(outcome);
  return outcome;
}

/** Discards a quarantined row with a reason: it stays in the quarantine, marked, and is never imported. */
export async function discardQuarantinedRow(
  context: ImportContext,
  input: { batchId: number; rowNo: number; reason: string },
): Promise<QuarantinedRow> {
  const issue = checkRequiredText(input.reason, 'reason', { zh: '舍弃原因', en: 'Reason' }, 500);
  if (issue) throw invalidInput([issue]);
  const db = context.database.db;
  const current = await getQuarantinedRow(db, input.batchId, input.rowNo);
  assertPending(current);
  const updated = await db
    .updateTable('import_quarantine')
    .set({
      status: 'discarded',
      discard_reason: input.reason.trim(),
      resolved_by: context.actor.id,
      resolved_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
    })
    .where('batch_id', '=', input.batchId)
    .where('row_no', '=', input.rowNo)
    .where('status', '=', 'pending')
    .returningAll()
    .executeTakeFirst();
  if (!updated) assertPending(await getQuarantinedRow(db, input.batchId, input.rowNo));
  return toView(updated!);
}

/** The extra columns of a quarantine file: where the row came from and what was wrong. */
const ROW_NO_HEADER = '原行号';
const ISSUES_HEADER = '问题';

/**
 * Writes a batch's pending quarantined rows as a sheet in the template's columns, plus the
 * original row number and the problems: correct it in Excel and resubmit it with
 * resubmitQuarantineFile. Returns the number of rows written.
 */
export async function writeQuarantineFile(
  db: Kysely<Schema>,
  out: Writable,
  input: { batchId: number; format: TableFormat },
): Promise<number> {
  const writer = createTableWriter(out, input.format, {
    columns: [
      { header: ROW_NO_HEADER, width: 8 },
      ...personSheetColumns(),
      { header: ISSUES_HEADER, width: 60 },
    ],
    sheetName: '隔离区',
  });
  let written = 0;
  try {
    for (let offset = 0; ; offset += 1_000) {
      const page = await listQuarantine(db, {
        batchId: input.batchId,
        status: 'pending',
        limit: 1_000,
        offset,
      });
      for (const row of page.items) {
        await writer.writeRow([
          String(row.rowNo),
          ...PERSON_COLUMNS.map((column) => row.raw[column.field] ?? ''),
          row.issues.map((issue) => `${issue.field}: ${issue.message['zh-CN']}`).join('；'),
        ]);
      }
      written += page.items.length;
      if (page.items.length < 1_000) break;
    }
  } finally {
    await writer.close();
  }
  return written;
}

export interface ResubmitFileResult {
  rows: number;
  ok: number;
  unchanged: number;
  stillQuarantined: number;
  /** Rows that could not be resubmitted at all (not pending, or no such row). */
  skipped: number;
  items: { rowNo: number; outcome: 'ok' | 'unchanged' | 'quarantined' | 'skipped'; issues?: FieldIssue[] }[];
}

/**
 * Resubmits the rows of a corrected quarantine file (as written by writeQuarantineFile): each row
 * by its 原行号, one at a time, reporting each instead of stopping at the first that still fails.
 */
export async function resubmitQuarantineFile(
  context: ImportContext,
  input: { batchId: number; path: string },
): Promise<ResubmitFileResult> {
  const table = openTable(input.path, await detectFormat(input.path));
  const result: ResubmitFileResult = {
    rows: 0,
    ok: 0,
    unchanged: 0,
    stillQuarantined: 0,
    skipped: 0,
    items: [],
  };
  let header: string[] | undefined;
  let rowNoIndex = -1;
  let columns: ColumnMap | undefined;
  for await (const batch of table.batches) {
    for (const row of batch) {
      if (isBlankRecord(row.cells)) continue;
      if (!header) {
        header = row.cells;
        rowNoIndex = header.findIndex((cell) => normaliseHeader(cell) === normaliseHeader(ROW_NO_HEADER));
        if (rowNoIndex === -1) {
          throw new AppError(
            'invalid_input',
            text(
              `文件中没有“${ROW_NO_HEADER}”列，无法对应隔离区中的行`,
              `The file has no "${ROW_NO_HEADER}" column to find the quarantined rows by`,
            ),
            { field: 'header' },
          );
        }
        columns = mapHeader(
          header.map((cell, i) => (i === rowNoIndex || cell === ISSUES_HEADER ? '' : cell)),
        );
        continue;
      }
      result.rows += 1;
      const rowNo = Number(row.cells[rowNoIndex]);
      const values: Record<string, string> = {};
      for (const [field, index] of Object.entries(columns!.index)) values[field] = row.cells[index] ?? '';
      try {
        const done = await resubmitQuarantinedRow(context, { batchId: input.batchId, rowNo, values });
        result[done.outcome] += 1;
        result.items.push({ rowNo, outcome: done.outcome });
      } catch (error) {
        if (error instanceof AppError && error.code === 'invalid_input') {
          result.stillQuarantined += 1;
          result.items.push({ rowNo, outcome: 'quarantined', issues: error.issues });
        } else if (error instanceof AppError && (error.code === 'not_found' || error.code === 'conflict')) {
          result.skipped += 1;
          result.items.push({
            rowNo,
            outcome: 'skipped',
            issues: [{ code: error.code, field: 'rowNo', message: error.text }],
          });
        } else {
          throw error;
        }
      }
    }
  }
  return result;
}
