/** Reports: the work report (.docx/.html), statistical tables (.xlsx), the activity log and report records. */
export {
  ACTIVITY_KINDS,
  type Activity,
  addActivity,
  listActivities,
  summariseActivities,
} from './activities.ts';
export { ACTIVITY_KIND_NAMES, buildWorkReport, findLaggingUnits, meetsTarget } from './build-work-report.ts';
export { type Figure, formatFigure } from './figures.ts';
export {
  CONTENT_TYPES,
  computeReportContent,
  diffReportRun,
  type GeneratedReport,
  generateReport,
  listReportRuns,
  parseReportLang,
  REPORT_FORMATS,
  type ReportFormat,
  type ReportRun,
} from './generate.ts';
export type { ReportDocument, WorkReportInput } from './model.ts';
export { renderDocx } from './render-docx.ts';
export { renderHtml } from './render-html.ts';
export { renderXlsx } from './render-xlsx.ts';
export { gatherStatisticalTables } from './statistical-tables.ts';
