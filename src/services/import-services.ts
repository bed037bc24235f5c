import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import type { Insertable } from 'kysely';
import type { ServiceRecordTable } from '../db/tables/benefits.ts';
import { AppError, type FieldIssue, fieldIssue } from '../domain/errors.ts';
import { type Text, text } from '../domain/i18n.ts';
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
import { idNumberLostDigits, normaliseDate, numberStoredAsNumber } from '../registry/import/validate-row.ts';
import { checkServiceAgainst, type ServiceInput } from './record-service.ts';
import { compareWithStored, normaliseProvider, type StoredServiceRecord } from './same-service.ts';
import { findServicePersons, normaliseIdNumber } from './service-persons.ts';
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

/** A required column as the template names it, in both header languages. */
const COLUMN_NAMES: Record<string, string> = {
  kind: 'kind（服务类型）',
  idNumber: 'id_number（身份证号）',
  serviceDate: 'service_date（服务日期）',
  provider: 'provider（服务机构）',
  outcomeCode: 'outcome_code（结果代码）',
  consent: 'consent（知情同意）',
};

/**
 * Every column of a provider's export as the template names it — its Chinese header for zh-CN, its
 * English header for en — by the field name the report's issues carry, so a report can say which
 * column of the file a problem is in. An issue on `row` (the database refused the row as a whole)
 * has no column.
 */
export const SERVICE_COLUMNS: { field: string; label: Text }[] = [
  { field: 'kind', label: text('服务类型', 'kind') },
  { field: 'idNumber', label: text('身份证号', 'id_number') },
  { field: 'relatedIdNumber', label: text('关联人身份证号', 'related_id_number') },
  { field: 'serviceDate', label: text('服务日期', 'service_date') },
  { field: 'provider', label: text('服务机构', 'provider') },
  { field: 'outcomeCode', label: text('结果代码', 'outcome_code') },
  { field: 'consent', label: text('知情同意', 'consent') },
  { field: 'quantity', label: text('数量', 'quantity') },
  { field: 'importKey', label: text('记录编号', 'import_key') },
];

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
  /**
   * A written row that corrects a voided record: that record's id (the newest voided record under
   * the row's import key, which the row now holds).
   */
  replaces?: number;
  /**
   * Why an unchanged row was not written — a row without a record number whose content is there
   * already, or a row that is a voided record again — or that a written row replaced a voided
   * record (zh-CN and en).
   */
  note?: Text;
}

