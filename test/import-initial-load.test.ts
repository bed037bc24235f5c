import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { AppError } from '../src/domain/errors.ts';
import { initCounty } from '../src/org/init-county.ts';
import { chooseInitialLoad, initialLoadFacts } from '../src/registry/import/bulk-load.ts';
import { type ImportMode, importPersons } from '../src/registry/import/import-persons.ts';
import { listQuarantine } from '../src/registry/import/quarantine.ts';
import { getPersonAsOf, getPersonHistory, searchPersons } from '../src/registry/index.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { csvOf, idFor, person, type Row, sonOf } from './helpers/import-rows.ts';
import { OTHER_VILLAGE, TODAY, VILLAGE } from './helpers/registry.ts';

/**
 * A county's initial load (mode `initial`: one transaction, indexes and foreign keys rebuilt at
 * the end) must leave exactly what the chunked import leaves for the same file: the same persons,
 * households, spells, history and quarantine, with the registry's indexes and constraints back.
 */

/** A file with what an initial load has to get right without the database's help. */
function tricky(): Row[] {
  const wife = person({ name: '李秀英', sex: '女', birthDate: '1982-03-08', relationToHead: '配偶' });
  const lateMother = person({
    householdNo: 'C-1',
    name: '赵敏',
    sex: '女',
    birthDate: '1979-04-04',
    relationToHead: '户主',
  });
  return [
    // A household whose head comes second, with the wife before her son (linked at once).
    { ...wife, householdNo: 'A-1' },
    person({ householdNo: 'A-1', name: '王建国', hukouType: '非农业' }),
    sonOf(wife),
    // A second head, and a member in another village: both quarantined.
    person({ householdNo: 'A-1', name: '王二', birthDate: '1985-01-01' }),
    person({ householdNo: 'A-1', name: '王三', villageCode: OTHER_VILLAGE, relationToHead: '子女' }),
    // A bad row and a blank one.
    person({ householdNo: 'B-1', name: '孙一', sex: '未知' }),
    {},
    // A household without a head; a newborn without an ID number; a person in no household.
    person({ householdNo: 'B-1', name: '孙二', relationToHead: '子女', villageCode: OTHER_VILLAGE }),
    person({
      householdNo: 'B-1',
      name: '孙小红',
      sex: '女',
      birthDate: '2025-10-01',
      idNumber: '',
      maritalStatus: '',
      relationToHead: '女儿',
      villageCode: OTHER_VILLAGE,
      residenceType: '流入',
      residenceFrom: '2025-10-01',
      phone: '',
    }),
    person({ householdNo: '', name: '周独', relationToHead: '' }),
    // A backslash and a tab, which COPY's text format must escape.
    person({ householdNo: 'E\\1\t2', name: '郭一', relationToHead: '户主' }),
    // A child listed chunks before his mother: linked at the end, as a second version.
    person({
      householdNo: 'C-1',
      name: '钱小虎',
      birthDate: '2010-02-02',
      relationToHead: '子女',
      maritalStatus: '未婚',
      residenceFrom: '2010-02-02',
      motherIdNumber: lateMother.idNumber!,
    }),
    person({ householdNo: 'D-1', name: '吴一' }),
    person({ householdNo: 'D-2', name: '吴二' }),
    person({ householdNo: 'D-3', name: '吴三' }),
    lateMother,
    // The same ID number again: quarantined as a duplicate in the file.
    { ...lateMother, name: '赵敏敏', householdNo: 'D-4' },
  ];
}

