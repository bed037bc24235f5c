import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findDuplicates } from '../src/dedupe/find-duplicates.ts';
import { runDedupe } from '../src/dedupe/run-dedupe.ts';
import { mergePersons, undoMerge } from '../src/registry/commands/merge-persons.ts';
import { writeCountyCsv } from '../src/synth/index.ts';
import { generateCountyIntoDatabase } from '../src/synth/load-registry.ts';
import { readCsvFile } from '../src/synth/read-csv.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';

const COUNTY = '620881';

/** The true person of every registry record (person_key → true person id), and the number of true duplicate pairs. */
function readTruth(dir: string) {
  const links = readCsvFile(join(dir, 'truth', 'registry_links.csv'));
  const truth = new Map<string, string>();
  const records = new Map<string, number>();
  for (const row of links.rows) {
    const person = row[links.column('person_id')]!;
    truth.set(row[links.column('person_key')]!, person);
    records.set(person, (records.get(person) ?? 0) + 1);
  }
  let pairs = 0;
  for (const n of records.values()) pairs += (n * (n - 1)) / 2;
  return { truth, pairs };
}

function quality(found: [string, string][], truth: Map<string, string>, truePairs: number) {
  const correct = found.filter(([a, b]) => truth.get(a) === truth.get(b)).length;
  return {
    suggested: found.length,
    correct,
    truePairs,
    precision: found.length === 0 ? 0 : correct / found.length,
    recall: correct / truePairs,
  };
}

describe(`finding registry duplicates (${storageName})`, () => {
  let test: TestDatabase;
  let dir: string;

  before(async () => {
    test = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'renkou-dedupe-find-'));
    await generateCountyIntoDatabase(test.database, {
      county: COUNTY,
      persons: 3000,
      from: 2024,
      to: 2025,
      seed: 8,
      out: dir,
    });
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await test.cleanup();
  });

  it('suggests merges of the registry’s true duplicates with precision ≥ 0.99, one task per pair', async () => {
    const db = test.database.db;
    const report = await runDedupe(db, { unit: COUNTY, actor: 'tester' });
    assert.equal(report.tasksCreated, report.suggestions);
    const keys = new Map(
      (await db.selectFrom('person').select(['id', 'import_key']).execute()).map((p) => [
        p.id,
        p.import_key!,
      ]),
    );
    const tasks = await db
      .selectFrom('work_task')
      .select(['source_ref', 'details', 'org_code', 'person_id'])
      .where('kind', '=', 'merge')
      .where('source', '=', 'dedupe')
      .execute();
    assert.equal(tasks.length, report.suggestions);
    const found = tasks.map((t) => {
      const [, a, b] = t.source_ref.split(':').map(Number);
      return [keys.get(a!)!, keys.get(b!)!] as [string, string];
    });
    const { truth, pairs } = readTruth(dir);
    const q = quality(found, truth, pairs);
    console.log(`  ${storageName}: 3,000 persons: ${JSON.stringify(q)}`);
    assert.ok(q.truePairs >= 10, 'the synthetic registry has duplicates to find');
    assert.ok(q.precision >= 0.99, `precision ${q.precision}`);
    // 12 of 14 on this seed (7 of 14 when a different ID number ruled a pair out); the rest carry
    // a wrong birth date or a typo on top (see docs/dedupe.md).
    assert.ok(q.recall >= 0.7, `recall ${q.recall}`);
    const task = tasks[0]!;
    const details = task.details as { records: unknown[]; explanation: { comparisons: unknown[] } };
    assert.equal(details.records.length, 2, 'both records side by side');
    assert.equal(details.explanation.comparisons.length, 5, 'each comparison’s level and weight');
  });

  it('never makes a second task for a pair, nor brings back a dismissed one', async () => {
    const db = test.database.db;
    const first = await db
      .selectFrom('work_task')
      .select('id')
      .where('kind', '=', 'merge')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await db
      .updateTable('work_task')
      .set({ status: 'dismissed', resolved_at: new Date().toISOString(), resolved_by: 'tester' })
      .where('id', '=', first.id)
      .execute();
    const again = await runDedupe(db, { unit: COUNTY, actor: 'tester' });
    assert.equal(again.tasksCreated, 0);
    assert.equal(again.tasksExisting, again.suggestions);
    const status = await db
      .selectFrom('work_task')
      .select('status')
      .where('id', '=', first.id)
      .executeTakeFirstOrThrow();
    assert.equal(status.status, 'dismissed');
  });

  it('closes the suggestion a merge settles, and re-opens it when the merge is undone', async () => {
    const db = test.database.db;
    const task = await db
      .selectFrom('work_task')
      .select(['id', 'source_ref'])
      .where('kind', '=', 'merge')
      .where('status', '=', 'open')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const [, keepId, dropId] = task.source_ref.split(':').map(Number);
    const version = async (id: number) =>
      (await db.selectFrom('person').select('version').where('id', '=', id).executeTakeFirstOrThrow())
        .version;
    const ctx = { db, actor: { id: 'tester' }, today: '2025-12-31' };
    const merged = await mergePersons(ctx, {
      keepId: keepId!,
      dropId: dropId!,
      keepVersion: await version(keepId!),
      dropVersion: await version(dropId!),
      reason: '核实为同一人',
      workTaskId: task.id,
    });
    const status = async () =>
      await db
        .selectFrom('work_task')
        .select(['status', 'resolved_by'])
        .where('id', '=', task.id)
        .executeTakeFirstOrThrow();
    assert.deepEqual(await status(), { status: 'done', resolved_by: 'tester' });
    await undoMerge(ctx, { mergeId: merged.mergeId, reason: '撤销' });
    assert.deepEqual(await status(), { status: 'open', resolved_by: null });
  });

  it('refuses a unit that does not exist', async () => {
    await assert.rejects(runDedupe(test.database.db, { unit: '620881999', actor: 'tester' }), /620881999/);
  });
});

describe('duplicate finder on a larger synthetic registry (no database)', () => {
  it('finds duplicates among 20,000 persons with precision ≥ 0.99 and recall ≥ 0.6', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'renkou-dedupe-csv-'));
    try {
      await writeCountyCsv({ county: COUNTY, persons: 20_000, from: 2025, to: 2025, seed: 4 }, dir);
      const persons = readCsvFile(join(dir, 'registry', 'persons.csv'));
      const column = (name: string) => persons.rows.map((r) => r[persons.column(name)] || null);
      const ids = persons.rows.map((r) => r[persons.column('person_key')]!);
      const result = findDuplicates({
        ids,
        columns: new Map([
          ['id_number', column('id_number')],
          ['name', column('name')],
          ['sex', column('sex')],
          ['birth_date', column('birth_date')],
          ['village', column('village_code')],
        ]),
      });
      const { truth, pairs } = readTruth(dir);
      const q = quality(
        result.pairs.map((p) => [p.leftId, p.rightId]),
        truth,
        pairs,
      );
      console.log(`  20,000 persons: ${JSON.stringify(q)}, review band ${result.below}`);
      assert.ok(q.truePairs >= 80);
      assert.ok(q.precision >= 0.99, `precision ${q.precision}`);
      // 0.42 while a different ID number ruled a pair out; the registry's duplicates carry a wrong
      // (valid) number 40% of the time, and those are now found by name, birth date and village.
      assert.ok(q.recall >= 0.6, `recall ${q.recall}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
