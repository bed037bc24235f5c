import type { ColumnType, Generated } from 'kysely';

/** Tables of department feeds: mappings, link runs, links, review decisions (src/feeds/); the SQL in ../migrations/ is the source of truth. */

export type FeedPairDecision = 'link' | 'review' | 'non-match';
export type FeedPairReview = 'accepted' | 'rejected' | 'unsure';

export interface FeedLinkRunTable {
  id: Generated<number>;
  county_code: string;
  batch_id: number;
  started_at: Generated<string>;
  finished_at: string | null;
  started_by: string;
  config: ColumnType<Record<string, unknown>, string, string>;
  model: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  report: ColumnType<Record<string, unknown>, string | undefined, string>;
}

export interface FeedPairTable {
  county_code: string;
  id: Generated<number>;
  batch_id: number;
  row_no: number;
  role: string;
  person_id: number;
  run_id: number;
  match_weight: number;
  match_probability: number;
  decision: FeedPairDecision;
  explanation: ColumnType<Record<string, unknown>, string, string>;
  review: FeedPairReview | null;
  reviewed_by: string | null;
  reviewed_at: string | null;
  review_note: string | null;
}

/**
 * Columns migration 0008 adds to feed_batch and feed_record (typed in schema.ts without them):
 * reached through these extra table types so schema.ts stays untouched.
 */
export interface FeedBatchLinkingColumns {
  file_format: 'csv' | 'xlsx' | 'json' | 'synthetic' | null;
  resolved_at: string | null;
  last_run_id: number | null;
}

export interface FeedRecordLinkingColumns {
  issues: ColumnType<unknown[], string | undefined, string>;
  links: ColumnType<Record<string, unknown>, string | undefined, string>;
}

export interface FeedTables {
  feed_link_run: FeedLinkRunTable;
  feed_pair: FeedPairTable;
}
