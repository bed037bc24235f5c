import type { ColumnType, Generated } from 'kysely';

/** Tables of data-quality rates, validation findings and field audits (src/quality/); the SQL in ../migrations/ is the source of truth. */
export interface QualityTables {
  field_audit: FieldAuditTable;
  field_audit_stratum: FieldAuditStratumTable;
  field_audit_household: FieldAuditHouseholdTable;
  field_audit_person: FieldAuditPersonTable;
}

type Json<T> = ColumnType<T, string, string>;

export interface FieldAuditTable {
  county_code: string;
  id: Generated<number>;
  unit_code: string;
  year: number;
  households_requested: number;
  seed: string;
  frame_households: number;
  frame_persons: number;
  frame_digest: string;
  fields: Json<string[]>;
  status: Generated<'drawn' | 'surveyed'>;
  drawn_at: Generated<string>;
  drawn_by: string;
  results_at: string | null;
  results_by: string | null;
}

export interface FieldAuditStratumTable {
  county_code: string;
  audit_id: number;
  stratum_code: string;
  frame_households: number;
  sample_households: number;
}

export interface FieldAuditHouseholdTable {
  county_code: string;
  audit_id: number;
  household_id: number;
  stratum_code: string;
  org_code: string;
  draw_rank: number;
  surveyed_on: string | null;
  persons_checked: Generated<number>;
  persons_correct: Generated<number>;
  fields_checked: Generated<number>;
  fields_correct: Generated<number>;
}

export interface FieldAuditPersonTable {
  county_code: string;
  id: Generated<number>;
  audit_id: number;
  household_id: number;
  person_id: number | null;
  registry: Json<Record<string, string | null>>;
  surveyed: ColumnType<Record<string, string | null> | null, string | null, string | null>;
  outcome: Generated<'pending' | 'checked' | 'not_member' | 'unlisted'>;
  fields_checked: Generated<number>;
  fields_correct: Generated<number>;
}
