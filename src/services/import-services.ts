import { type FieldIssue, fieldIssue } from '../domain/errors.ts';
import { parseCsv } from '../linkage/csv.ts';
import { type CommandContext, todayOf } from '../registry/context.ts';
import { checkService } from './record-service.ts';

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

function parseConsent(value: string | undefined): boolean | null {
  const v = (value ?? '').trim().toLowerCase();
  if (['1', 'true', 'yes', 'y', '是', '同意'].includes(v)) return true;
  if (['0', 'false', 'no', 'n', '否', '不同意'].includes(v)) return false;
  return null;
}

/**
 * Imports service records from a provider's CSV: every row checked by the same rules as entry,
 * good rows written (each on its own, so one bad row never blocks or half-writes another), a
 * report per row. Rows with an import_key already imported are reported unchanged.
 */
export async function importServicesCsv(
  context: CommandContext & { countyCode: string },
  csv: string,
  source = 'import',
): Promise<ServiceImportReport> {
  const rows = parseCsv(csv.replace(/^\uFEFF/, ''));
  const header = (rows.shift() ?? []).map((name) => COLUMNS[name.trim()] ?? name.trim());
  const report: ServiceImportReport = { rows: [], ok: 0, unchanged: 0, rejected: 0 };
  const missing = ['kind', 'idNumber', 'serviceDate', 'provider', 'outcomeCode', 'consent'].filter(
    (field) => !header.includes(field),
  );
  if (missing.length > 0) {
    report.rows.push({
      rowNo: 1,
      status: 'rejected',
      issues: missing.map((field) =>
        fieldIssue('missing_column', field, `缺少列：${field}`, `Missing column: ${field}`),
      ),
    });
    report.rejected = rows.length;
    return report;
  }
  const today = todayOf(context);
  for (const [index, fields] of rows.entries()) {
    const rowNo = index + 2;
    const value = (name: string) => {
      const at = header.indexOf(name);
      const v = at >= 0 ? fields[at]?.trim() : undefined;
      return v ? v : undefined;
    };
    const quantityText = value('quantity');
    const checked = await checkService(
      context.db,
      context.countyCode,
      {
        kind: value('kind') ?? '',
        idNumber: value('idNumber') ?? null,
        relatedIdNumber: value('relatedIdNumber') ?? null,
        serviceDate: value('serviceDate') ?? '',
        provider: value('provider') ?? '',
        outcomeCode: value('outcomeCode') ?? '',
        consent: parseConsent(value('consent')),
        quantity: quantityText === undefined ? null : Number(quantityText),
        source,
        importKey: value('importKey') ?? null,
      },
      today,
    );
    if (!checked.ok) {
      report.rows.push({ rowNo, status: 'rejected', issues: checked.issues });
      report.rejected += 1;
      continue;
    }
    const inserted = await context.db
      .insertInto('service_record')
      .values({ ...checked.row, entered_by: context.actor.id })
      .onConflict((oc) =>
        oc.columns(['county_code', 'source', 'import_key']).where('import_key', 'is not', null).doNothing(),
      )
      .returning('id')
      .executeTakeFirst();
    if (inserted) {
      report.rows.push({ rowNo, status: 'ok', id: inserted.id, issues: [] });
      report.ok += 1;
    } else {
      report.rows.push({ rowNo, status: 'unchanged', issues: [] });
      report.unchanged += 1;
    }
  }
  return report;
}
