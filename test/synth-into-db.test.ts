import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { IndicatorEngine } from '../src/indicators/engine.ts';
import { generateCounty } from '../src/synth/generate-county.ts';
import { generateCountyIntoDatabase } from '../src/synth/load-registry.ts';
import { createMemorySink } from '../src/synth/sink.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';

const OPTIONS = { county: '620881', persons: 3000, from: 2022, to: 2025, seed: 11 } as const;

describe(`synth --into-db (${storageName})`, () => {
  let test: TestDatabase;
  let expected: Map<string, number>;
  before(async () => {
    test = await createTestDatabase();
    const memory = createMemorySink();
    await generateCounty({ ...OPTIONS }, memory);
    expected = new Map([...memory.tables].map(([table, { rows }]) => [table, rows.length]));
    await generateCountyIntoDatabase(test.database, { ...OPTIONS });
  });
  after(() => test.cleanup());

  const count = async (table: string, where = 'true') =>
    (
      await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE ${sql.raw(where)}`.execute(test.database.db)
    ).rows[0]!.n;

  it('loads every registry row the generator wrote, and no ground truth', async () => {
    assert.equal(await count('person', "source = 'synth'"), expected.get('registry/persons'));
    assert.equal(await count('household'), expected.get('registry/households'));
    assert.equal(await count('vital_event'), expected.get('registry/events'));
    assert.equal(
      await count('person_version'),
      expected.get('registry/persons'),
      'one history version per person',
    );
    assert.ok((await count('residence_spell')) > 0);
    assert.ok((await count('person', 'mother_id IS NOT NULL')) > 0, 'mothers are linked');
    assert.ok((await count('person_union')) > 0, 'marriages become unions');
  });

  it('keeps each department feed as a batch of raw rows waiting to be linked', async () => {
    const batches = await test.database.db
      .selectFrom('feed_batch')
      .select(['source', 'row_count'])
      .orderBy('source')
      .execute();
    assert.deepEqual(
      batches.map((b) => b.source),
      ['birth_certificate', 'death_certificate', 'hukou_registration', 'marriage_registration'],
    );
    const births = batches.find((b) => b.source === 'birth_certificate')!;
    assert.equal(births.row_count, expected.get('feeds/birth_certificates'));
    assert.equal(
      await count('feed_record', "link_status = 'pending'"),
      [...expected].filter(([t]) => t.startsWith('feeds/')).reduce((n, [, r]) => n + r, 0),
    );
    const one = await test.database.db
      .selectFrom('feed_record')
      .select('raw')
      .limit(1)
      .executeTakeFirstOrThrow();
    assert.ok(
      Object.keys(one.raw).some((key) => /[\u4e00-\u9fff]/.test(key)),
      'raw rows keep the department’s own column names',
    );
  });

  it('gives figures the indicator engine can compute', async () => {
    const engine = new IndicatorEngine(test.database.db);
    const [population] = (
      await engine.evaluate({ indicator: 'resident_population', unit: '620881', period: '2025' })
    ).values;
    assert.ok(population!.value! > 2000, `resident population ${population!.value}`);
    const [births] = (await engine.evaluate({ indicator: 'births', unit: '620881', period: '2025' })).values;
    assert.ok(births!.value! > 0);
  });

  it('refuses to load a second synthetic population into the same county', async () => {
    await assert.rejects(generateCountyIntoDatabase(test.database, { ...OPTIONS }), { code: 'conflict' });
  });
});
