import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../db/database.ts';
import { AppError } from '../domain/errors.ts';
import { type Lang, text } from '../domain/i18n.ts';
import { buildWorkReport } from './build-work-report.ts';
import { prepareChartRenderer } from './charts.ts';
import type { Figure } from './figures.ts';
import { gatherWorkReportInput, getReportUnit, parseReportPeriod } from './gather.ts';
import type { ReportDocument } from './model.ts';
import { renderDocx } from './render-docx.ts';
import { renderHtml } from './render-html.ts';
import { renderXlsx } from './render-xlsx.ts';
import { gatherStatisticalTables, type StatisticalTables } from './statistical-tables.ts';

export type ReportFormat = 'docx' | 'xlsx' | 'html';
export const REPORT_FORMATS: readonly ReportFormat[] = ['docx', 'xlsx', 'html'];

export const CONTENT_TYPES: Record<ReportFormat | 'json', string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/**
 * The language a report is asked for in: zh-CN (also zh, zh-Hans…) or en (also en-US…); absent
 * means zh-CN. Anything else is refused, field `lang` — a report is never silently written in a
 * language nobody asked for.
 */
export function parseReportLang(value: string | undefined | null): Lang {
  if (value === undefined || value === null || value === '') return 'zh-CN';
  const v = value.trim().toLowerCase();
  if (/^zh(-(cn|hans|hans-cn|sg))?$/.test(v)) return 'zh-CN';
  if (/^en(-[a-z]{2})?$/.test(v)) return 'en';
  // Whoever typed a wrong language may not read Chinese: the zh-CN message carries the English too.
  const message = text(
    `报告语言应为 zh-CN 或 en，收到“${value}”（The report language must be zh-CN or en）`,
    `The report language must be zh-CN or en, not "${value}"`,
  );
  throw new AppError('invalid_input', message, {
    field: 'lang',
    issues: [{ code: 'invalid_lang', field: 'lang', message }],
  });
}

export interface ReportRequest {
  unit: string;
  period: string;
  format: ReportFormat;
  /** The language of the words (zh-CN by default); the figures are the same in both. */
  lang?: Lang;
  actor: string;
  reportDate?: string;
  plans?: string[];
  onStep?: (step: string, done: number, total: number) => void;
}

export interface GeneratedReport {
  runId: number;
  kind: 'work_report' | 'statistical_tables';
  format: ReportFormat;
  lang: Lang;
  fileName: string;
  contentType: string;
  bytes: Buffer;
  sha256: string;
  dataVersion: number;
  figureCount: number;
}

/** What a report kind prints, without rendering a file: for previews and for diffs. */
export async function computeReportContent(
  database: Database,
  request: Pick<ReportRequest, 'unit' | 'period' | 'reportDate' | 'plans' | 'lang'> & {
    kind: 'work_report' | 'statistical_tables' | 'both';
    onStep?: (step: string) => void;
  },
): Promise<{
  document?: ReportDocument;
  tables?: StatisticalTables;
  figures: Record<string, Figure>;
  dataVersion: number;
}> {
  let document: ReportDocument | undefined;
  let tables: StatisticalTables | undefined;
  if (request.kind !== 'statistical_tables') {
    const input = await gatherWorkReportInput(database, { ...request, onStep: request.onStep });
    document = buildWorkReport(input, request.lang ?? 'zh-CN');
  }
  if (request.kind !== 'work_report') {
    request.onStep?.('tables');
    tables = await gatherStatisticalTables(database, { ...request, lang: request.lang ?? 'zh-CN' });
  }
  return {
    document,
    tables,
    figures: { ...tables?.figures, ...document?.figures },
    dataVersion: document?.dataVersion ?? tables?.dataVersion ?? 0,
  };
}

/** The stored form of a figure: what it printed and where it came from. */
function storedFigure(figure: Figure) {
  return {
    name: figure.name['zh-CN'],
    value: figure.value,
    numerator: figure.numerator,
    denominator: figure.denominator,
    trace: figure.trace,
  };
}

/**
 * Generates a report file and records it (report_run): the unit, period, format, data version,
 * every printed figure with its trace, and the file's SHA-256.
 */
