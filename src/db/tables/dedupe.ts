import type { ColumnType, Generated } from 'kysely';

/** Tables of registry deduplication and merges, the completeness estimate (src/dedupe/, src/completeness/); the SQL in ../migrations/ is the source of truth. */

export interface DedupeRunTable {
  county_code: string;
  id: Generated<number>;
  scope_code: string;
  started_at: Generated<string>;
  finished_at: string | null;
  started_by: string;
  report: ColumnType<Record<string, unknown>, string | undefined, string>;
}

/** One row a merge changed: its key, and the columns it changed with their values before and after. */
export interface MergeChange {
  table:
    | 'person'
    | 'vital_event'
    | 'residence_spell'
    | 'person_union'
    | 'household'
    | 'work_task'
    | 'feed_record'
    | 'feed_pair'
    | 'service_record'
    | 'person_fact'
    | 'entitlement'
    | 'import_pending_link';
  /**
   * The row's id (feed_record: "batchId:rowNo"; import_pending_link, keyed by its person: the
   * person it was under before the merge — undo finds it under `after.person_id`).
   */
  id: number | string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

export interface PersonMergeTable {
  county_code: string;
  id: Generated<number>;
  kept_person_id: number;
  dropped_person_id: number;
  reason: string;
  work_task_id: number | null;
  merged_at: Generated<string>;
  merged_by: string;
  changes: ColumnType<MergeChange[], string, string>;
  status: Generated<'merged' | 'undone'>;
  undone_at: string | null;
  undone_by: string | null;
  undo_reason: string | null;
}

export interface OfficialBirthFigureTable {
  county_code: string;
  org_code: string;
  year: number;
  births: number;
  source: string | null;
  entered_by: string;
  entered_at: Generated<string>;
}

export interface DedupeTables {
  dedupe_run: DedupeRunTable;
  person_merge: PersonMergeTable;
  official_birth_figure: OfficialBirthFigureTable;
}
