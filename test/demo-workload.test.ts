import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { prepareDemoWorkload } from '../src/demo/prepare-demo.ts';
import { generateCountyIntoDatabase } from '../src/synth/load-registry.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';

/** The first start's example work: target sheets, linked feeds, findings and duplicates, all real. */
describe(`the demo county's example work (${storageName})`, () => {
  let test: TestDatabase;
  const steps: string[] = [];
  let workload: Awaited<ReturnType<typeof prepareDemoWorkload>>;
  before(async () => {
    test = await createTestDatabase();
    await generateCountyIntoDatabase(test.database, {
      county: '620881',
      persons: 3_000,
      from: 2022,
      to: 2025,
      seed: 11,
    });
    workload = await prepareDemoWorkload(test.database, '620881', {
      from: 2022,
      to: 2025,
      onStep: (step) => steps.push(step),
    });
  });
  after(() => test.cleanup());

  it('runs every step in order', () => {
    assert.deepEqual(steps, ['targets', 'feeds', 'checks', 'dedupe']);
  });

  it('writes a target sheet for the county and every township for each year', async () => {
    assert.equal(workload.targetSheets, 4);
    const sheets = await test.database.db
      .selectFrom('target_sheet')
      .select(['unit_code', 'year'])
      .where('unit_code', '=', '620881')
      .execute();
    assert.deepEqual(sheets.map((s) => s.year).sort(), [2022, 2023, 2024, 2025]);
  });

  it('links every feed record, leaving nothing pending, and puts unregistered births on the villages’ lists', async () => {
    const pending = await test.database.db
      .selectFrom('feed_record')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('link_status', '=', 'pending')
      .executeTakeFirstOrThrow();
    assert.equal(Number(pending.n), 0);
    assert.ok(workload.feedRecords > 100);
    const tasks = await test.database.db
      .selectFrom('work_task')
      .select(['kind', (eb) => eb.fn.countAll().as('n')])
      .groupBy('kind')
      .execute();
    const byKind = new Map(tasks.map((t) => [t.kind, Number(t.n)]));
    assert.ok((byKind.get('unregistered_birth') ?? 0) > 0, JSON.stringify([...byKind]));
    assert.equal(byKind.get('merge') ?? 0, workload.mergeSuggestions + workload.possibleDuplicates);
  });
});
