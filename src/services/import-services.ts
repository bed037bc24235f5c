import { statSync } from 'node:fs';
import { type FieldIssue, fieldIssue } from '../domain/errors.ts';
import { type CommandContext, todayOf } from '../registry/context.ts';
import { isBlankRecord, readCsvRows } from '../registry/import/csv-reader.ts';
import {
  detectFormat,
  type FileFormat,
  type OpenedTable,
  openTable,
  readHeader,
} from '../registry/import/import-file.ts';
import type { TableRow } from '../registry/import/table-row.ts';
import { idNumberLostDigits, numberStoredAsNumber } from '../registry/import/validate-row.ts';
import { checkServiceAgainst, type ServiceInput } from './record-service.ts';
import { findServicePersons } from './service-persons.ts';
import { type ServiceRowToWrite, writeServiceRows } from './write-service-rows.ts';

/** The columns of a provider's export; English or Chinese headers. */
const COLUMNS: Record<string, string> = {
  kind: 'kind',
  服务类型: 'kind',
  id_number: 'idNumber',
  身份证号: 'idNumber',
  related_id_number: 'relatedIdNumber',
  关联人身份证号: 'relatedIdNumber',
  service_date: 'serviceDate',
  服务日期: 'serviceDate',
  provider: 'provider',
  服务机构: 'provider',
  outcome_code: 'outcomeCode',
  结果代码: 'outcomeCode',
  consent: 'consent',
  知情同意: 'consent',
  quantity: 'quantity',
  数量: 'quantity',
  import_key: 'importKey',
  记录编号: 'importKey',
};

const REQUIRED_COLUMNS = ['kind', 'idNumber', 'serviceDate', 'provider', 'outcomeCode', 'consent'];

export const SERVICE_CSV_HEADER = [
  'kind',
  'id_number',
  'related_id_number',
  'service_date',
  'provider',
  'outcome_code',
  'consent',
  'quantity',
  'import_key',
];

export interface ServiceImportRow {
  rowNo: number;
  status: 'ok' | 'unchanged' | 'rejected';
  id?: number;
  issues: FieldIssue[];
}

export interface ServiceImportReport {
  rows: ServiceImportRow[];
  ok: number;
  unchanged: number;
  rejected: number;
}

export interface ServiceImportProgress {
  /** Data rows committed so far (written, unchanged or rejected). */
  rowsDone: number;
  bytesRead: number;
  bytesTotal: number;
}

export interface ServiceImportOptions {
  /** Data rows per chunk: per transaction, per person lookup, per INSERT (5,000 by default). */
  chunkSize?: number;
  /** Called after each committed chunk. */
  onProgress?: (progress: ServiceImportProgress) => void;
  /** Test hook: runs inside each chunk's transaction just before it commits; throwing rolls the chunk back. */
  beforeCommit?: (chunk: { chunkNo: number; lastRowNo: number }) => void | Promise<void>;
}

export type ServiceImportContext = CommandContext & { countyCode: string };

const DEFAULT_CHUNK_SIZE = 5_000;
/** The size of the pieces an in-memory CSV is handed to the reader in. */
const PIECE_BYTES = 1 << 20;

function parseConsent(value: string | undefined): boolean | null {
  const v = (value ?? '').trim().toLowerCase();
  if (['1', 'true', 'yes', 'y', '是', '同意'].includes(v)) return true;
  if (['0', 'false', 'no', 'n', '否', '不同意'].includes(v)) return false;
  return null;
}

/**
 * Imports service records from a provider's CSV held in memory (the HTTP route's body); see
 * importServiceTable.
 */
export function importServicesCsv(
  context: ServiceImportContext,
  csv: string,
  source = 'import',
  options: ServiceImportOptions = {},
): Promise<ServiceImportReport> {
  const bytes = Buffer.from(csv, 'utf8');
  let read = 0;
  async function* pieces() {
    for (let at = 0; at < bytes.length; at += PIECE_BYTES) {
      const piece = bytes.subarray(at, at + PIECE_BYTES);
      read += piece.length;
      yield piece;
    }
  }
  const table: OpenedTable = { batches: readCsvRows(pieces()), bytesRead: () => read };
  return importServiceTable(context, table, { ...options, source, bytesTotal: bytes.length });
}

/**
 * Imports service records from a provider's CSV or XLSX file, streamed from disk (the CLI); see
 * importServiceTable.
 */
export async function importServicesFile(
  context: ServiceImportContext,
  input: ServiceImportOptions & { path: string; format?: FileFormat; source?: string },
): Promise<ServiceImportReport> {
  const bytesTotal = statSync(input.path).size;
  const format = input.format ?? (await detectFormat(input.path));
  const table = openTable(input.path, format);
  return importServiceTable(context, table, { ...input, source: input.source ?? 'import', bytesTotal });
}

/**
 * Imports service records from a provider's export, read as a stream of rows: every row checked
 * by the same rules as entry (checkServiceAgainst), the rows written chunk by chunk — per chunk,
 * one query finds the persons its rows name and one INSERT writes its good rows, in one
 * transaction, so a crash leaves whole chunks. A bad row never blocks the good ones; a row whose
 * import key was imported before is reported unchanged, so importing a file again, or after a
 * crash, writes nothing twice (rows without an import key have nothing to be recognised by and are
 * written again). Returns a report per row; bad rows never throw.
 */
