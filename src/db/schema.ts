import type { ColumnType, Generated } from 'kysely';
import type { AccessTables } from './tables/access.ts';
import type { BenefitTables } from './tables/benefits.ts';
import type { DedupeTables } from './tables/dedupe.ts';
import type { FeedTables } from './tables/feeds.ts';
import type { QualityTables } from './tables/quality.ts';
import type { ReportTables } from './tables/reports.ts';
import type { TargetTables } from './tables/targets.ts';

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

export type Sex = 'male' | 'female';
export type HukouType = 'rural' | 'urban';
export type MaritalStatus = 'single' | 'married' | 'divorced' | 'widowed';
export type ResidenceType = 'registered' | 'resident' | 'inflow' | 'outflow';
export type PersonStatus = 'active' | 'dead' | 'moved_out' | 'voided' | 'merged';
export type EventKind =
  | 'birth'
  | 'death'
  | 'marriage'
  | 'divorce'
  | 'move_in'
  | 'move_out'
  | 'residence_change';

export interface HouseholdTable {
  county_code: string;
  id: Generated<number>;
  household_no: string;
  org_code: string;
  address: string | null;
  hukou_type: HukouType | null;
  head_person_id: number | null;
  status: Generated<'active' | 'dissolved' | 'voided'>;
  void_reason: string | null;
  version: Generated<number>;
  created_at: Generated<string>;
  created_by: string;
  updated_at: Generated<string>;
}

export interface PersonTable {
  county_code: string;
  id: Generated<number>;
  id_number: string | null;
  name: string;
  name_pinyin: string;
  name_initials: string;
  sex: Sex;
  birth_date: string;
  ethnicity: string | null;
  hukou_type: HukouType | null;
  marital_status: MaritalStatus | null;
  phone: string | null;
  household_id: number | null;
  relation_to_head: string | null;
  mother_id: number | null;
  father_id: number | null;
  birth_order: number | null;
  death_date: string | null;
  current_org_code: string | null;
  current_residence_type: ResidenceType | null;
  status: Generated<PersonStatus>;
  void_reason: string | null;
  merged_into_id: number | null;
  source: string;
  import_key: string | null;
  version: Generated<number>;
  created_at: Generated<string>;
  created_by: string;
  updated_at: Generated<string>;
  updated_by: string;
}

export interface ResidenceSpellTable {
  county_code: string;
  id: Generated<number>;
  person_id: number;
  org_code: string;
  residence_type: ResidenceType;
  valid_from: string;
  valid_to: string | null;
  household_id: number | null;
  voided: Generated<boolean>;
}

export interface PersonUnionTable {
  county_code: string;
  id: Generated<number>;
  person_id: number;
  partner_id: number | null;
  partner_name: string | null;
  partner_id_number: string | null;
  start_date: string;
  end_date: string | null;
  end_reason: 'divorce' | 'death' | null;
  voided: Generated<boolean>;
}

export interface VitalEventTable {
  county_code: string;
  id: Generated<number>;
  kind: EventKind;
  person_id: number;
  other_person_id: number | null;
  event_date: string;
  report_date: string;
  org_code: string;
  source: string;
  entered_by: string;
  entered_at: Generated<string>;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  import_key: string | null;
  voided: Generated<boolean>;
  void_reason: string | null;
}

export interface PersonVersionTable {
  county_code: string;
  person_id: number;
  version: number;
  change_kind: string;
  changed_at: Generated<string>;
  changed_by: string;
  reason: string | null;
  changes: ColumnType<Record<string, { old: unknown; new: unknown }>, string, never>;
  /** Null on a bulk writer's first version: read it with rewoundSnapshot (registry/person-store.ts). */
  snapshot: ColumnType<Record<string, unknown> | null, string | null, never>;
}

export interface ImportBatchTable {
  id: Generated<number>;
  county_code: string;
  /** The unit the import was for (migration 0020). */
  unit_code: string;
  kind: Generated<'persons'>;
  file_name: string;
  file_format: 'csv' | 'xlsx';
  file_sha256: string;
  file_bytes: number;
  status: Generated<'running' | 'completed'>;
  header: ColumnType<Record<string, unknown>, string | undefined, string>;
  rows_total: Generated<number>;
  rows_ok: Generated<number>;
  rows_unchanged: Generated<number>;
  rows_quarantined: Generated<number>;
  blank_rows: Generated<number>;
  last_row_no: Generated<number>;
  chunks_committed: Generated<number>;
  created_by: string;
  started_at: Generated<string>;
  updated_at: Generated<string>;
  finished_at: string | null;
}

