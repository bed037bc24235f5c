import type { ColumnType, Generated } from 'kysely';

/** Tables of target sheets, progress and assessment (src/targets/); the SQL in ../migrations/ is the source of truth. */
export interface TargetTables {
  target_sheet: TargetSheetTable;
  target_sheet_version: TargetSheetVersionTable;
}

export interface TargetSheetTable {
  county_code: string;
  unit_code: string;
  year: number;
  current_version: number;
  updated_at: Generated<string>;
}

export interface TargetSheetVersionTable {
  county_code: string;
  unit_code: string;
  year: number;
  version: number;
  /** Stored items (see src/targets/sheet.ts TargetItem); written as JSON text. */
  items: ColumnType<unknown[], string, string>;
  settings: ColumnType<Record<string, unknown>, string | undefined, string>;
  change_kind: 'set' | 'split' | 'demo';
  parent_unit_code: string | null;
  parent_version: number | null;
  reason: string;
  created_by: string;
  created_at: ColumnType<string, never, never>;
}
