import type { ColumnType, Generated } from 'kysely';

/** Typed tables, one interface per table; the SQL in migrations/ is the source of truth. */

export interface RenkouMigrationTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: ColumnType<string, never, never>;
}

export interface OrgUnitTable {
  code: string;
  name: string;
  short_name: string;
  level: 'province' | 'prefecture' | 'county' | 'township' | 'village';
  kind: string;
  parent_code: string | null;
  county_code: string | null;
  created_at: Generated<string>;
}

export interface Schema {
  renkou_migration: RenkouMigrationTable;
  org_unit: OrgUnitTable;
}