export async function generateReport(database: Database, request: ReportRequest): Promise<GeneratedReport> {
  if (!REPORT_FORMATS.includes(request.format)) {
    throw new AppError(
      'invalid_input',
      text('格式应为 docx、xlsx 或 html', 'Format must be docx, xlsx or html'),
      {
        field: 'format',
      },
    );
  }
  const lang = parseReportLang(request.lang);
  if (request.format === 'docx') prepareChartRenderer();
  const unit = await getReportUnit(database.db, request.unit);
  const period = parseReportPeriod(request.period);
  const steps = ['figures', 'comparisons', 'charts', 'sections', 'tables', 'render', 'record'];
  const step = (name: string) => request.onStep?.(name, steps.indexOf(name) + 1, steps.length);
  const kind =
    request.format === 'docx' ? 'work_report' : request.format === 'xlsx' ? 'statistical_tables' : 'both';
  const content = await computeReportContent(database, { ...request, lang, kind, onStep: step });
  step('render');
  let bytes: Buffer;
  if (request.format === 'docx') bytes = await renderDocx(content.document!);
  else if (request.format === 'xlsx') bytes = await renderXlsx(content.tables!);
  else bytes = Buffer.from(renderHtml(content.document!, content.tables), 'utf8');
  step('record');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const figures = Object.fromEntries(
    Object.entries(content.figures).map(([key, f]) => [key, storedFigure(f)]),
  );
  const recordKind = request.format === 'xlsx' ? 'statistical_tables' : 'work_report';
  const row = await database.db
    .insertInto('report_run')
    .values({
      county_code: unit.countyCode,
      unit_code: unit.code,
      period: period.id,
      kind: recordKind,
      format: request.format,
      lang,
      data_version: content.dataVersion,
      figures: JSON.stringify(figures),
      file_sha256: sha256,
      file_bytes: bytes.length,
      created_by: request.actor,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const label =
    lang === 'en'
      ? ` ${period.label.en} ${recordKind === 'statistical_tables' ? 'statistical tables' : 'work report'}`
      : `${period.label['zh-CN']}${recordKind === 'statistical_tables' ? '人口统计报表' : '工作汇报'}`;
  return {
    runId: Number(row.id),
    kind: recordKind,
    format: request.format,
    lang,
    fileName: `${unit.name}${label}.${request.format}`,
    contentType: CONTENT_TYPES[request.format],
    bytes,
    sha256,
    dataVersion: content.dataVersion,
    figureCount: Object.keys(figures).length,
  };
}

export interface ReportRun {
  id: number;
  unit: string;
  period: string;
  kind: 'work_report' | 'statistical_tables';
  format: string;
  /** The language the file was written in. */
  lang: Lang;
  dataVersion: number;
  sha256: string;
  bytes: number;
  createdAt: string;
  createdBy: string;
  figureCount: number;
}

type StoredFigure = ReturnType<typeof storedFigure>;

/** The recorded reports of a unit (its subtree), newest first. */
export async function listReportRuns(
  database: Database,
  options: { id?: number; unit?: string; period?: string; limit?: number },
) {
  let query = database.db
    .selectFrom('report_run')
    .select([
      'id',
      'unit_code',
      'period',
      'kind',
      'format',
      'lang',
      'data_version',
      'file_sha256',
      'file_bytes',
      'created_at',
      'created_by',
      sql<number>`(SELECT count(*) FROM jsonb_object_keys(figures))`.as('n'),
    ]);
  if (options.id !== undefined) query = query.where('id', '=', options.id);
  if (options.unit) query = query.where('unit_code', 'like', `${options.unit}%`);
  if (options.period) query = query.where('period', '=', options.period);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(options.limit ?? 50)
    .execute();
  return rows.map(
    (row): ReportRun => ({
      id: Number(row.id),
      unit: row.unit_code,
      period: row.period,
      kind: row.kind,
      format: row.format,
      lang: row.lang,
      dataVersion: Number(row.data_version),
      sha256: row.file_sha256,
      bytes: row.file_bytes,
      createdAt: String(row.created_at),
      createdBy: row.created_by,
      figureCount: Number(row.n),
    }),
  );
}

export interface FigureChange {
  key: string;
  name: string;
  before: number | null;
  after: number | null;
}

export interface ReportDiff {
  run: ReportRun;
  dataVersionThen: number;
  dataVersionNow: number;
  /** True when every recorded figure is printed again with the same value and nothing was added. */
  same: boolean;
  changed: FigureChange[];
  added: FigureChange[];
  removed: FigureChange[];
}

/**
 * Regenerates a recorded report's figures from today's data and lists what changed: the answer to
 * "does this report still hold?" (Rendering is skipped; only the figures are compared.)
 */
export async function diffReportRun(database: Database, runId: number): Promise<ReportDiff> {
  const row = await database.db
    .selectFrom('report_run')
    .selectAll()
    .where('id', '=', runId)
    .executeTakeFirst();
  if (!row) {
    throw new AppError('not_found', text(`没有编号为 ${runId} 的报告记录`, `No report record ${runId}`), {
      field: 'id',
    });
  }
  const then = row.figures as unknown as Record<string, StoredFigure>;
  const kind = row.format === 'html' ? 'both' : row.kind;
  const now = await computeReportContent(database, { unit: row.unit_code, period: row.period, kind });
  const changed: FigureChange[] = [];
  const added: FigureChange[] = [];
  const removed: FigureChange[] = [];
  for (const [key, before] of Object.entries(then)) {
    const after = now.figures[key];
    if (!after) removed.push({ key, name: before.name, before: before.value, after: null });
    else if (after.value !== before.value)
      changed.push({ key, name: before.name, before: before.value, after: after.value });
  }
  for (const [key, after] of Object.entries(now.figures)) {
    if (!(key in then)) added.push({ key, name: after.name['zh-CN'], before: null, after: after.value });
  }
  const [run] = await listReportRuns(database, { id: runId });
  return {
    run: run!,
    dataVersionThen: Number(row.data_version),
    dataVersionNow: now.dataVersion,
    same: changed.length === 0 && added.length === 0 && removed.length === 0,
    changed,
    added,
    removed,
  };
}
