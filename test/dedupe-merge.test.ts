import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import type { Schema } from '../src/db/schema.ts';
import { AppError } from '../src/domain/errors.ts';
import { linkAllFeeds, linkFeedBatch } from '../src/feeds/link-feed-batch.ts';
import { decidePair } from '../src/feeds/review.ts';
import { initCounty } from '../src/org/init-county.ts';
import { mergePersons, undoMerge } from '../src/registry/commands/merge-persons.ts';
import { populationOn, registerDeath, totalOf, voidPerson } from '../src/registry/index.ts';
import { generateCountyIntoDatabase } from '../src/synth/load-registry.ts';
import { readCsvFile } from '../src/synth/read-csv.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { personReferencingRows, rowsNaming } from './helpers/person-references.ts';
import { addAdult, contextFor, TODAY } from './helpers/registry.ts';

const COUNTY = '620881';

/** Every row a merge may touch, as comparable plain data (bookkeeping columns of person left out). */
async function snapshot(db: Kysely<Schema>) {
  const persons = await db
    .selectFrom('person')
    .selectAll()
    .orderBy('id')
    .execute()
    .then((rows) => rows.map(({ version: _v, updated_at: _u, updated_by: _b, ...rest }) => rest));
  return {
    persons,
    events: await db.selectFrom('vital_event').selectAll().orderBy('id').execute(),
    spells: await db.selectFrom('residence_spell').selectAll().orderBy('id').execute(),
    unions: await db.selectFrom('person_union').selectAll().orderBy('id').execute(),
    households: await db
      .selectFrom('household')
      .select(['id', 'head_person_id', 'status'])
      .orderBy('id')
      .execute(),
    tasks: await db.selectFrom('work_task').selectAll().orderBy('id').execute(),
    feeds: await db
      .selectFrom('feed_record')
      .select(['batch_id', 'row_no', 'person_id', 'link_status'])
      .select(sql<Record<string, unknown>>`links`.as('links'))
      .orderBy('batch_id')
      .orderBy('row_no')
      .execute(),
    pairs: await db.selectFrom('feed_pair').selectAll().orderBy('id').execute(),
    // Whole rows of every table with a foreign key to person (services, entitlements, facts …).
    referencing: await personReferencingRows(db),
  };
}

async function references(db: Kysely<Schema>, id: number) {
  const count = async (query: { executeTakeFirstOrThrow(): Promise<{ n: number | string | bigint }> }) =>
    Number((await query.executeTakeFirstOrThrow()).n);
  return {
    events: await count(
      db
        .selectFrom('vital_event')
        .select((eb) => eb.fn.countAll().as('n'))
        .where((eb) => eb.or([eb('person_id', '=', id), eb('other_person_id', '=', id)])),
    ),
    children: await count(
      db
        .selectFrom('person')
        .select((eb) => eb.fn.countAll().as('n'))
        .where((eb) => eb.or([eb('mother_id', '=', id), eb('father_id', '=', id)])),
    ),
    spells: await count(
      db
        .selectFrom('residence_spell')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('person_id', '=', id),
    ),
    unions: await count(
      db
        .selectFrom('person_union')
        .select((eb) => eb.fn.countAll().as('n'))
        .where((eb) => eb.or([eb('person_id', '=', id), eb('partner_id', '=', id)])),
    ),
    heads: await count(
      db
        .selectFrom('household')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('head_person_id', '=', id),
    ),
  };
}

/** Whether a person counts in the resident population on TODAY. */
async function counted(db: Kysely<Schema>, id: number): Promise<boolean> {
  const row = await db
    .selectFrom('residence_spell as s')
    .innerJoin('person as p', (join) => join.onRef('p.id', '=', 's.person_id'))
    .select('s.id')
    .where('s.person_id', '=', id)
    .where('s.voided', '=', false)
    .where('s.residence_type', 'in', ['registered', 'inflow', 'resident'])
    .where('s.valid_from', '<=', TODAY)
    .where((eb) => eb.or([eb('s.valid_to', 'is', null), eb('s.valid_to', '>', TODAY)]))
    .where('p.status', 'not in', ['voided', 'merged'])
    .executeTakeFirst();
  return row !== undefined;
}

