import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { ingestFeedFile } from '../src/feeds/ingest-feed.ts';
import { linkFeedBatch } from '../src/feeds/link-feed-batch.ts';
import { decidePair } from '../src/feeds/review.ts';
import { generateCountyIntoDatabase } from '../src/synth/load-registry.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';

/**
 * Review decisions are re-used on the next run across batches: a department sends the same
 * certificate again in a later file, and what a person decided on it in the earlier batch holds.
 */

interface PairRow {
  id: number;
  row_no: number;
  role: string;
  person_id: number;
  decision: string;
  review: string | null;
  reviewed_by: string | null;
  review_note: string | null;
}

describe(`review decisions carried to a later batch with the same records (${storageName})`, () => {
  let test: TestDatabase;
  let dir: string;
  let first: { id: number; mapping: Record<string, string> };
  const recordNoOf = new Map<number, string>();

  const pairsOf = async (batchId: number) =>
    (
      await sql<PairRow>`
        SELECT id, row_no, role, person_id, decision, review, reviewed_by, review_note FROM feed_pair
         WHERE batch_id = ${batchId} ORDER BY row_no, id`.execute(test.database.db)
    ).rows.map((p) => ({ ...p, id: Number(p.id), person_id: Number(p.person_id) }));

  before(async () => {
    test = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'renkou-decisions-'));
    await generateCountyIntoDatabase(test.database, {
      county: '620881',
      persons: 1200,
      from: 2023,
      to: 2025,
      seed: 'decisions',
    });
    first = (await test.database.db
      .selectFrom('feed_batch')
      .select(['id', 'mapping'])
      .where('source', '=', 'birth_certificate')
      .executeTakeFirstOrThrow()) as typeof first;
    await linkFeedBatch(test.database, first.id, { actor: 'test' });
    const rows = await test.database.db
      .selectFrom('feed_record')
      .select(['row_no', 'raw'])
      .where('batch_id', '=', first.id)
      .execute();
    for (const r of rows) recordNoOf.set(r.row_no, String(r.raw[first.mapping.record_no!]));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await test.cleanup();
  });

  it('keeps a rejection and an acceptance when the same certificates come again in another file', async () => {
    const links = (await pairsOf(first.id)).filter((p) => p.decision === 'link');
    assert.ok(links.length >= 3, 'the first batch links some certificates');
    const [rejected, accepted, altered] = links;
    await decidePair(test.database, {
      pairId: rejected!.id,
      decision: 'rejected',
      actor: 'reviewer',
      note: '不是同一人',
    });
    await decidePair(test.database, { pairId: accepted!.id, decision: 'accepted', actor: 'reviewer' });
    await decidePair(test.database, { pairId: altered!.id, decision: 'accepted', actor: 'reviewer' });

    // The hospital sends the three certificates again with one more, in a JSON file; one of them
    // so garbled (no mother's ID, another name and birth date) that the engine alone would not
    // link it.
    const raws = (
      await test.database.db
        .selectFrom('feed_record')
        .select(['row_no', 'raw'])
        .where('batch_id', '=', first.id)
        .orderBy('row_no')
        .execute()
    ).map((r) => ({ rowNo: r.row_no, raw: { ...r.raw } as Record<string, unknown> }));
    const wanted = [rejected!.row_no, accepted!.row_no, altered!.row_no];
    const extra = raws.find((r) => !wanted.includes(r.rowNo))!;
    const resent = [...wanted.map((n) => raws.find((r) => r.rowNo === n)!), extra].map((r) => ({ ...r.raw }));
    const m = first.mapping;
    resent[2]![m.mother_id_number!] = '';
    resent[2]![m.mother_name!] = '某某';
    resent[2]![m.name!] = '某某某';
    resent[2]![m.birth_date!] = '1999-01-01';
    const path = join(dir, 'resent.json');
    writeFileSync(path, JSON.stringify(resent));
    const second = await ingestFeedFile(test.database, { source: 'birth_certificate', path, actor: 'clerk' });

    const report = await linkFeedBatch(test.database, second.batchId, { actor: 'test' });
    assert.equal(report.decisionsCarried, 3, 'all three decisions carried');
    const pairs = await pairsOf(second.batchId);
    const byRow = (rowNo: number) => pairs.filter((p) => p.row_no === rowNo);
    const records = (
      await sql<{ row_no: number; link_status: string; person_id: number | null }>`
        SELECT row_no, link_status, person_id FROM feed_record WHERE batch_id = ${second.batchId} ORDER BY row_no`.execute(
        test.database.db,
      )
    ).rows;
    // JSON rows count from 1, in the order sent.
    const carriedReject = byRow(1).find((p) => p.person_id === rejected!.person_id)!;
    assert.deepEqual(
      [carriedReject.decision, carriedReject.review, carriedReject.reviewed_by, carriedReject.review_note],
      ['link', 'rejected', 'reviewer', '不是同一人'],
      'the engine links it again; the rejection stands, with who and why',
    );
    assert.equal(records[0]!.link_status, 'unmatched');
    assert.equal(byRow(2).find((p) => p.person_id === accepted!.person_id)!.review, 'accepted');
    assert.equal(Number(records[1]!.person_id), accepted!.person_id);
    const carriedAccept = byRow(3).find((p) => p.person_id === altered!.person_id);
    assert.ok(carriedAccept, 'an acceptance of a pair the run did not score is carried as a pair');
    assert.deepEqual([carriedAccept.decision, carriedAccept.review], ['non-match', 'accepted']);
    assert.deepEqual(
      [records[2]!.link_status, Number(records[2]!.person_id)],
      ['linked', altered!.person_id],
      'so the garbled certificate links to the person the reviewer named',
    );
    assert.ok(
      byRow(4).every((p) => p.review === null),
      `a certificate nobody decided on (${recordNoOf.get(extra.rowNo)}) carries nothing`,
    );

    // Linking the second batch again changes nothing: the carried decisions are its own now.
    const again = await linkFeedBatch(test.database, second.batchId, { actor: 'test' });
    assert.equal(again.decisionsCarried, 0);
    assert.equal(again.decisionsKept, 3);
    assert.deepEqual(await pairsOf(second.batchId), pairs);

    // A decision made on the earlier batch now holds for the same certificate in the later one.
    const extraPair = (await pairsOf(first.id)).find(
      (p) => p.row_no === extra.rowNo && p.decision === 'link',
    );
    assert.ok(extraPair, 'the fourth certificate was linked in the first batch');
    const decided = await decidePair(test.database, {
      pairId: extraPair.id,
      decision: 'rejected',
      actor: 'reviewer',
    });
    assert.deepEqual(decided.alsoDecided, [{ batchId: second.batchId, rowNo: 4 }]);
    const resentPair = byRowNow(await pairsOf(second.batchId), 4).find(
      (p) => p.person_id === extraPair.person_id,
    )!;
    assert.deepEqual([resentPair.review, resentPair.reviewed_by], ['rejected', 'reviewer']);
    const status = (
      await sql<{ link_status: string }>`
        SELECT link_status FROM feed_record WHERE batch_id = ${second.batchId} AND row_no = 4`.execute(
        test.database.db,
      )
    ).rows[0]!;
    assert.equal(status.link_status, 'unmatched', 'and the later batch’s record is settled at once');

    // The rejected certificate is an unregistered birth; a reviewer changing their mind closes it.
    const taskOf = async () =>
      (
        await sql<{ status: string; resolution_note: string | null }>`
          SELECT status, resolution_note FROM work_task
           WHERE kind = 'unregistered_birth' AND source_ref = ${`feed:${second.batchId}:1`}`.execute(
          test.database.db,
        )
      ).rows[0];
    assert.equal((await taskOf())?.status, 'open');
    const changed = await decidePair(test.database, {
      pairId: carriedReject.id,
      decision: 'accepted',
      actor: 'reviewer',
    });
    assert.equal(changed.recordStatus, 'linked');
    assert.equal(changed.settle.tasks.closed, 1);
    assert.deepEqual(await taskOf(), {
      status: 'dismissed',
      resolution_note: 'linkage: no longer found on the latest run',
    });
  });
});

const byRowNow = (pairs: PairRow[], rowNo: number) => pairs.filter((p) => p.row_no === rowNo);
