import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { dataVersion } from '../db/data-version.ts';
import type { Database } from '../db/database.ts';
import type { FeedSource, Schema } from '../db/schema.ts';
import { AppError, type FieldIssue, invalidInput } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import { isBlankRecord } from '../registry/import/csv-reader.ts';
import { detectFormat, hashFile, openTable } from '../registry/import/import-file.ts';
import { createPlaceResolver, type PlaceResolver } from './place-resolver.ts';
import { resolveRecord } from './resolve-record.ts';
import { type FeedMapping, resolveMapping, SOURCE_LABELS } from './sources.ts';

/**
 * Ingesting a department's file: every row kept as it came (feed_record.raw), each read through
 * the batch's column mapping into the event it reports (kind, date, village), with what could not
 * be read reported row by row. One transaction per batch: all rows or none. The same file twice
 * (by SHA-256) is refused.
 */

export type FeedFileFormat = 'csv' | 'xlsx' | 'json';

export interface IngestFeedInput {
  source: FeedSource;
  path: string;
  /** The name to record (default: the path's base name). */
  fileName?: string;
  /** Overrides of the source's standard mapping: renkou field → column name. */
  mapping?: unknown;
  /** 6-digit county code; by default the only county loaded. */
  county?: string;
  actor: string;
}

export interface RowIssues {
  rowNo: number;
  issues: FieldIssue[];
}

export interface IngestFeedReport {
  batchId: number;
  countyCode: string;
  source: FeedSource;
  fileName: string;
  format: FeedFileFormat;
  columns: string[];
  mapping: FeedMapping;
  rows: number;
  blankRows: number;
  /** Rows with something that could not be read (kept all the same). */
  rowsWithIssues: number;
  /** How many rows had each issue code. */
  issueCounts: Record<string, number>;
  /** The first rows with issues (at most 200), with their issues. */
  rowIssues: RowIssues[];
  /** Rows placed on a village, on a township only, on neither. */
  placed: { village: number; township: number; none: number };
}

interface ReadTable {
  format: FeedFileFormat;
  columns: string[];
  rows: { rowNo: number; raw: Record<string, string | null> }[];
  blankRows: number;
}