export interface ServiceImportReport {
  /**
   * The unit the import was for: the county, or the township or village whose residents' rows
   * were written (a row for a person living elsewhere is rejected as `outside_units`).
   */
  unitCode: string;
  rows: ServiceImportRow[];
  /** The file's columns as the template names them, by the field an issue names (SERVICE_COLUMNS). */
  columns: { field: string; label: Text }[];
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
  /**
   * The unit the import is for — the county, or a township or village of it that the importer
   * holds the right for (the person import's `unit`). A row whose person lives outside it (by
   * unitOfPerson, the unit a single entry's access check judges) is rejected as `outside_units`
   * on its ID number and never written; the rest are imported. The whole county by default; a
   * unit above the county (a prefecture) imports for the whole county.
   */
  unit?: string;
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

/** Marks an import key renkou derived from a row's content, never a provider's record number. */
const DERIVED_KEY_PREFIX = '~';

/**
 * The import key of a row that has no record number (import_key): `~` and the SHA-256 of what
 * makes the record — the kind, the person's and the related person's ID numbers, the service
 * date, the provider, the outcome and the quantity — each as checked and normalised (ID numbers
 * trimmed and upper-cased, the date as YYYY-MM-DD whatever form the file wrote it in, the provider
 * after normaliseProvider), one per line: only the provider is free text, and the rules refuse a
 * control character in it. The same service exported again, with other spacing or another date
 * form, gets the same key; any difference in what it says gets another. Consent is true on every
 * written row and the source is part of the unique index already, so neither is in it. Migration
 * 0023 computes the same key in SQL for the rows imported before (test/services-import.test.ts
 * holds the two to each other).
 */
export function deriveImportKey(
  row: Pick<
    Insertable<ServiceRecordTable>,
    'kind' | 'service_date' | 'provider' | 'outcome_code' | 'quantity'
  >,
  idNumber: string,
  relatedIdNumber: string | null | undefined,
): string {
  const content = [
    'service-v1',
    row.kind,
    normaliseIdNumber(idNumber),
    relatedIdNumber ? normaliseIdNumber(relatedIdNumber) : '',
    String(row.service_date),
    normaliseProvider(String(row.provider)),
    row.outcome_code,
    row.quantity == null ? '' : String(row.quantity),
  ].join('\n');
  return `${DERIVED_KEY_PREFIX}${createHash('sha256').update(content, 'utf8').digest('hex')}`;
}

const ALREADY_THERE = text(
  '已有相同的记录（同一人、同一服务、同一日期、同一机构、同一结果与数量），未重复写入；若确是另一次服务，请在“记录编号”列为两条记录填写不同的编号',
  'A record with the same content is already there (same person, service, date, provider, outcome and quantity), so it was not written again; if this really is another service, give the two records different record numbers (import_key)',
);

/** A row that is a voided record again: never written back (a void is not undone by an import). */
const voidedAlready = (id: number) =>
  text(
    `此记录（服务记录 ${id}）已作废，本行与它相同，未重新写入：再次导入不会恢复作废的记录。若作废有误，请在“服务记录”页重新记录此次服务`,
    `This row is service record ${id}, which was voided, so it was not written again: importing a file again never brings back a voided record. If the void was a mistake, record the service again on the 服务记录 page`,
  );

/** A written row with the record number of a voided record: the correction of that record. */
const replacesVoided = (id: number) =>
  text(
    `此记录编号下的服务记录 ${id} 已作废，本行作为其更正写入`,
    `Service record ${id} under this record number was voided; this row was written as its correction`,
  );

/** A field of the import, as the report's columns name it (SERVICE_COLUMNS), in zh-CN and en. */
function columnLabel(field: string): Text {
  return SERVICE_COLUMNS.find((c) => c.field === field)?.label ?? text(field, field);
}

/**
 * The issue of a row whose record number is taken by a record of another service (another
 * person, kind or date): the number was reused — by another provider numbering its records the
 * same way under the same source, or by a numbering that restarts — and the row is not that
 * record. Says the stored record's service date, never whose it is or what it was: the importer
 * may not see that person (a township centre, a person of another township).
 */
function keyReused(source: string, storedDate: string | undefined): FieldIssue {
  const zhDate = storedDate ? `（服务日期 ${storedDate}）` : '';
  const enDate = storedDate ? ` (service date ${storedDate})` : '';
  return fieldIssue(
    'import_key_reused',
    'importKey',
    `此记录编号在来源“${source}”中已用于另一条服务记录${zhDate}，本行未写入。若是另一机构（或另一年度）的编号与之重复，请以该机构自己的来源名称导入它的文件（导入时的“来源”，命令行 --source）；否则请核对此行的记录编号`,
    `This record number is already used for another service record${enDate} from source "${source}", so this row was not written. If another provider's (or another year's) numbering repeats it, import that provider's files under a source name of their own (the import's source, --source on the command line); otherwise check this row's record number`,
  );
}

/**
 * The issue of a row whose record number is this person's same service (kind and date) already
 * imported, but whose details differ: the import never changes a stored record, and never drops
 * the difference unsaid.
 */
function keyChanged(stored: StoredServiceRecord, fields: string[]): FieldIssue {
  const labels = fields.map(columnLabel);
  return fieldIssue(
    'import_key_changed',
    'importKey',
    `此记录编号已导入过此人的这次服务（服务日期 ${stored.service_date}），但本行的${labels.map((l) => `“${l['zh-CN']}”`).join('、')}与已有记录不同，本行未写入：导入不修改已有记录。请核对哪一个正确；若已有记录（服务记录 ${stored.id}）有误，先将其作废（“服务记录”页，或 renkou services void ${stored.id}），再导入此行即作为更正写入`,
    `This record number was imported before for this person's service on ${stored.service_date}, but this row's ${labels.map((l) => l.en).join(', ')} ${labels.length === 1 ? 'differs' : 'differ'} from the stored record, so the row was not written: an import never changes a stored record. Check which is right; if the stored record (service record ${stored.id}) is wrong, void it first (the 服务记录 page, or renkou services void ${stored.id}) and import this row again: it is then written as the correction`,
  );
}

/**
 * Whether a row whose import key a live record holds is that record — the same service imported
 * again — or not. The same record agrees on everything a derived key is made of
 * (compareWithStored): the kind, the person, the service date (what makes it the same service:
 * else `import_key_reused`), and the related person, the provider, the outcome and the quantity
 * (else `import_key_changed`, naming the fields). Undefined: unchanged.
 */
function keyTakenIssue(
  row: Insertable<ServiceRecordTable>,
  stored: StoredServiceRecord | undefined,
): FieldIssue | undefined {
  // Not found after the key was refused (voided meanwhile by someone else): never taken for the same.
  if (!stored) return keyReused(row.source, undefined);
  const { sameService, differ } = compareWithStored(row, stored);
  if (!sameService) return keyReused(row.source, stored.service_date);
  return differ.length === 0 ? undefined : keyChanged(stored, differ);
}

function parseConsent(value: string | undefined): boolean | null {
  const v = (value ?? '').trim().toLowerCase();
  if (['1', 'true', 'yes', 'y', '是', '同意'].includes(v)) return true;
  if (['0', 'false', 'no', 'n', '否', '不同意'].includes(v)) return false;
  return null;
}

/**
 * Imports service records from a provider's CSV held in memory (scripts and tests; the CLI and
 * the HTTP upload stream a file through importServicesFile); see importServiceTable.
 */
export async function importServicesCsv(
  context: ServiceImportContext,
  csv: string,
  source = 'import',
  options: ServiceImportOptions = {},
): Promise<ServiceImportReport> {
  const unit = await importUnitOf(context, options.unit);
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
  return importServiceTable(context, table, { ...options, source, bytesTotal: bytes.length, unit });
}

/**
 * Imports service records from a provider's CSV or XLSX file, streamed from disk (the CLI, and
 * the HTTP upload once it is on disk); see importServiceTable. An empty file is refused.
 */
export async function importServicesFile(
  context: ServiceImportContext,
  input: ServiceImportOptions & { path: string; format?: FileFormat; source?: string },
): Promise<ServiceImportReport> {
  const bytesTotal = statSync(input.path).size;
  if (bytesTotal === 0) {
    throw new AppError(
      'invalid_input',
      text(
        '文件是空的：请选择服务机构导出的 CSV 或 XLSX 文件',
        'The file is empty: choose the CSV or XLSX file the provider exported',
      ),
      { field: 'file' },
    );
  }
  // Before the file is opened: a refused unit leaves no stream behind.
  const unit = await importUnitOf(context, input.unit);
  const format = input.format ?? (await detectFormat(input.path));
  const table = openTable(input.path, format);
  return importServiceTable(context, table, {
    ...input,
    source: input.source ?? 'import',
    bytesTotal,
    unit,
  });
}

/**
 * The unit below the county that an import's rows are held to (undefined: the whole county). A
 * unit that is neither the county, nor in it, nor above it, or that is not loaded, is refused
 * as a whole (field `unit`).
 */
async function importUnitOf(context: ServiceImportContext, unit: string | undefined) {
  const county = context.countyCode;
  if (unit === undefined || unit === county) return undefined;
  if (unit.length < county.length) {
    if (county.startsWith(unit)) return undefined;
    throw new AppError(
      'invalid_input',
      text(`单位 ${unit} 不含县 ${county}`, `Unit ${unit} does not hold county ${county}`),
      { field: 'unit' },
    );
  }
  if (!unit.startsWith(county)) {
    throw new AppError(
      'invalid_input',
      text(`单位 ${unit} 不在县 ${county} 内`, `Unit ${unit} is not in county ${county}`),
      { field: 'unit' },
    );
  }
  const known = await context.db
    .selectFrom('org_unit')
    .select('code')
    .where('code', '=', unit)
    .executeTakeFirst();
  if (!known) {
    throw new AppError(
      'unknown_org_unit',
      text(`没有代码为 ${unit} 的单位（或尚未加载）`, `No unit with code ${unit} is loaded`),
      { field: 'unit' },
    );
  }
  return unit;
}

/**
 * Imports service records from a provider's export, read as a stream of rows: every row checked
 * by the same rules as entry (checkServiceAgainst), the rows written chunk by chunk — per chunk,
 * one query finds the persons its rows name and one INSERT writes its good rows, in one
 * transaction, so a crash leaves whole chunks. An import for a township or village (`unit`)
 * writes the rows of persons living there and rejects the others (`outside_units`). A bad row
 * never blocks the good ones; a row whose import key was imported before (or by an earlier row of
 * the file) is reported unchanged when the record under it is the row's own service again, so
 * importing a file again, or after a crash, writes nothing twice — and rejected on its record
 * number when it is another service's (keyTakenIssue), never dropped unsaid. A row that is a
 * voided record again is unchanged too (never brought back), and a row with a voided record's
 * number and other content is written as its correction (writeServiceRows). A row without an
 * import key (记录编号) gets one derived from its content (deriveImportKey), so the same service is
 * recognised in a second import too. Returns a
 * report per row; bad rows never throw. A file without a header that names the required columns
 * (empty, or not a service export at all) is refused as a whole with a field-level error.
 */
async function importServiceTable(
  context: ServiceImportContext,
  table: OpenedTable,
  options: ServiceImportOptions & { source: string; bytesTotal: number; unit: string | undefined },
): Promise<ServiceImportReport> {
  const unit = options.unit;
  const report: ServiceImportReport = {
    unitCode: unit ?? context.countyCode,
    rows: [],
    columns: SERVICE_COLUMNS,
    ok: 0,
    unchanged: 0,
    rejected: 0,
  };
  const chunkSize = Math.max(1, options.chunkSize ?? DEFAULT_CHUNK_SIZE);
  const iterator = table.batches[Symbol.asyncIterator]();
  try {
    const { header, after: buffered } = await readHeader(iterator);
    const fields = (header?.cells ?? []).map((name) => COLUMNS[name.trim()] ?? name.trim());
    const missing = REQUIRED_COLUMNS.filter((field) => !fields.includes(field));
    if (missing.length > 0) {
      // Every row would fail the same way: one clear error for the file instead of a report.
      const issues = missing.map((field) =>
        fieldIssue(
          'missing_column',
          field,
          `缺少必需的列：${COLUMN_NAMES[field]}`,
          `The required column ${COLUMN_NAMES[field]} is missing`,
        ),
      );
      throw new AppError(
        'invalid_input',
        header
          ? text(
              `文件的表头缺少 ${missing.length} 个必需的列：${missing.map((f) => COLUMN_NAMES[f]).join('、')}（第一行应为列名，见模板）`,
              `The header row lacks ${missing.length} required column(s): ${missing.map((f) => COLUMN_NAMES[f]).join(', ')} (the first row must name the columns, as in the template)`,
            )
          : text(
              '文件中没有任何行：请选择服务机构导出的 CSV 或 XLSX 文件',
              'The file has no rows: choose the CSV or XLSX file the provider exported',
            ),
        { field: header ? 'header' : 'file', issues },
      );
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
        // 2025/4/1, 2025年4月1日, 20250401 … as YYYY-MM-DD; anything else left for the rule to refuse.
        serviceDate: normaliseDate(value('serviceDate') ?? ''),
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
        /** The rows whose key was derived from their content: an unchanged one says why. */
        const derived = new Set<number>();
        for (const { row, input } of inputs) {
          const checked = checkServiceAgainst(persons, context.countyCode, input, today, unit);
          // A row names its person by ID number: a missing one is the id_number column's problem.
          const issues = checked.ok
            ? []
            : checked.issues.map((i) => (i.field === 'personId' ? { ...i, field: 'idNumber' } : i));
          // An ID number Excel stored as a number has lost digits: say so, not "not in the registry".
          for (const field of ['idNumber', 'relatedIdNumber']) {
            if (!idNumberLostDigits(row, columns[field])) continue;
            const at = issues.findIndex((i) => i.field === field && i.code === 'person_not_found');
            if (at !== -1) issues.splice(at, 1);
            issues.push(numberStoredAsNumber(field));
          }
          if (checked.ok && issues.length === 0) {
            const importKey =
              checked.row.import_key ?? deriveImportKey(checked.row, input.idNumber!, input.relatedIdNumber);
            if (!checked.row.import_key) derived.add(row.rowNo);
            good.push({
              rowNo: row.rowNo,
              row: { ...checked.row, import_key: importKey, entered_by: context.actor.id },
            });
          } else {
            outcomes.push({ rowNo: row.rowNo, status: 'rejected', issues });
          }
        }
        const rowOf = new Map(good.map(({ rowNo, row }) => [rowNo, row]));
        for (const written of await writeServiceRows(trx, good)) {
          if (written.status === 'ok') {
            outcomes.push({
              rowNo: written.rowNo,
              status: 'ok',
              id: written.id,
              issues: [],
              ...(written.replaces === undefined
                ? {}
                : { replaces: written.replaces, note: replacesVoided(written.replaces) }),
            });
          } else if (written.status === 'voided') {
            outcomes.push({
              rowNo: written.rowNo,
              status: 'unchanged',
              issues: [],
              note: voidedAlready(written.voidedId),
            });
          } else if (written.status === 'rejected') {
            outcomes.push({ rowNo: written.rowNo, status: 'rejected', issues: written.issues });
          } else {
            // Its key is taken: unchanged only if the stored record is this row's service again.
            const issue = keyTakenIssue(rowOf.get(written.rowNo)!, written.stored);
            outcomes.push(
              issue
                ? { rowNo: written.rowNo, status: 'rejected', issues: [issue] }
                : {
                    rowNo: written.rowNo,
                    status: 'unchanged',
                    issues: [],
                    ...(derived.has(written.rowNo) ? { note: ALREADY_THERE } : {}),
                  },
            );
          }
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
