import type { ColumnType, Generated } from 'kysely';

/** Kinds of service activity (DESIGN.md, Scope: services only). */
export type ActivityKind =
  | 'publicity'
  | 'health_check'
  | 'home_visit'
  | 'training'
  | 'consultation'
  | 'family_support'
  | 'childcare_service'
  | 'elderly_care'
  | 'other';

export interface ActivityTable {
  county_code: string;
  id: Generated<number>;
  org_code: string;
  activity_date: string;
  kind: ActivityKind;
  people_served: number | null;
  materials: number | null;
  description: string;
  voided: Generated<boolean>;
  void_reason: string | null;
  created_at: Generated<string>;
  created_by: string;
}

export interface ReportRunTable {
  id: Generated<number>;
  county_code: string;
  unit_code: string;
  period: string;
  kind: 'work_report' | 'statistical_tables';
  format: 'docx' | 'xlsx' | 'html' | 'json';
  lang: Generated<'zh-CN' | 'en'>;
  data_version: number;
  figures: ColumnType<Record<string, unknown>, string, never>;
  file_sha256: string;
  file_bytes: number;
  created_at: Generated<string>;
  created_by: string;
}

/** Tables of activity log and generated reports (src/reports/); the SQL in ../migrations/ is the source of truth. */
export interface ReportTables {
  activity: ActivityTable;
  report_run: ReportRunTable;
}