/** Everything an import writes, with ids replaced by names so two databases compare. */
async function registryOf(test: TestDatabase) {
  const db = test.database.db;
  const persons = await db.selectFrom('person').selectAll().orderBy('name').execute();
  const households = await db.selectFrom('household').selectAll().orderBy('household_no').execute();
  const nameOf = new Map(persons.map((p) => [p.id, p.name]));
  const householdOf = new Map(households.map((h) => [h.id, h.household_no]));
  const spells = await db.selectFrom('residence_spell').selectAll().execute();
  const versions = await db.selectFrom('person_version').selectAll().execute();
  const history: Record<string, unknown> = {};
  const records: Record<string, unknown> = {};
  for (const p of persons) {
    history[p.name] = (await getPersonHistory(db, p.id)).map((v) => ({
      version: v.version,
      kind: v.kind,
      changes: Object.keys(v.changes).sort(),
    }));
    // The person as the history reads them (the first version's snapshot is left out and rewound).
    const { record } = await getPersonAsOf(db, p.id, '2100-01-01');
    records[p.name] = {
      ...record,
      id: undefined,
      household_id: householdOf.get(record.household_id as number) ?? null,
      mother_id: nameOf.get(record.mother_id as number) ?? null,
    };
  }
  return {
    persons: persons.map((p) => ({
      ...p,
      id: undefined,
      created_at: undefined,
      updated_at: undefined,
      household_id: householdOf.get(p.household_id!) ?? null,
      mother_id: nameOf.get(p.mother_id!) ?? null,
    })),
    households: households.map((h) => ({
      ...h,
      id: undefined,
      created_at: undefined,
      updated_at: undefined,
      head_person_id: nameOf.get(h.head_person_id!) ?? null,
    })),
    spells: spells
      .map((s) => [
        nameOf.get(s.person_id),
        s.org_code,
        s.residence_type,
        s.valid_from,
        householdOf.get(s.household_id!),
      ])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    versions: versions
      .map((v) => ({
        name: nameOf.get(v.person_id),
        version: v.version,
        kind: v.change_kind,
        reason: v.reason?.replace(/batch \d+/, 'batch N'),
        changes: Object.keys(v.changes).sort(),
        // Its content compares under records, ids replaced by names.
        snapshot: v.snapshot === null ? null : 'stored',
      }))
      .sort((a, b) => `${a.name}${a.version}`.localeCompare(`${b.name}${b.version}`)),
    records,
    history,
  };
}

/** The registry tables' indexes, constraints and enabled triggers: what an initial load drops and must put back. */
async function structureOf(test: TestDatabase) {
  const { rows } = await sql<{ what: string }>`
    SELECT 'index ' || indexname || ': ' || indexdef AS what FROM pg_indexes
     WHERE tablename IN ('person', 'household', 'residence_spell', 'person_version', 'import_pending_link', 'person_name_key', 'vital_event')
    UNION ALL
    SELECT 'constraint ' || conname || ': ' || pg_get_constraintdef(oid) || (CASE WHEN convalidated THEN '' ELSE ' NOT VALID' END)
      FROM pg_constraint
     WHERE conrelid IN ('person'::regclass, 'household'::regclass, 'residence_spell'::regclass,
                        'person_version'::regclass, 'import_pending_link'::regclass, 'person_name_key'::regclass,
                        'vital_event'::regclass)
    UNION ALL
    SELECT 'trigger ' || tgname || ' ' || tgenabled::text FROM pg_trigger
     WHERE tgrelid IN ('person'::regclass, 'residence_spell'::regclass, 'vital_event'::regclass) AND NOT tgisinternal
    ORDER BY 1`.execute(test.database.db);
  return rows.map((r) => r.what);
}

