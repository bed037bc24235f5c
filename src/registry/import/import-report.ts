import { type Kysely, sql } from 'kysely';
import type { Schema } from '../../db/schema.ts';
import { AppError } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';

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
  issues: { code: string; field: string; count: number }[];
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
  const issues = await sql<{ code: string; field: string; count: number }>`
    SELECT i->>'code' AS code, i->>'field' AS field, count(*)::int AS count
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
    issues: issues.rows,
    createdBy: batch.created_by,
    startedAt: batch.started_at,
    finishedAt: batch.finished_at,
  };
}

/**
 * Recent import batches, newest first. `unit`: the batches for that unit or a unit under it (a
 * township's user sees the township's and its villages' imports, not the county's).
 */
export async function listImportBatches(
  db: Kysely<Schema>,
  options: { county?: string; unit?: string; limit?: number } = {},
) {
  let query = db
    .selectFrom('import_batch')
    .select([
      'id',
      'county_code',
      'unit_code',
      'file_name',
      'file_format',
      'status',
      'rows_total',
      'rows_ok',
      'rows_unchanged',
      'rows_quarantined',
      'started_at',
      'finished_at',
    ])
    .orderBy('id', 'desc')
    .limit(options.limit ?? 50);
  if (options.county) query = query.where('county_code', '=', options.county);
  if (options.unit) {
    const unit = options.unit;
    if (unit.length >= 6) query = query.where('county_code', '=', unit.slice(0, 6));
    query = query.where(sql<boolean>`starts_with(unit_code, ${unit})`);
  }
  return query.execute();
}
