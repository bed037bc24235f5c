/** Tables of activity log and generated reports (src/reports/); the SQL in ../migrations/ is the source of truth. */
export type ReportTables = Record<never, never>;