describe(`initial load of a county (${storageName})`, () => {
  const tests: TestDatabase[] = [];
  let dir: string;
  const fresh = async () => {
    const test = await createTestDatabase();
    tests.push(test);
    await initCounty(test.database.db, '620881');
    return test;
  };
  const context = (test: TestDatabase) => ({
    database: test.database,
    actor: { id: 'loader' },
    today: TODAY,
  });
  let fileNo = 0;
  const file = (rows: Row[]) => {
    fileNo += 1;
    const path = join(dir, `load${fileNo}.csv`);
    writeFileSync(path, csvOf(rows));
    return path;
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'renkou-initial-load-'));
  });
  after(async () => {
    for (const test of tests) await test.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves the same registry, history and quarantine as a chunked import of the same file, indexes and constraints back', async () => {
    const path = file(tricky());
    const results = [];
    for (const mode of ['chunked', 'initial'] as ImportMode[]) {
      const test = await fresh();
      const structure = await structureOf(test);
      const report = await importPersons(context(test), { path, mode, chunkSize: 4 });
      assert.equal(report.initialLoad, mode === 'initial');
      assert.deepEqual(
        await structureOf(test),
        structure,
        `${mode}: indexes, constraints and triggers as before`,
      );
      const { items } = await listQuarantine(test.database.db, { batchId: report.batchId });
      results.push({
        rows: report.rows,
        chunks: report.chunks,
        quarantine: items.map((q) => [q.rowNo, q.issues.map((i) => `${i.field} ${i.code}`)]),
        registry: await registryOf(test),
      });
    }
    const [chunked, initial] = results;
    assert.deepEqual(chunked!.rows, { total: 16, ok: 12, unchanged: 0, quarantined: 4, blank: 1 });
    assert.deepEqual(chunked!.quarantine, [
      [5, ['relationToHead household_has_head']],
      [6, ['villageCode household_village_mismatch']],
      [7, ['sex invalid_value']],
      [18, ['idNumber duplicate_in_file']],
    ]);
    assert.deepEqual(initial, chunked);
    // The facts the comparison rests on, as the chunked import has them.
    const history = chunked!.registry.history as Record<string, { kind: string }[]>;
    assert.deepEqual(
      history['钱小虎']!.map((v) => v.kind),
      ['import', 'import_link'],
      'a mother further on is linked at the end',
    );
    const son = chunked!.registry.persons.find((p) => p.name === '王小明')!;
    assert.equal(son.mother_id, '李秀英');
    assert.ok(
      chunked!.registry.households.some((h) => h.household_no === 'E\\1\t2'),
      'a backslash and a tab kept as they were',
    );
    const a1 = chunked!.registry.households.find((h) => h.household_no === 'A-1')!;
    assert.equal(a1.head_person_id, '王建国');
    assert.equal(a1.hukou_type, 'urban', "the head's row speaks for the household");
  });

  it('fills the search dictionary and the statistics, so typo search and the planner know the new county', async () => {
    const test = await fresh();
    await importPersons(context(test), { path: file(tricky()), mode: 'initial' });
    const found = await searchPersons(test.database.db, { q: 'wang xiao mng' });
    assert.ok(
      found.items.some((p) => p.name === '王小明'),
      'one-letter typo in the pinyin',
    );
    const { rows } = await sql<{ n: number }>`
      SELECT greatest(reltuples, 0)::int AS n FROM pg_class WHERE oid = 'person'::regclass`.execute(
      test.database.db,
    );
    assert.equal(rows[0]!.n, 12, 'ANALYZE ran: the planner counts the loaded persons');
  });

  it('rolls everything back when it fails part way: no rows, the indexes and constraints as they were, and the same file loads again', async () => {
    const test = await fresh();
    const structure = await structureOf(test);
    const path = file(tricky());
    await assert.rejects(
      importPersons(context(test), {
        path,
        mode: 'initial',
        chunkSize: 4,
        beforeCommit: ({ chunkNo }) => {
          if (chunkNo === 3) throw new Error('simulated crash');
        },
      }),
      /simulated crash/,
    );
    const counts = await sql<{ persons: number; households: number; versions: number; quarantined: number }>`
      SELECT (SELECT count(*)::int FROM person) AS persons, (SELECT count(*)::int FROM household) AS households,
             (SELECT count(*)::int FROM person_version) AS versions,
             (SELECT count(*)::int FROM import_quarantine) AS quarantined`.execute(test.database.db);
    assert.deepEqual(counts.rows[0], { persons: 0, households: 0, versions: 0, quarantined: 0 });
    assert.deepEqual(await structureOf(test), structure);

    const again = await importPersons(context(test), { path, mode: 'initial', chunkSize: 4 });
    assert.equal(again.initialLoad, true);
    assert.equal(again.resumedAfterRow, null);
    assert.deepEqual(again.rows, { total: 16, ok: 12, unchanged: 0, quarantined: 4, blank: 1 });
    const second = await importPersons(context(test), { path, mode: 'initial' });
    assert.equal(second.alreadyImported, true, 'the same file again writes nothing');
  });

  it('refuses a county that already has persons, in zh-CN and English, and writes nothing', async () => {
    const test = await fresh();
    await importPersons(context(test), { path: file([person({ householdNo: 'Z-1', name: '郑一' })]) });
    const before = await structureOf(test);
    const path = file([
      person({
        householdNo: 'Z-2',
        name: '郑二',
        birthDate: '1970-01-01',
        idNumber: idFor('1970-01-01', '男'),
      }),
    ]);
    const error = await importPersons(context(test), { path, mode: 'initial' }).then(
      () => assert.fail('expected a refusal'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof AppError);
    assert.equal(error.code, 'conflict');
    assert.equal(error.field, 'mode');
    // Naming the option that does the usual import, as the CLI spells it.
    assert.match(error.text['zh-CN'], /已有人员或户.*--mode chunked/);
    assert.match(error.text.en, /already has persons or households.*--mode chunked/);
    const persons = await test.database.db.selectFrom('person').select('name').execute();
    assert.deepEqual(
      persons.map((p) => p.name),
      ['郑一'],
    );
    assert.deepEqual(await structureOf(test), before);
    // `auto` imports it chunk by chunk instead.
    const report = await importPersons(context(test), { path, mode: 'auto' });
    assert.equal(report.initialLoad, false);
    assert.equal(report.rows.ok, 1);
  });

  it('reads the facts from the database: an empty county, the registry’s size, who owns the tables', async () => {
    const test = await fresh();
    const facts = await test.database.withSession((session) => initialLoadFacts(session, '620881', 123));
    assert.deepEqual(facts, { empty: true, registryPersons: 0, fileBytes: 123, ownsTables: true });
    await importPersons(context(test), { path: file([person({ householdNo: 'F-1', name: '冯一' })]) });
    const after = await test.database.withSession((session) => initialLoadFacts(session, '620881', 123));
    assert.equal(after.empty, false);
  });

  it('chooses an initial load by itself only for an empty county and a file big enough to be worth it', () => {
    const big = { empty: true, registryPersons: 0, fileBytes: 40 * 2 ** 20, ownsTables: true };
    assert.equal(chooseInitialLoad(big), true);
    assert.equal(chooseInitialLoad({ ...big, empty: false }), false);
    assert.equal(chooseInitialLoad({ ...big, fileBytes: 100_000 }), false, 'small file');
    assert.equal(
      chooseInitialLoad({ ...big, registryPersons: 5_000_000 }),
      false,
      'other counties many times the file: rebuilding their indexes costs more',
    );
    assert.equal(chooseInitialLoad({ ...big, registryPersons: 300_000 }), true);
    assert.equal(
      chooseInitialLoad({ ...big, ownsTables: false }),
      false,
      'the application runs as a role that may not drop the indexes',
    );
  });

  it('keeps a village scope: rows outside the unit are quarantined, as in a chunked import', async () => {
    const test = await fresh();
    const rows = [
      person({ householdNo: 'S-1', name: '冯一' }),
      person({ householdNo: 'S-2', name: '冯二', villageCode: OTHER_VILLAGE }),
    ];
    const report = await importPersons(context(test), { path: file(rows), mode: 'initial', unit: VILLAGE });
    assert.deepEqual(report.rows, { total: 2, ok: 1, unchanged: 0, quarantined: 1, blank: 0 });
    const { items } = await listQuarantine(test.database.db, { batchId: report.batchId });
    assert.equal(items[0]!.issues[0]!.code, 'outside_units');
  });
});
