import { type Kysely, sql } from 'kysely';
import type { Schema } from '../../db/schema.ts';
import { AppError } from '../../domain/errors.ts';
import { type Text, text } from '../../domain/i18n.ts';
import { fieldLabel } from './person-columns.ts';

/** What became of an imported file. rows.ok + rows.unchanged + rows.quarantined = rows.total, always. */
export interface ImportReport {
  batchId: number;
  countyCode: string;
  /** The unit the import was for: rows outside it were quarantined (`outside_units`). The county for a county-wide import. */
  unitCode: string;
  fileName: string;
  fileFormat: 'csv' | 'xlsx';
  fileSha256: string;
  fileBytes: number;
  status: 'running' | 'completed';
  /** This run found the file already imported and wrote nothing. */
  alreadyImported: boolean;
  /** This run went on from a batch cut short: the row number it started after. */
  resumedAfterRow: number | null;
  /** This run was a county's initial load (one transaction, indexes rebuilt; see bulk-load.ts). */
  initialLoad: boolean;
  rows: { total: number; ok: number; unchanged: number; quarantined: number; blank: number };
  chunks: number;
  /** Header cells that named no known column; their values were not imported. */
  ignoredColumns: string[];
  /** Where the quarantined rows are now. */
  quarantine: { pending: number; resubmitted: number; discarded: number };
  /** Issues of the rows still pending in quarantine, most frequent first. */
  /**
   * Pending quarantine issues by field and code: how many rows, what the field is called, and the
   * first row's message as an example.
   */
  issues: { code: string; field: string; label: Text; count: number; example: Text }[];
  createdBy: string;
  startedAt: string;
  finishedAt: string | null;
}

/** The report of one import batch; throws not_found. */
export async function getImportReport(db: Kysely<Schema>, batchId: number): Promise<ImportReport> {
  const batch = await db.selectFrom('import_batch').selectAll().where('id', '=', batchId).executeTakeFirst();
  if (!batch) {
    throw new AppError('not_found', text(`没有编号为 ${batchId} 的导入批次`, `No import batch ${batchId}`), {
      field: 'batchId',
    });
  }
  const statuses = await db
    .selectFrom('import_quarantine')
    .select(['status', sql<number>`count(*)::int`.as('n')])
    .where('batch_id', '=', batchId)
    .groupBy('status')
    .execute();
  const issues = await sql<{ code: string; field: string; count: number; example: Text }>`
    SELECT i->>'code' AS code, i->>'field' AS field, count(*)::int AS count,
           (array_agg(i->'message' ORDER BY q.row_no))[1] AS example
      FROM import_quarantine q, jsonb_array_elements(q.issues) i
     WHERE q.batch_id = ${batchId} AND q.status = 'pending'
     GROUP BY 1, 2
     ORDER BY 3 DESC, 1, 2`.execute(db);
  const count = (status: string) => statuses.find((s) => s.status === status)?.n ?? 0;
  const header = batch.header as { ignored?: string[] };
  return {
    batchId: batch.id,
    countyCode: batch.county_code,
    unitCode: batch.unit_code,
    fileName: batch.file_name,
    fileFormat: batch.file_format,
    fileSha256: batch.file_sha256,
    fileBytes: batch.file_bytes,
    status: batch.status,
    alreadyImported: false,
    resumedAfterRow: null,
    initialLoad: false,
    rows: {
      total: batch.rows_total,
      ok: batch.rows_ok,
      unchanged: batch.rows_unchanged,
      quarantined: batch.rows_quarantined,
      blank: batch.blank_rows,
    },
    chunks: batch.chunks_committed,
    ignoredColumns: header.ignored ?? [],
    quarantine: {
      pending: count('pending'),
      resubmitted: count('resubmitted'),
      discarded: count('discarded'),
    },
    issues: issues.rows.map((issue) => ({ ...issue, label: fieldLabel(issue.field) })),
    createdBy: batch.created_by,
    startedAt: batch.started_at,
    finishedAt: batch.finished_at,
  };
}

/** One line of the list of recent imports. */
export interface ImportBatchSummary {
  batchId: number;
  countyCode: string;
  unitCode: string;
  fileName: string;
  fileFormat: string;
  status: string;
  rows: { total: number; ok: number; unchanged: number; quarantined: number };
  /** Quarantined rows still waiting to be fixed or discarded (rows.quarantined counts them at import). */
  quarantinePending: number;
  startedAt: string;
  finishedAt: string | null;
}

/**
 * Recent import batches, newest first. `unit`: the batches for that unit or a unit under it (a
 * township's user sees the township's and its villages' imports, not the county's).
 */
export async function listImportBatches(
  db: Kysely<Schema>,
  options: { county?: string; unit?: string; limit?: number } = {},
): Promise<ImportBatchSummary[]> {
  let query = db
    .selectFrom('import_batch as b')
    .select([
      'b.id',
      'b.county_code',
      'b.unit_code',
      'b.file_name',
      'b.file_format',
      'b.status',
      'b.rows_total',
      'b.rows_ok',
      'b.rows_unchanged',
      'b.rows_quarantined',
      'b.started_at',
      'b.finished_at',
      sql<number>`(SELECT count(*)::int FROM import_quarantine q
                    WHERE q.batch_id = b.id AND q.status = 'pending')`.as('pending'),
    ])
    .orderBy('b.id', 'desc')
    .limit(options.limit ?? 50);
  if (options.county) query = query.where('b.county_code', '=', options.county);
  if (options.unit) {
    const unit = options.unit;
    if (unit.length >= 6) query = query.where('b.county_code', '=', unit.slice(0, 6));
    query = query.where(sql<boolean>`starts_with(b.unit_code, ${unit})`);
  }
  const rows = await query.execute();
  return rows.map((b) => ({
    batchId: b.id,
    countyCode: b.county_code,
    unitCode: b.unit_code,
    fileName: b.file_name,
    fileFormat: b.file_format,
    status: b.status,
    rows: {
      total: b.rows_total,
      ok: b.rows_ok,
      unchanged: b.rows_unchanged,
      quarantined: b.rows_quarantined,
    },
    quarantinePending: Number(b.pending),
    startedAt: new Date(b.started_at).toISOString(),
    finishedAt: b.finished_at === null ? null : new Date(b.finished_at).toISOString(),
  }));
}
