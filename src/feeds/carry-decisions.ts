import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema.ts';

/**
 * Review decisions carried from earlier batches. Departments often send a record again — an
 * extract that overlaps the last one, a corrected re-send — and a person who already decided that
 * this certificate's child is (or is not) that registry person should not be asked again. A record
 * is the same record when it comes from the same source and county with the same record number
 * (证明编号, 登记证字号, 业务流水号: the `record_no` field of each batch's own mapping); the
 * decision is carried for the same role and registry person, the latest decision winning:
 * - onto the pair this run stored, when nobody has decided on it in this batch;
 * - an acceptance of a pair this run did not score (below the review threshold) is carried too,
 *   as a pair with the earlier pair's score and explanation and the engine's decision
 *   'non-match', so the record links as the person said.
 * The carried pair keeps who decided, when and their note.
 */
export async function carryDecisions(trx: Kysely<Schema>, batchId: number, runId: number): Promise<number> {
  const batch = (
    await sql<{ county_code: string; source: string; record_no: string | null }>`
      SELECT county_code, source, mapping->>'record_no' AS record_no FROM feed_batch WHERE id = ${batchId}`.execute(
      trx,
    )
  ).rows[0];
  if (!batch?.record_no) return 0;
  // Decisions on other batches of the source, by record number: usually few, so they are found
  // first and the batch's records matched against them by hash (never record by record).
  const decided = sql`
    WITH old AS MATERIALIZED (
      SELECT btrim(orec.raw->>(ob.mapping->>'record_no')) AS record_no, op.id, op.role, op.person_id,
             op.review, op.reviewed_by, op.reviewed_at, op.review_note, op.match_weight, op.match_probability,
             op.explanation
        FROM feed_pair op
        JOIN feed_batch ob ON ob.id = op.batch_id
        JOIN feed_record orec ON orec.batch_id = op.batch_id AND orec.row_no = op.row_no
       WHERE op.county_code = ${batch.county_code} AND op.review IS NOT NULL AND op.batch_id <> ${batchId}
         AND ob.source = ${batch.source}),
    here AS MATERIALIZED (
      SELECT h.row_no, btrim(h.raw->>${batch.record_no}) AS record_no
        FROM feed_record h WHERE h.batch_id = ${batchId})
    SELECT DISTINCT ON (here.row_no, old.role, old.person_id)
           here.row_no, old.role, old.person_id, old.review, old.reviewed_by, old.reviewed_at, old.review_note,
           old.match_weight, old.match_probability, old.explanation
      FROM old JOIN here ON here.record_no = old.record_no
     WHERE old.record_no <> ''
     ORDER BY here.row_no, old.role, old.person_id, old.reviewed_at DESC, old.id DESC`;
  const any = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM feed_pair op JOIN feed_batch ob ON ob.id = op.batch_id
     WHERE op.county_code = ${batch.county_code} AND op.review IS NOT NULL AND op.batch_id <> ${batchId}
       AND ob.source = ${batch.source}`.execute(trx);
  if ((any.rows[0]?.n ?? 0) === 0) return 0;
  // One statement, so the earlier decisions are looked up once for both the update and the insert.
  const carried = await sql<{ n: number }>`
    WITH d AS MATERIALIZED (${decided}),
    updated AS (
      UPDATE feed_pair p
         SET review = d.review, reviewed_by = d.reviewed_by, reviewed_at = d.reviewed_at, review_note = d.review_note
        FROM d
       WHERE p.batch_id = ${batchId} AND p.row_no = d.row_no AND p.role = d.role AND p.person_id = d.person_id
         AND p.review IS NULL
      RETURNING 1),
    inserted AS (
      INSERT INTO feed_pair (county_code, batch_id, row_no, role, person_id, run_id, match_weight, match_probability,
                             decision, explanation, review, reviewed_by, reviewed_at, review_note)
      SELECT ${batch.county_code}, ${batchId}, d.row_no, d.role, d.person_id, ${runId}, d.match_weight,
             d.match_probability, 'non-match', d.explanation, d.review, d.reviewed_by, d.reviewed_at, d.review_note
        FROM d
       WHERE d.review = 'accepted'
      ON CONFLICT (batch_id, row_no, role, person_id) DO NOTHING
      RETURNING 1)
    SELECT ((SELECT count(*) FROM updated) + (SELECT count(*) FROM inserted))::int AS n`.execute(trx);
  return carried.rows[0]?.n ?? 0;
}