export async function importServiceTable(
  context: ServiceImportContext,
  table: OpenedTable,
  options: ServiceImportOptions & { source: string; bytesTotal: number },
): Promise<ServiceImportReport> {
  const report: ServiceImportReport = { rows: [], ok: 0, unchanged: 0, rejected: 0 };
  const chunkSize = Math.max(1, options.chunkSize ?? DEFAULT_CHUNK_SIZE);
  const iterator = table.batches[Symbol.asyncIterator]();
  try {
    const { header, after: buffered } = await readHeader(iterator);
    const fields = (header?.cells ?? []).map((name) => COLUMNS[name.trim()] ?? name.trim());
    const missing = REQUIRED_COLUMNS.filter((field) => !fields.includes(field));
    if (missing.length > 0) {
      // Nothing can be read without these columns: every data row is rejected with the header.
      let dataRows = buffered.filter((row) => !isBlankRecord(row.cells)).length;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        dataRows += next.value.filter((row) => !isBlankRecord(row.cells)).length;
      }
      report.rows.push({
        rowNo: header?.rowNo ?? 1,
        status: 'rejected',
        issues: missing.map((field) =>
          fieldIssue('missing_column', field, `缺少列：${field}`, `Missing column: ${field}`),
        ),
      });
      report.rejected = dataRows;
      return report;
    }
    const columns: Record<string, number | undefined> = {};
    for (const field of new Set(Object.values(COLUMNS))) {
      const at = fields.indexOf(field);
      columns[field] = at === -1 ? undefined : at;
    }
    const inputOf = (row: TableRow): ServiceInput => {
      const value = (field: string) => {
        const at = columns[field];
        const v = at === undefined ? undefined : row.cells[at]?.trim();
        return v ? v : undefined;
      };
      const quantityText = value('quantity');
      return {
        kind: value('kind') ?? '',
        idNumber: value('idNumber') ?? null,
        relatedIdNumber: value('relatedIdNumber') ?? null,
        serviceDate: value('serviceDate') ?? '',
        provider: value('provider') ?? '',
        outcomeCode: value('outcomeCode') ?? '',
        consent: parseConsent(value('consent')),
        quantity: quantityText === undefined ? null : Number(quantityText),
        source: options.source,
        importKey: value('importKey') ?? null,
      };
    };

    const today = todayOf(context);
    let chunkNo = 0;
    let rowsDone = 0;

    /** Checks and writes one chunk of rows in one transaction; adds its rows to the report. */
    const writeChunk = async (rows: TableRow[]) => {
      chunkNo += 1;
      const inputs = rows.map((row) => ({ row, input: inputOf(row) }));
      const trx = await context.db.startTransaction().execute();
      let outcomes: ServiceImportRow[];
      try {
        const persons = await findServicePersons(trx, context.countyCode, {
          ids: [],
          idNumbers: inputs.flatMap(({ input }) =>
            [input.idNumber, input.relatedIdNumber].filter((n): n is string => !!n),
          ),
        });
        outcomes = [];
        const good: ServiceRowToWrite[] = [];
        for (const { row, input } of inputs) {
          const checked = checkServiceAgainst(persons, context.countyCode, input, today);
          const issues = checked.ok ? [] : checked.issues;
          // An ID number Excel stored as a number has lost digits: say so, not "not in the registry".
          for (const field of ['idNumber', 'relatedIdNumber']) {
            if (!idNumberLostDigits(row, columns[field])) continue;
            const at = issues.findIndex((i) => i.field === field && i.code === 'person_not_found');
            if (at !== -1) issues.splice(at, 1);
            issues.push(numberStoredAsNumber(field));
          }
          if (checked.ok && issues.length === 0) {
            good.push({ rowNo: row.rowNo, row: { ...checked.row, entered_by: context.actor.id } });
          } else {
            outcomes.push({ rowNo: row.rowNo, status: 'rejected', issues });
          }
        }
        for (const written of await writeServiceRows(trx, good)) {
          outcomes.push(
            written.status === 'ok'
              ? { rowNo: written.rowNo, status: 'ok', id: written.id, issues: [] }
              : written.status === 'unchanged'
                ? { rowNo: written.rowNo, status: 'unchanged', issues: [] }
                : { rowNo: written.rowNo, status: 'rejected', issues: written.issues },
          );
        }
        await options.beforeCommit?.({ chunkNo, lastRowNo: rows[rows.length - 1]!.rowNo });
        await trx.commit().execute();
      } catch (error) {
        await trx
          .rollback()
          .execute()
          .catch(() => undefined);
        throw error;
      }
      outcomes.sort((a, b) => a.rowNo - b.rowNo);
      for (const outcome of outcomes) {
        report.rows.push(outcome);
        report[outcome.status] += 1;
      }
      rowsDone += rows.length;
      options.onProgress?.({ rowsDone, bytesRead: table.bytesRead(), bytesTotal: options.bytesTotal });
    };

    let chunk: TableRow[] = [];
    let rows = buffered;
    for (;;) {
      for (const row of rows) {
        // A blank line (or a row of empty cells) carries no record.
        if (isBlankRecord(row.cells)) continue;
        chunk.push(row);
        if (chunk.length >= chunkSize) {
          await writeChunk(chunk);
          chunk = [];
        }
      }
      const next = await iterator.next();
      if (next.done) break;
      rows = next.value;
    }
    if (chunk.length > 0) await writeChunk(chunk);
    return report;
  } finally {
    await iterator.return?.(undefined);
  }
}