const population = async (db: Kysely<Schema>) =>
  totalOf(await populationOn(db, { unit: COUNTY, date: TODAY, basis: 'resident' }));

describe(`merging duplicate persons (${storageName})`, () => {
  let test: TestDatabase;
  let db: Kysely<Schema>;
  let dir: string;
  /** True duplicate pairs of the synthetic registry: [original person id, duplicate person id]. */
  let duplicates: [number, number][];

  before(async () => {
    test = await createTestDatabase();
    db = test.database.db;
    dir = mkdtempSync(join(tmpdir(), 'renkou-dedupe-merge-'));
    await generateCountyIntoDatabase(test.database, {
      county: COUNTY,
      persons: 1500,
      from: 2023,
      to: 2025,
      seed: 21,
      out: dir,
    });
    const links = readCsvFile(join(dir, 'truth', 'registry_links.csv'));
    const byTrue = new Map<string, { original?: string; copies: string[] }>();
    for (const row of links.rows) {
      const key = row[links.column('person_key')]!;
      const truth = row[links.column('person_id')]!;
      const entry = byTrue.get(truth) ?? { copies: [] };
      if (row[links.column('duplicate')] === '1') entry.copies.push(key);
      else entry.original = key;
      byTrue.set(truth, entry);
    }
    const ids = new Map(
      (await db.selectFrom('person').select(['id', 'import_key']).execute()).map((p) => [
        p.import_key!,
        p.id,
      ]),
    );
    duplicates = [...byTrue.values()]
      .filter((e) => e.original && e.copies.length > 0)
      .map((e) => [ids.get(e.original!)!, ids.get(e.copies[0]!)!] as [number, number]);
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await test.cleanup();
  });

  const versionOf = async (id: number) =>
    (await db.selectFrom('person').select('version').where('id', '=', id).executeTakeFirstOrThrow()).version;

  it('moves every reference to the kept record, counts the person once, and undo restores every row', async () => {
    assert.ok(duplicates.length >= 3, `the synthetic registry has duplicates (${duplicates.length})`);
    // The originals with the most links first: children, unions, households exercise every path.
    const scored = await Promise.all(
      duplicates.map(async (pair) => {
        const r = await references(db, pair[0]);
        return { pair, score: r.children * 4 + r.unions * 3 + r.heads * 2 + r.events };
      }),
    );
    scored.sort((a, b) => b.score - a.score);
    const ctx = contextFor(db);
    for (const [index, { pair }] of scored.slice(0, 3).entries()) {
      // Keep the original once, the copy the other times: both directions must round-trip.
      const [keep, drop] = index === 1 ? [pair[1], pair[0]] : pair;
      const beforeRows = await snapshot(db);
      const beforePopulation = await population(db);
      const keepCounted = await counted(db, keep);
      const dropCounted = await counted(db, drop);
      const dropRefs = await references(db, drop);
      const keepRefs = await references(db, keep);

      const merged = await mergePersons(ctx, {
        keepId: keep,
        dropId: drop,
        keepVersion: await versionOf(keep),
        dropVersion: await versionOf(drop),
        reason: '同一人重复登记',
      });
      assert.equal(merged.dropped.status, 'merged');
      assert.equal(merged.dropped.merged_into_id, keep);
      const after = await references(db, drop);
      assert.deepEqual(after, { events: 0, children: 0, spells: 0, unions: 0, heads: 0 });
      assert.deepEqual(
        await rowsNaming(db, drop),
        { 'person_merge.dropped_person_id': 1, 'person_version.person_id': merged.dropped.version },
        'nothing but the merged record’s history names it',
      );
      const keptAfter = await references(db, keep);
      assert.equal(keptAfter.children, keepRefs.children + dropRefs.children);
      assert.equal(keptAfter.heads, keepRefs.heads + dropRefs.heads);
      assert.equal(
        await population(db),
        beforePopulation - (dropCounted ? 1 : 0) - (keepCounted && !(await counted(db, keep)) ? 1 : 0),
        'the dropped record no longer counts; the kept record counts as before',
      );
      const history = await db
        .selectFrom('person_version')
        .select(['change_kind'])
        .where('person_id', 'in', pair)
        .where('change_kind', '=', 'merge')
        .execute();
      assert.equal(history.length, 2, 'both records have a history version of the merge');

      await undoMerge(ctx, { mergeId: merged.mergeId, reason: '合并错了' });
      assert.deepEqual(await snapshot(db), beforeRows, 'undo leaves every row as it was');
      assert.equal(await population(db), beforePopulation);
      const undone = await db
        .selectFrom('person_merge')
        .select('status')
        .where('id', '=', merged.mergeId)
        .executeTakeFirstOrThrow();
      assert.equal(undone.status, 'undone');
    }
  });

  it('moves feed pairs to the kept record, folds a pair the kept record has too, and undo restores them', async () => {
    const ctx = contextFor(db);
    await linkAllFeeds(test.database, COUNTY, { actor: 'test' });
    const births = await db
      .selectFrom('feed_batch')
      .select('id')
      .where('source', '=', 'birth_certificate')
      .executeTakeFirstOrThrow();
    const linked = await db
      .selectFrom('feed_pair')
      .selectAll()
      .where('batch_id', '=', births.id)
      .where('decision', '=', 'link')
      .orderBy('id')
      .limit(2)
      .execute();
    assert.equal(linked.length, 2, 'the birth certificates link');
    const recordOf = async (rowNo: number) =>
      db
        .selectFrom('feed_record')
        .select(['person_id', 'link_status'])
        .select(sql<Record<string, unknown>>`links`.as('links'))
        .where('batch_id', '=', births.id)
        .where('row_no', '=', rowNo)
        .executeTakeFirstOrThrow();

    // 1. A pair only the dropped record has moves to the kept one, with the record's link.
    const [moved, folded] = linked as [(typeof linked)[0], (typeof linked)[0]];
    const other = await addAdult(ctx, { name: '东方未明', sex: 'male', birthDate: '1980-02-02' });
    const beforeMove = await snapshot(db);
    const first = await mergePersons(ctx, {
      keepId: other.id,
      dropId: Number(moved.person_id),
      keepVersion: other.version,
      dropVersion: await versionOf(Number(moved.person_id)),
      reason: '同一人重复登记',
    });
    const movedPair = await db
      .selectFrom('feed_pair')
      .selectAll()
      .where('id', '=', moved.id)
      .executeTakeFirstOrThrow();
    assert.equal(Number(movedPair.person_id), other.id, 'the pair points at the kept record');
    const movedRecord = await recordOf(moved.row_no);
    assert.equal(Number(movedRecord.person_id), other.id);
    assert.deepEqual(movedRecord.links, {
      [moved.role]: { status: 'linked', personId: other.id, pairId: Number(moved.id) },
    });
    await undoMerge(ctx, { mergeId: first.mergeId, reason: '合并错了' });
    assert.deepEqual(await snapshot(db), beforeMove, 'undo puts the pair and the record back');

    // 2. The engine also scored the certificate against a second record of the same child, and a
    //    reviewer accepted that one; merging the second record into the first folds the two pairs.
    const child = Number(folded.person_id);
    const twin = await addAdult(ctx, { name: '东方未白', sex: 'female', birthDate: '1981-03-03' });
    const [copy] = await db
      .insertInto('feed_pair')
      .values({
        county_code: COUNTY,
        batch_id: folded.batch_id,
        row_no: folded.row_no,
        role: folded.role,
        person_id: twin.id,
        run_id: folded.run_id,
        match_weight: folded.match_weight - 5,
        match_probability: 0.6,
        decision: 'review',
        explanation: JSON.stringify(folded.explanation),
      })
      .returning('id')
      .execute();
    const copyId = Number(copy!.id);
    await decidePair(test.database, {
      pairId: copyId,
      decision: 'accepted',
      actor: 'reviewer',
      note: '核实',
    });
    assert.equal(
      Number((await recordOf(folded.row_no)).person_id),
      twin.id,
      'the record follows the reviewer',
    );
    const beforeFold = await snapshot(db);
    const second = await mergePersons(ctx, {
      keepId: child,
      dropId: twin.id,
      keepVersion: await versionOf(child),
      dropVersion: await versionOf(twin.id),
      reason: '同一人重复登记',
    });
    const pairs = await db
      .selectFrom('feed_pair')
      .select(['id', 'person_id', 'decision', 'review', 'reviewed_by', 'review_note'])
      .where('id', 'in', [folded.id, copyId])
      .orderBy('id')
      .execute();
    assert.deepEqual(
      pairs.map((p) => [
        Number(p.id),
        Number(p.person_id),
        p.decision,
        p.review,
        p.reviewed_by,
        p.review_note,
      ]),
      [
        [Number(folded.id), child, 'link', 'accepted', 'reviewer', '核实'],
        [copyId, twin.id, 'review', 'accepted', 'reviewer', '核实'],
      ],
      'the kept record’s pair takes the acceptance; the merged record’s pair stays as it was',
    );
    const foldedRecord = await recordOf(folded.row_no);
    assert.equal(Number(foldedRecord.person_id), child);
    assert.deepEqual(foldedRecord.links, {
      [folded.role]: { status: 'linked', personId: child, pairId: Number(folded.id) },
    });
    const rerun = await linkFeedBatch(test.database, births.id, { actor: 'test' });
    assert.ok(rerun.decisionsKept >= 1);
    assert.equal(
      Number((await recordOf(folded.row_no)).person_id),
      child,
      'a later run links the certificate to the kept record',
    );
    // Undo after that run: the merged record is back with its accepted pair, the kept record's pair
    // gives the acceptance back, and the certificate is the second record's again.
    await undoMerge(ctx, { mergeId: second.mergeId, reason: '撤销' });
    const restored = await recordOf(folded.row_no);
    assert.deepEqual(
      [Number(restored.person_id), restored.links],
      [
        twin.id,
        beforeFold.feeds.find((f) => f.row_no === folded.row_no && f.batch_id === folded.batch_id)!.links,
      ],
    );
    const keptPair = await db
      .selectFrom('feed_pair')
      .selectAll()
      .where('id', '=', folded.id)
      .executeTakeFirstOrThrow();
    assert.equal(keptPair.review, null);
    await linkFeedBatch(test.database, births.id, { actor: 'test' });
    assert.equal(Number((await recordOf(folded.row_no)).person_id), twin.id, 'and stays so on the next run');
  });

  it('merges a dead record with a live one: the person is dead once, and undo brings the live record back', async () => {
    const ctx = contextFor(db);
    const live = await addAdult(ctx, { name: '欧阳明远', sex: 'male', birthDate: '1950-04-02' });
    const copy = await addAdult(ctx, { name: '欧阳明远', sex: 'male', birthDate: '1950-04-02' });
    await registerDeath(ctx, { personId: copy.id, deathDate: '2025-03-01' });
    const beforeRows = await snapshot(db);
    const beforePopulation = await population(db);

    const merged = await mergePersons(ctx, {
      keepId: live.id,
      dropId: copy.id,
      keepVersion: await versionOf(live.id),
      dropVersion: await versionOf(copy.id),
      reason: '死亡记录与在册记录是同一人',
    });
    assert.equal(merged.kept.status, 'dead');
    assert.equal(merged.kept.death_date, '2025-03-01');
    assert.equal(await population(db), beforePopulation - 1, 'the live copy no longer counts');
    const deaths = await db
      .selectFrom('vital_event')
      .select(['kind', 'voided'])
      .where('person_id', '=', live.id)
      .where('kind', '=', 'death')
      .execute();
    assert.deepEqual(deaths, [{ kind: 'death', voided: false }], 'the death event moved to the kept record');

    await undoMerge(ctx, { mergeId: merged.mergeId, reason: '不是同一人' });
    assert.deepEqual(await snapshot(db), beforeRows);
    assert.equal(await population(db), beforePopulation);
  });

  it('refuses a stale version, a voided record, a record merged already, and two counties', async () => {
    const ctx = contextFor(db);
    const a = await addAdult(ctx, { name: '司马静', sex: 'female', birthDate: '1980-01-09' });
    const b = await addAdult(ctx, { name: '司马静', sex: 'female', birthDate: '1980-01-09' });
    const reject = (promise: Promise<unknown>, code: string, field: string) =>
      assert.rejects(promise, (error: unknown) => {
        assert.ok(error instanceof AppError);
        assert.equal(error.code, code);
        assert.equal(error.field, field);
        return true;
      });
    await reject(
      mergePersons(ctx, {
        keepId: a.id,
        dropId: b.id,
        keepVersion: a.version,
        dropVersion: b.version + 1,
        reason: 'x',
      }),
      'conflict',
      'dropVersion',
    );
    const unchanged = await snapshot(db);
    await reject(
      mergePersons(ctx, { keepId: a.id, dropId: a.id, keepVersion: 1, dropVersion: 1, reason: 'x' }),
      'invalid_input',
      'dropId',
    );

    const c = await addAdult(ctx, { name: '司马静', sex: 'female', birthDate: '1980-01-09' });
    await voidPerson(ctx, { personId: c.id, expectedVersion: c.version, reason: '录错' });
    await reject(
      mergePersons(ctx, {
        keepId: a.id,
        dropId: c.id,
        keepVersion: a.version,
        dropVersion: c.version + 1,
        reason: 'x',
      }),
      'conflict',
      'dropId',
    );

    await initCounty(db, '620802');
    const village = await db
      .selectFrom('org_unit')
      .select('code')
      .where('county_code', '=', '620802')
      .where('level', '=', 'village')
      .orderBy('code')
      .executeTakeFirstOrThrow();
    const elsewhere = await addAdult(ctx, {
      name: '司马静',
      sex: 'female',
      birthDate: '1980-01-09',
      orgCode: village.code,
    });
    await reject(
      mergePersons(ctx, {
        keepId: a.id,
        dropId: elsewhere.id,
        keepVersion: a.version,
        dropVersion: elsewhere.version,
        reason: 'x',
      }),
      'conflict',
      'dropId',
    );
    const first = await mergePersons(ctx, {
      keepId: a.id,
      dropId: b.id,
      keepVersion: a.version,
      dropVersion: b.version,
      reason: '重复',
    });
    await reject(
      mergePersons(ctx, {
        keepId: a.id,
        dropId: b.id,
        keepVersion: first.kept.version,
        dropVersion: first.dropped.version,
        reason: 'again',
      }),
      'conflict',
      'dropId',
    );
    assert.ok(unchanged.persons.length > 0);
  });

  it('refuses to undo when a row the merge touched has changed since', async () => {
    const ctx = contextFor(db);
    const a = await addAdult(ctx, { name: '诸葛文', sex: 'male', birthDate: '1975-06-30' });
    const b = await addAdult(ctx, { name: '诸葛文', sex: 'male', birthDate: '1975-06-30' });
    const merged = await mergePersons(ctx, {
      keepId: a.id,
      dropId: b.id,
      keepVersion: a.version,
      dropVersion: b.version,
      reason: '重复',
    });
    await db
      .updateTable('person')
      .set({ phone: '13900000000', version: merged.kept.version + 1 })
      .where('id', '=', a.id)
      .execute();
    await assert.rejects(undoMerge(ctx, { mergeId: merged.mergeId, reason: '撤销' }), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'conflict');
      return true;
    });
    const still = await db
      .selectFrom('person')
      .select('status')
      .where('id', '=', b.id)
      .executeTakeFirstOrThrow();
    assert.equal(still.status, 'merged', 'nothing was half-undone');
  });
});