async function readJsonTable(path: string): Promise<ReadTable> {
  let parsed: unknown;
  try {
    parsed = JSON.parse((await readFile(path, 'utf8')).replace(/^\ufeff/, ''));
  } catch (error) {
    throw new AppError(
      'invalid_input',
      text(
        `文件不是有效的 JSON：${error instanceof Error ? error.message : String(error)}`,
        `The file is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      ),
      { field: 'file' },
    );
  }
  const list = Array.isArray(parsed)
    ? parsed
    : ((parsed as { rows?: unknown; records?: unknown } | null)?.rows ??
      (parsed as { records?: unknown } | null)?.records);
  if (!Array.isArray(list)) {
    throw new AppError(
      'invalid_input',
      text(
        'JSON 文件应为记录数组，或含 rows（记录数组）的对象',
        'A JSON file must be an array of records, or an object with rows (an array of records)',
      ),
      { field: 'file' },
    );
  }
  const columns: string[] = [];
  const seen = new Set<string>();
  const rows: ReadTable['rows'] = [];
  let blankRows = 0;
  for (const [index, item] of list.entries()) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new AppError(
        'invalid_input',
        text(`第 ${index + 1} 条记录不是 JSON 对象`, `Record ${index + 1} is not a JSON object`),
        { field: `rows.${index}` },
      );
    }
    const raw: Record<string, string | null> = {};
    let blank = true;
    for (const [key, value] of Object.entries(item as Record<string, unknown>)) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
      const cell =
        value === null || value === undefined
          ? null
          : typeof value === 'object'
            ? JSON.stringify(value)
            : String(value);
      if (cell !== null && cell.trim() !== '') blank = false;
      raw[key] = cell;
    }
    if (blank) blankRows++;
    else rows.push({ rowNo: index + 1, raw });
  }
  return { format: 'json', columns, rows, blankRows };
}

async function readSheetTable(path: string, format: 'csv' | 'xlsx'): Promise<ReadTable> {
  const table = openTable(path, format);
  let header: string[] | undefined;
  const rows: ReadTable['rows'] = [];
  let blankRows = 0;
  for await (const batch of table.batches) {
    for (const row of batch) {
      if (isBlankRecord(row.cells)) {
        if (header) blankRows++;
        continue;
      }
      if (!header) {
        header = row.cells.map((cell) => cell.trim());
        const seen = new Set<string>();
        for (const name of header) {
          if (name !== '' && seen.has(name)) {
            throw new AppError(
              'invalid_input',
              text(`表头中列“${name}”出现了两次`, `The header has the column "${name}" twice`),
              { field: 'file' },
            );
          }
          seen.add(name);
        }
        continue;
      }
      const raw: Record<string, string | null> = {};
      for (const [c, name] of header.entries()) {
        if (name === '') continue;
        const value = row.cells[c];
        raw[name] = value === undefined || value === '' ? null : value;
      }
      rows.push({ rowNo: row.rowNo, raw });
    }
  }
  if (!header) {
    throw new AppError('invalid_input', text('文件是空的，没有表头', 'The file is empty: no header row'), {
      field: 'file',
    });
  }
  return { format, columns: header.filter((name) => name !== ''), rows, blankRows };
}

async function readFeedTable(path: string, fileName: string): Promise<ReadTable> {
  if (/\.json$/i.test(fileName)) return readJsonTable(path);
  const format = await detectFormat(path);
  if (format === 'csv') {
    // A JSON file under another name: its first non-space character says so.
    const head = (await readFile(path))
      .subarray(0, 64)
      .toString('utf8')
      .replace(/^\ufeff/, '')
      .trimStart();
    if (head.startsWith('[') || head.startsWith('{')) return readJsonTable(path);
  }
  return readSheetTable(path, format);
}

/** The county to work in: the one asked for (loaded), or the only one loaded. */
export async function chooseCounty(db: Kysely<Schema>, requested: string | undefined): Promise<string> {
  const counties = (
    await db.selectFrom('org_unit').select('code').where('level', '=', 'county').execute()
  ).map((row) => row.code);
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
  throw new AppError(
    'invalid_input',
    counties.length === 0
      ? text('还没有加载任何县；先运行 renkou init', 'No county is loaded yet; run renkou init first')
      : text(
          `已加载多个县（${counties.join('、')}）；请指定县`,
          `Several counties are loaded (${counties.join(', ')}); say which county`,
        ),
    { field: 'county' },
  );
}

/** The county's villages and townships by name, with the names an address may start with. */
export async function loadPlaceResolver(db: Kysely<Schema>, countyCode: string): Promise<PlaceResolver> {
  const units = await db
    .selectFrom('org_unit')
    .select(['code', 'name', 'short_name', 'level', 'parent_code'])
    .where((eb) => eb.or([eb('county_code', '=', countyCode), eb('code', '=', countyCode)]))
    .execute();
  const county = units.find((u) => u.code === countyCode);
  const above = await db
    .selectFrom('org_unit')
    .select(['name', 'short_name'])
    .where('code', 'in', [countyCode.slice(0, 2), countyCode.slice(0, 4)])
    .execute();
  const names = [county, ...above].flatMap((u) => (u ? [u.name, u.short_name] : []));
  return createPlaceResolver(units, names);
}

/** Ingests one department file as a new batch. */
export async function ingestFeedFile(database: Database, input: IngestFeedInput): Promise<IngestFeedReport> {
  const db = database.db;
  const fileName = input.fileName ?? basename(input.path);
  const countyCode = await chooseCounty(db, input.county);
  const sha256 = await hashFile(input.path);
  const earlier = await db
    .selectFrom('feed_batch')
    .select(['id', 'source', 'received_at', 'file_name'])
    .where('county_code', '=', countyCode)
    .where('file_sha256', '=', sha256)
    .executeTakeFirst();
  if (earlier) {
    throw new AppError(
      'duplicate',
      text(
        `这个文件已于 ${earlier.received_at.slice(0, 10)} 作为批次 ${earlier.id}（${SOURCE_LABELS[earlier.source][0]}，${earlier.file_name ?? ''}）接收过，内容完全相同（SHA-256 ${sha256.slice(0, 12)}…），不再重复接收`,
        `This file was received on ${earlier.received_at.slice(0, 10)} as batch ${earlier.id} (${SOURCE_LABELS[earlier.source][1]}, ${earlier.file_name ?? ''}) with exactly the same content (SHA-256 ${sha256.slice(0, 12)}…); it is not received twice`,
      ),
      { field: 'file', details: { batchId: earlier.id, sha256 } },
    );
  }
  const table = await readFeedTable(input.path, fileName);
  const resolved = resolveMapping(input.source, table.columns, input.mapping);
  if (!resolved.ok) throw invalidInput(resolved.issues);
  const mapping = resolved.mapping;
  const places = await loadPlaceResolver(db, countyCode);

  const issueCounts: Record<string, number> = {};
  const rowIssues: RowIssues[] = [];
  let rowsWithIssues = 0;
  const placed = { village: 0, township: 0, none: 0 };
  const records = table.rows.map((row) => {
    const r = resolveRecord(input.source, mapping, row.raw, places);
    if (r.issues.length > 0) {
      rowsWithIssues++;
      for (const issue of r.issues) issueCounts[issue.code] = (issueCounts[issue.code] ?? 0) + 1;
      if (rowIssues.length < 200) rowIssues.push({ rowNo: row.rowNo, issues: r.issues });
    }
    if (r.orgCode === null) placed.none++;
    else if (r.orgCode.length === 12) placed.village++;
    else placed.township++;
    return { row, r };
  });

  const batchId = await db.transaction().execute(async (trx) => {
    // Many statements: the county's data_version is bumped once, at the end (dataVersion).
    await dataVersion.deferIn(trx);
    const batch = await trx
      .insertInto('feed_batch')
      .values({
        county_code: countyCode,
        source: input.source,
        file_name: fileName,
        file_sha256: sha256,
        columns: JSON.stringify(table.columns),
        mapping: JSON.stringify(mapping),
        row_count: records.length,
        received_by: input.actor,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await sql`UPDATE feed_batch SET file_format = ${table.format}, resolved_at = now() WHERE id = ${batch.id}`.execute(
      trx,
    );
    for (let start = 0; start < records.length; start += 500) {
      const chunk = records.slice(start, start + 500);
      await sql`
        INSERT INTO feed_record (batch_id, row_no, county_code, raw, event_kind, event_date, org_code, issues)
        SELECT ${batch.id}, x.row_no, ${countyCode}, x.raw, x.event_kind, x.event_date, x.org_code, x.issues
          FROM jsonb_to_recordset(${JSON.stringify(
            chunk.map(({ row, r }) => ({
              row_no: row.rowNo,
              raw: row.raw,
              event_kind: r.eventKind,
              event_date: r.eventDate,
              org_code: r.orgCode,
              issues: r.issues,
            })),
          )}::jsonb) AS x(row_no int, raw jsonb, event_kind text, event_date date, org_code text, issues jsonb)`.execute(
        trx,
      );
    }
    await dataVersion.bumpIn(trx, countyCode);
    return batch.id;
  });

  return {
    batchId,
    countyCode,
    source: input.source,
    fileName,
    format: table.format,
    columns: table.columns,
    mapping,
    rows: records.length,
    blankRows: table.blankRows,
    rowsWithIssues,
    issueCounts,
    rowIssues,
    placed,
  };
}

/**
 * Works out the event kind, date and unit of every record of batches that came in without them
 * (the synthetic county's loader writes raw rows only): the same reading as ingestion, by the
 * batch's mapping (the source's standard one when the batch has none). Returns the batches done.
 */
export async function resolvePendingBatches(database: Database, countyCode: string): Promise<number[]> {
  const db = database.db;
  const pending = (
    await sql<{ id: number; source: FeedSource; mapping: FeedMapping; columns: string[] }>`
      SELECT id, source, mapping, columns FROM feed_batch
       WHERE county_code = ${countyCode} AND resolved_at IS NULL ORDER BY id`.execute(db)
  ).rows;
  if (pending.length === 0) return [];
  const places = await loadPlaceResolver(db, countyCode);
  const done: number[] = [];
  for (const batch of pending) {
    const given = Object.keys(batch.mapping ?? {}).length > 0 ? batch.mapping : undefined;
    const resolved = resolveMapping(batch.source, batch.columns, given);
    if (!resolved.ok) throw invalidInput(resolved.issues);
    const mapping = resolved.mapping;
    const rows = await db
      .selectFrom('feed_record')
      .select(['row_no', 'raw'])
      .where('batch_id', '=', batch.id)
      .orderBy('row_no')
      .execute();
    await db.transaction().execute(async (trx) => {
      await dataVersion.deferIn(trx);
      for (let start = 0; start < rows.length; start += 2000) {
        const chunk = rows.slice(start, start + 2000).map((row) => {
          const r = resolveRecord(batch.source, mapping, row.raw, places);
          return {
            row_no: row.row_no,
            event_kind: r.eventKind,
            event_date: r.eventDate,
            org_code: r.orgCode,
            issues: r.issues,
          };
        });
        await sql`
          UPDATE feed_record f SET event_kind = x.event_kind, event_date = x.event_date, org_code = x.org_code,
                 issues = x.issues
            FROM jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb)
                 AS x(row_no int, event_kind text, event_date date, org_code text, issues jsonb)
           WHERE f.batch_id = ${batch.id} AND f.row_no = x.row_no`.execute(trx);
      }
      await sql`UPDATE feed_batch SET mapping = ${JSON.stringify(mapping)}::jsonb, resolved_at = now()
                 WHERE id = ${batch.id}`.execute(trx);
      await dataVersion.bumpIn(trx, countyCode);
    });
    done.push(batch.id);
  }
  return done;
}