export interface ImportChunkTable {
  batch_id: number;
  chunk_no: number;
  first_row_no: number;
  last_row_no: number;
  rows_ok: number;
  rows_unchanged: number;
  rows_quarantined: number;
  unchanged_rows: Generated<number[]>;
  committed_at: Generated<string>;
}

export interface ImportQuarantineTable {
  batch_id: number;
  row_no: number;
  county_code: string;
  raw: ColumnType<Record<string, string>, string, string>;
  issues: ColumnType<
    { code: string; field: string; message: { 'zh-CN': string; en: string } }[],
    string,
    string
  >;
  status: Generated<'pending' | 'resubmitted' | 'discarded'>;
  attempts: Generated<number>;
  outcome: 'ok' | 'unchanged' | null;
  person_id: number | null;
  discard_reason: string | null;
  resolved_by: string | null;
  resolved_at: string | null;
  created_at: Generated<string>;
  updated_at: Generated<string>;
}

export interface ImportPendingLinkTable {
  county_code: string;
  person_id: number;
  mother_id_number: string;
  batch_id: number;
}

export type FeedSource =
  | 'birth_certificate'
  | 'marriage_registration'
  | 'hukou_registration'
  | 'death_certificate';

export interface FeedBatchTable {
  id: Generated<number>;
  county_code: string;
  source: FeedSource;
  file_name: string | null;
  file_sha256: string | null;
  columns: ColumnType<string[], string, string>;
  mapping: ColumnType<Record<string, string>, string | undefined, string>;
  row_count: Generated<number>;
  status: Generated<'received' | 'linking' | 'linked'>;
  received_at: Generated<string>;
  received_by: string;
}

export interface FeedRecordTable {
  batch_id: number;
  row_no: number;
  county_code: string;
  raw: ColumnType<Record<string, string | null>, string, string>;
  link_status: Generated<'pending' | 'linked' | 'review' | 'unmatched'>;
  event_kind: EventKind | null;
  event_date: string | null;
  org_code: string | null;
  person_id: number | null;
}

export type WorkTaskKind =
  | 'unregistered_birth'
  | 'unregistered_death'
  | 'unregistered_event'
  | 'correction'
  | 'merge'
  | 'audit_discrepancy'
  | 'data_check';

export interface WorkTaskTable {
  county_code: string;
  id: Generated<number>;
  kind: WorkTaskKind;
  org_code: string;
  person_id: number | null;
  source: 'linkage' | 'dedupe' | 'audit' | 'validation';
  source_ref: string;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  status: Generated<'open' | 'done' | 'dismissed'>;
  created_at: Generated<string>;
  created_by: string;
  resolved_at: string | null;
  resolved_by: string | null;
  resolution_note: string | null;
}

export interface DataVersionTable {
  county_code: string;
  version: number;
  changed_at: string;
}

/**
 * Every table. Each area keeps its own tables' types in tables/<area>.ts (the core registry's are
 * here), so areas built side by side never edit one file.
 */
export interface Schema
  extends AccessTables,
    FeedTables,
    DedupeTables,
    TargetTables,
    QualityTables,
    ReportTables,
    BenefitTables {
  renkou_migration: RenkouMigrationTable;
  org_unit: OrgUnitTable;
  household: HouseholdTable;
  person: PersonTable;
  residence_spell: ResidenceSpellTable;
  person_union: PersonUnionTable;
  vital_event: VitalEventTable;
  person_version: PersonVersionTable;
  data_version: DataVersionTable;
  feed_batch: FeedBatchTable;
  feed_record: FeedRecordTable;
  import_batch: ImportBatchTable;
  import_chunk: ImportChunkTable;
  import_quarantine: ImportQuarantineTable;
  import_pending_link: ImportPendingLinkTable;
  work_task: WorkTaskTable;
}
