import { sql } from 'kysely';
import type { Database } from '../db/database.ts';
import type { FeedSource } from '../db/schema.ts';
import type { FeedPairReview } from '../db/tables/feeds.ts';
import { AppError } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import type { StoredExplanation } from './link-feed-batch.ts';
import { type SettleReport, settleRecords } from './settle-records.ts';

/**
 * The review queue: pairs between the thresholds wait for a person, who accepts, rejects or marks
 * them unsure, seeing both records side by side with each field's weight (the stored
 * explanation). A decision settles the record at once (its link, status and tasks) and outranks
 * the engine on every later run. It also holds for the same record sent in another batch (same
 * source and record number, same role and registry person) where nobody has decided yet; a batch
 * linked later takes it over from the earlier one (carry-decisions.ts).
 */

export type ReviewFilter = 'open' | 'unsure' | 'decided' | 'all';

export interface ListReviewInput {
  /** An org code: pairs whose record (or, when the record has no place, registry person) is in it. */
  unit?: string | undefined;
  status?: ReviewFilter | undefined;
  batchId?: number | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

export interface ReviewItem {
  id: number;
  countyCode: string;
  batchId: number;
  rowNo: number;
  source: FeedSource;
  role: string;
  personId: number;
  orgCode: string | null;
  eventDate: string | null;
  matchWeight: number;
  matchProbability: number;
  decision: string;
  review: FeedPairReview | null;
  reviewedBy: string | null;
  reviewedAt: string | null;
  reviewNote: string | null;
  /** Prior weight, each comparison's level, label, m, u and weight, and both records' values. */
  explanation: StoredExplanation;
}

const FILTERS: Record<ReviewFilter, ReturnType<typeof sql>> = {
  open: sql`p.decision = 'review' AND p.review IS NULL`,
  unsure: sql`p.review = 'unsure'`,
  decided: sql`p.review IS NOT NULL`,
  all: sql`(p.decision = 'review' OR p.review IS NOT NULL)`,
};

/** One page of the queue, most likely matches first. */
export async function listReview(
  database: Database,
  input: ListReviewInput,
): Promise<{ total: number; items: ReviewItem[] }> {
  const where = sql.join(
    [
      FILTERS[input.status ?? 'open'],
      input.unit
        ? sql`p.county_code = ${input.unit.slice(0, 6)} AND coalesce(r.org_code, q.current_org_code) LIKE ${`${input.unit}%`}`
        : sql`true`,
      input.batchId ? sql`p.batch_id = ${input.batchId}` : sql`true`,
    ],
    sql` AND `,
  );
  const from = sql`
    feed_pair p
    JOIN feed_record r ON r.batch_id = p.batch_id AND r.row_no = p.row_no
    JOIN feed_batch b ON b.id = p.batch_id
    JOIN person q ON q.county_code = p.county_code AND q.id = p.person_id`;
  const total = (
    await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${from} WHERE ${where}`.execute(database.db)
  ).rows[0]!.n;
  const rows = (
    await sql<{
      id: number;
      county_code: string;
      batch_id: number;
      row_no: number;
      source: FeedSource;
      role: string;
      person_id: number;
      org_code: string | null;
      event_date: string | null;
      match_weight: number;
      match_probability: number;
      decision: string;
      review: FeedPairReview | null;
      reviewed_by: string | null;
      reviewed_at: string | null;
      review_note: string | null;
      explanation: StoredExplanation;
    }>`
      SELECT p.id, p.county_code, p.batch_id, p.row_no, b.source, p.role, p.person_id, r.org_code,
             r.event_date::text AS event_date, p.match_weight, p.match_probability, p.decision, p.review,
             p.reviewed_by, p.reviewed_at, p.review_note, p.explanation
        FROM ${from}
       WHERE ${where}
       ORDER BY p.match_probability DESC, p.id
       LIMIT ${input.limit ?? 50} OFFSET ${input.offset ?? 0}`.execute(database.db)
  ).rows;
  return {
    total,
    items: rows.map((row) => ({
      id: Number(row.id),
      countyCode: row.county_code,
      batchId: Number(row.batch_id),
      rowNo: row.row_no,
      source: row.source,
      role: row.role,
      personId: Number(row.person_id),
      orgCode: row.org_code,
      eventDate: row.event_date,
      matchWeight: row.match_weight,
      matchProbability: row.match_probability,
      decision: row.decision,
      review: row.review,
      reviewedBy: row.reviewed_by,
      reviewedAt: row.reviewed_at ? new Date(row.reviewed_at).toISOString() : null,
      reviewNote: row.review_note,
      explanation: row.explanation,
    })),
  };
}

export interface DecidePairInput {
  pairId: number;
  decision: FeedPairReview;
  actor: string;
  note?: string | undefined;
}

export interface DecidePairResult {
  pairId: number;
  decision: FeedPairReview;
  batchId: number;
  rowNo: number;
  /** The record's status after the decision. */
  recordStatus: string;
  settle: SettleReport;
  /** Undecided pairs of the same record (same source and record number), role and person in other batches that took the decision too. */
  alsoDecided: { batchId: number; rowNo: number }[];
}

/** Records a person's decision on a pair and settles its record. */
export async function decidePair(database: Database, input: DecidePairInput): Promise<DecidePairResult> {
  if (!['accepted', 'rejected', 'unsure'].includes(input.decision)) {
    throw new AppError(
      'invalid_input',
      text('决定应为 accepted、rejected 或 unsure', 'The decision must be accepted, rejected or unsure'),
      { field: 'decision' },
    );
  }
  return database.db.transaction().execute(async (trx) => {
    const pair = (
      await sql<{ batch_id: number; row_no: number }>`
        UPDATE feed_pair SET review = ${input.decision}, reviewed_by = ${input.actor}, reviewed_at = now(),
               review_note = ${input.note ?? null}
         WHERE id = ${input.pairId}
        RETURNING batch_id, row_no`.execute(trx)
    ).rows[0];
    if (!pair) {
      throw new AppError('not_found', text(`没有待审核的配对 ${input.pairId}`, `No pair ${input.pairId}`), {
        field: 'id',
      });
    }
    const batchId = Number(pair.batch_id);
    // The same record sent again in another batch: nobody has to decide on it twice.
    const others = (
      await sql<{ batch_id: number; row_no: number }>`
        UPDATE feed_pair p
           SET review = ${input.decision}, reviewed_by = ${input.actor}, reviewed_at = now(),
               review_note = ${input.note ?? null}
          FROM feed_pair me
          JOIN feed_batch mb ON mb.id = me.batch_id
          JOIN feed_record mr ON mr.batch_id = me.batch_id AND mr.row_no = me.row_no,
               feed_batch ob, feed_record orec
         WHERE me.id = ${input.pairId} AND ob.county_code = mb.county_code AND ob.source = mb.source
           AND ob.id <> mb.id AND p.batch_id = ob.id AND orec.batch_id = p.batch_id AND orec.row_no = p.row_no
           AND p.role = me.role AND p.person_id = me.person_id AND p.review IS NULL
           AND btrim(mr.raw->>(mb.mapping->>'record_no')) <> ''
           AND btrim(orec.raw->>(ob.mapping->>'record_no')) = btrim(mr.raw->>(mb.mapping->>'record_no'))
        RETURNING p.batch_id, p.row_no`.execute(trx)
    ).rows.map((r) => ({ batchId: Number(r.batch_id), rowNo: r.row_no }));
    for (const other of others) await settleRecords(trx, other.batchId, input.actor, [other.rowNo]);
    const settle = await settleRecords(trx, batchId, input.actor, [pair.row_no]);
    const record = (
      await sql<{ link_status: string }>`
        SELECT link_status FROM feed_record WHERE batch_id = ${batchId} AND row_no = ${pair.row_no}`.execute(
        trx,
      )
    ).rows[0]!;
    return {
      pairId: input.pairId,
      decision: input.decision,
      batchId,
      rowNo: pair.row_no,
      recordStatus: record.link_status,
      settle,
      alsoDecided: others,
    };
  });
}
