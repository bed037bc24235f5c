import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { todayInChina } from '../src/domain/dates.ts';
import { AppError } from '../src/domain/errors.ts';
import { initCounty } from '../src/org/init-county.ts';
import { exportPersons } from '../src/registry/export/export-persons.ts';
import { type ImportContext, importPersons } from '../src/registry/import/import-persons.ts';
import { PERSON_COLUMNS, type PersonField } from '../src/registry/import/person-columns.ts';
import {
  discardQuarantinedRow,
  listQuarantine,
  resubmitQuarantinedRow,
  resubmitQuarantineFile,
  writeQuarantineFile,
} from '../src/registry/import/quarantine.ts';
import { correctPerson, getPersonAsOf, getPersonHistory, registerMoveIn } from '../src/registry/index.ts';
import { TRACKED_PERSON_FIELDS } from '../src/registry/person-store.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { csvOf, idFor, person, type Row, sonOf } from './helpers/import-rows.ts';
import { contextFor, OTHER_VILLAGE, TODAY, VILLAGE } from './helpers/registry.ts';

async function xlsxOf(path: string, rows: Row[], cell?: (field: PersonField, value: string) => unknown) {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('人员');
  sheet.addRow(PERSON_COLUMNS.map((c) => c.zh));
  for (const row of rows) {
    sheet.addRow(
      PERSON_COLUMNS.map((c) => (cell ? cell(c.field, row[c.field] ?? '') : (row[c.field] ?? ''))),
    );
  }
  await workbook.xlsx.writeFile(path);
}

describe(`person import (${storageName})`, () => {
  let test: TestDatabase;
  let dir: string;
  let ctx: ImportContext;
  let fileNo = 0;
  const file = (content: string | Buffer, ext = 'csv') => {
    fileNo += 1;
    const path = join(dir, `f${fileNo}.${ext}`);
    writeFileSync(path, content);
    return path;
  };
  const count = async (
    table: 'person' | 'household' | 'residence_spell' | 'person_version' | 'vital_event',
  ) =>
    Number(
      (
        await test.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const personByName = (name: string) =>
    test.database.db.selectFrom('person').selectAll().where('name', '=', name).executeTakeFirstOrThrow();

  before(async () => {
    test = await createTestDatabase();
    await initCounty(test.database.db, '620881');
    dir = mkdtempSync(join(tmpdir(), 'renkou-import-'));
    ctx = { database: test.database, actor: { id: 'importer' }, today: TODAY };
  });
  after(async () => {
    await test.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports a good file: households with heads, persons with pinyin, residence spells, a first history version each, mothers linked', async () => {
    const wife = person({ name: '李秀英', sex: '女', birthDate: '1982-03-08', relationToHead: '配偶' });
    const rows = [
      person({ householdNo: 'A-1', name: '王建国' }),
      { ...wife, householdNo: 'A-1' },
      sonOf(wife),
      person({
        householdNo: 'A-2',
        villageCode: OTHER_VILLAGE,
        name: '张丽',
        sex: '女',
        birthDate: '1990-12-12',
        residenceType: '流入',
        hukouType: '非农业',
        ethnicity: '回',
      }),
      // A newborn without an ID number yet.
      person({
        householdNo: 'A-2',
        villageCode: OTHER_VILLAGE,
        name: '张小红',
        sex: '女',
        birthDate: '2025-10-01',
        idNumber: '',
        maritalStatus: '',
        relationToHead: '女儿',
        residenceType: '流入',
        residenceFrom: '2025-10-01',
        phone: '',
      }),
    ];
    const report = await importPersons(ctx, { path: file(csvOf(rows)) });
    assert.equal(report.status, 'completed');
    assert.deepEqual(report.rows, { total: 5, ok: 5, unchanged: 0, quarantined: 0, blank: 0 });
    assert.equal(report.alreadyImported, false);

    const head = await personByName('王建国');
    const child = await personByName('王小明');
    const mother = await personByName('李秀英');
    const newborn = await personByName('张小红');
    assert.equal(head.source, 'import');
    assert.equal(head.import_key, rows[0]!.idNumber);
    assert.equal(child.name_pinyin, 'wang xiao ming');
    assert.equal(child.name_initials, 'wxm');
    assert.equal(child.mother_id, mother.id);
    assert.equal(child.relation_to_head, 'child');
    assert.equal(mother.relation_to_head, 'spouse');
    assert.equal(head.household_id, child.household_id);
    assert.equal(newborn.id_number, null);
    assert.equal(newborn.import_key, '~A-2|张小红|2025-10-01');
    assert.equal((await personByName('张丽')).ethnicity, '回族');
    assert.equal((await personByName('张丽')).current_residence_type, 'inflow');

    const household = await test.database.db
      .selectFrom('household')
      .selectAll()
      .where('household_no', '=', 'A-1')
      .executeTakeFirstOrThrow();
    assert.equal(household.head_person_id, head.id);
    assert.equal(household.org_code, VILLAGE);
    assert.equal(household.hukou_type, 'rural');

    const spells = await test.database.db
      .selectFrom('residence_spell')
      .selectAll()
      .where('person_id', '=', child.id)
      .execute();
    assert.deepEqual(
      spells.map((s) => [s.org_code, s.residence_type, s.valid_from, s.valid_to, s.household_id]),
      [[VILLAGE, 'registered', '2008-09-01', null, household.id]],
    );

    const history = await getPersonHistory(test.database.db, child.id);
    assert.equal(history.length, 1);
    assert.equal(history[0]!.kind, 'import');
    assert.equal(history[0]!.version, 1);
    assert.equal(history[0]!.changedBy, 'importer');
    assert.match(history[0]!.reason!, new RegExp(`import batch ${report.batchId}, row 4`));
    assert.deepEqual(history[0]!.changes.name, { old: null, new: '王小明' });
    assert.deepEqual(history[0]!.changes.mother_id, { old: null, new: mother.id });
    assert.equal('phone' in history[0]!.changes, false, 'null fields are not changes');
    assert.equal(await count('person_version'), await count('person'));

    // The first version stores neither changes nor snapshot; the history reads what insertPerson
    // would have written off the person's row: every tracked field in the record, and each
    // non-null one as a change from null.
    const tracked = TRACKED_PERSON_FIELDS;
    for (const who of [child, newborn]) {
      const row = await test.database.db
        .selectFrom('person')
        .selectAll()
        .where('id', '=', who.id)
        .executeTakeFirstOrThrow();
      const v = await test.database.db
        .selectFrom('person_version')
        .selectAll()
        .where('person_id', '=', who.id)
        .executeTakeFirstOrThrow();
      assert.deepEqual([v.changes, v.snapshot], [{}, null]);
      const expected: Record<string, unknown> = { id: row.id, county_code: row.county_code };
      for (const key of tracked) expected[key] = row[key];
      const asOf = await getPersonAsOf(test.database.db, who.id, todayInChina());
      assert.deepEqual([asOf.version, asOf.record], [1, expected]);
      const [first] = await getPersonHistory(test.database.db, who.id);
      assert.deepEqual(
        first!.changes,
        Object.fromEntries(
          tracked.filter((k) => row[k] !== null).map((k) => [k, { old: null, new: row[k] }]),
        ),
      );
    }
    assert.equal(
      (await getPersonAsOf(test.database.db, child.id, todayInChina())).record.birth_date,
      '2008-09-01',
    );
  });

  it('puts every kind of bad row in the quarantine with its code and field, keeping its raw values; nothing is dropped', async () => {
    await initCounty(test.database.db, '620802');
    const young = '2015-06-01';
    const cases: [Row, string, string][] = [
      [person({ name: '王1' }), 'invalid_name', 'name'],
      [person({ name: '' }), 'required', 'name'],
      [person({ sex: '未知' }), 'invalid_value', 'sex'],
      [person({ birthDate: '1980-02-30', idNumber: '' }), 'invalid_date', 'birthDate'],
      [person({ birthDate: '2099-01-01', idNumber: '' }), 'date_in_future', 'birthDate'],
      [person({ idNumber: '620881198005010011' }), 'resident_id_check_char', 'idNumber'],
      [person({ idNumber: idFor('1981-05-01', '男') }), 'id_birth_date_mismatch', 'birthDate'],
      [person({ idNumber: idFor('1980-05-01', '女') }), 'id_sex_mismatch', 'sex'],
      [person({ villageCode: '62088110' }), 'invalid_village', 'villageCode'],
      [person({ villageCode: '620881999999' }), 'unknown_village', 'villageCode'],
      [person({ villageCode: '620802001001' }), 'village_outside_county', 'villageCode'],
      [person({ residenceType: '外星' }), 'invalid_value', 'residenceType'],
      [person({ residenceFrom: '1979-01-01' }), 'date_before_birth', 'residenceFrom'],
      [person({ hukouType: '半农' }), 'invalid_value', 'hukouType'],
      [person({ ethnicity: '火星族' }), 'invalid_value', 'ethnicity'],
      [
        person({ birthDate: young, maritalStatus: '已婚', residenceFrom: young }),
        'below_marriage_age',
        'maritalStatus',
      ],
      [person({ phone: '12345' }), 'invalid_phone', 'phone'],
      [person({ relationToHead: '邻居' }), 'invalid_value', 'relationToHead'],
      [person({ sourceKey: 'K'.repeat(101) }), 'too_long', 'sourceKey'],
      [person({ motherIdNumber: idFor('1950-01-01', '男') }), 'mother_not_female', 'motherIdNumber'],
      [person({ motherIdNumber: idFor('1975-01-01', '女') }), 'mother_age_implausible', 'motherIdNumber'],
      [person({ motherIdNumber: '62088119500101002Y' }), 'resident_id_characters', 'motherIdNumber'],
      [
        person({ name: '王小明', idNumber: '620881198503121239', birthDate: '1985-03-12' }),
        'template_example_row',
        'row',
      ],
    ];
    const good = person({ householdNo: 'B-1', name: '赵一' });
    const rows: Row[] = [good, ...cases.map(([row], i) => ({ ...row, householdNo: `B-${i + 2}` }))];
    // Set-wise checks: a duplicate ID in the file, a household in two villages, a second head.
    rows.push(
      { ...good, name: '赵一二' },
      person({ householdNo: 'B-1', villageCode: OTHER_VILLAGE, relationToHead: '子女', name: '赵二' }),
    );
    rows.push(person({ householdNo: 'B-1', name: '赵三' }));
    const report = await importPersons(ctx, { path: file(csvOf(rows)), county: '620881' });
    assert.deepEqual(report.rows, {
      total: rows.length,
      ok: 1,
      unchanged: 0,
      quarantined: rows.length - 1,
      blank: 0,
    });
    assert.equal(report.rows.ok + report.rows.unchanged + report.rows.quarantined, report.rows.total);

    const { items, total } = await listQuarantine(test.database.db, { batchId: report.batchId, limit: 1000 });
    assert.equal(total, rows.length - 1);
    const byRow = new Map(items.map((item) => [item.rowNo, item]));
    cases.forEach(([row, code, field], i) => {
      const item = byRow.get(i + 3);
      assert.ok(item, `row ${i + 3} (${code}) is in the quarantine`);
      assert.ok(
        item.issues.some((issue) => issue.code === code && issue.field === field),
        `row ${i + 3}: expected ${code} at ${field}, got ${JSON.stringify(item.issues.map((x) => [x.code, x.field]))}`,
      );
      assert.equal(item.raw.name, row.name, 'raw values are kept as they were');
      for (const issue of item.issues)
        assert.ok(issue.message['zh-CN'] && issue.message.en, 'messages in both languages');
    });
    const tail = (offset: number) => byRow.get(cases.length + 2 + offset)!;
    assert.deepEqual(
      [tail(1), tail(2), tail(3)].map((item) => item.issues.map((issue) => [issue.code, issue.field])),
      [
        [['duplicate_in_file', 'idNumber']],
        [['household_village_mismatch', 'villageCode']],
        [['household_has_head', 'relationToHead']],
      ],
    );
    assert.match(tail(1).issues[0]!.message['zh-CN'], /第 2 行/);
    assert.ok(report.issues.some((issue) => issue.code === 'invalid_name' && issue.count === 1));
  });

  it('counts a row that agrees with the registry as unchanged, and quarantines one that disagrees, field by field', async () => {
    const original = person({ householdNo: 'C-1', name: '沙悟净' });
    assert.equal((await importPersons(ctx, { path: file(csvOf([original])) })).rows.ok, 1);
    const sha = await personByName('沙悟净');

    const same = await importPersons(ctx, {
      path: file(csvOf([{ ...original, ethnicity: '汉', sex: 'male' }])),
    });
    assert.deepEqual(same.rows, { total: 1, ok: 0, unchanged: 1, quarantined: 0, blank: 0 });
    // An empty optional cell neither confirms nor contradicts the registry.
    const partial = await importPersons(ctx, {
      path: file(csvOf([{ ...original, phone: '', hukouType: '' }])),
    });
    assert.equal(partial.rows.unchanged, 1);

    const changed = await importPersons(ctx, {
      path: file(csvOf([{ ...original, name: '沙和尚', phone: '13700000000' }])),
    });
    assert.deepEqual(changed.rows, { total: 1, ok: 0, unchanged: 0, quarantined: 1, blank: 0 });
    const { items } = await listQuarantine(test.database.db, { batchId: changed.batchId });
    assert.deepEqual(items[0]!.issues.map((issue) => `${issue.code}@${issue.field}`).sort(), [
      'differs_from_registry@name',
      'differs_from_registry@phone',
    ]);
    assert.match(items[0]!.issues[0]!.message['zh-CN'], new RegExp(`人员 ${sha.id}`));

    // A person entered through the registry commands, without a household: the row's household is new to the registry.
    const moved = await registerMoveIn(
      { db: test.database.db, actor: { id: 'clerk' }, today: TODAY },
      {
        person: {
          name: '孙悟空',
          sex: 'male',
          birthDate: '1970-01-01',
          idNumber: idFor('1970-01-01', '男'),
          maritalStatus: 'single',
          ethnicity: '汉族',
        },
        orgCode: VILLAGE,
        residenceType: 'registered',
        moveDate: '2010-01-01',
      },
    );
    const row = person({
      householdNo: 'C-2',
      name: '孙悟空',
      birthDate: '1970-01-01',
      idNumber: moved.person.id_number!,
      maritalStatus: '未婚',
      phone: '',
      hukouType: '',
      relationToHead: '',
      residenceFrom: '2010-01-01',
    });
    const report = await importPersons(ctx, { path: file(csvOf([row])) });
    const quarantined = await listQuarantine(test.database.db, { batchId: report.batchId });
    assert.deepEqual(
      quarantined.items[0]!.issues.map((issue) => `${issue.code}@${issue.field}`),
      ['differs_from_registry@householdNo'],
    );
  });

  it('links a child listed before its mother once she is imported, as a new history version', async () => {
    // The child lives with her grandparents (D-1), her mother elsewhere (D-2), listed later.
    const mother = person({ householdNo: 'D-2', name: '周芳', sex: '女', birthDate: '1985-01-01' });
    const child = person({
      householdNo: 'D-1',
      name: '周小雨',
      sex: '女',
      birthDate: '2012-01-01',
      maritalStatus: '未婚',
      relationToHead: '子女',
      residenceFrom: '2012-01-01',
      motherIdNumber: mother.idNumber!,
    });
    const report = await importPersons(ctx, { path: file(csvOf([child, mother])), chunkSize: 1 });
    assert.equal(report.rows.ok, 2);
    const kid = await personByName('周小雨');
    assert.equal(kid.mother_id, (await personByName('周芳')).id);
    assert.equal(kid.version, 2);
    const history = await getPersonHistory(test.database.db, kid.id);
    assert.deepEqual(
      history.map((v) => v.kind),
      ['import', 'import_link'],
    );
    // As first recorded the child had no mother: the link's version is undone to read it.
    assert.equal('mother_id' in history[0]!.changes, false);
    // The link numbers her among her mother's children too (the import numbers a child whose
    // mother it knows; she is the first).
    assert.deepEqual(history[1]!.changes, {
      mother_id: { old: null, new: kid.mother_id },
      birth_order: { old: null, new: 1 },
    });
    assert.equal('birth_order' in history[0]!.changes, false);
    const pending = await test.database.db.selectFrom('import_pending_link').selectAll().execute();
    assert.deepEqual(pending, []);
  });

  it('resubmits a corrected row through the same rules; a row still wrong keeps its new issues; a discarded row keeps its reason', async () => {
    const rows = [
      person({ householdNo: 'E-1', name: '吴1' }),
      person({ householdNo: 'E-2', name: '吴二', birthDate: '1980-02-30', idNumber: '' }),
      person({ householdNo: 'E-3', name: '吴三', villageCode: '620881999999' }),
    ];
    const report = await importPersons(ctx, { path: file(csvOf(rows)) });
    assert.equal(report.rows.quarantined, 3);
    const before = await count('person');

    const fixed = await resubmitQuarantinedRow(ctx, {
      batchId: report.batchId,
      rowNo: 2,
      values: { 姓名: '吴一' },
    });
    assert.equal(fixed.outcome, 'ok');
    const created = await personByName('吴一');
    assert.equal(created.id, fixed.personId);
    assert.equal(created.source, 'import');
    assert.equal((await getPersonHistory(test.database.db, created.id))[0]!.kind, 'import');

    await assert.rejects(
      resubmitQuarantinedRow(ctx, { batchId: report.batchId, rowNo: 3, values: { birthDate: '1980-02-31' } }),
      (error: unknown) =>
        error instanceof AppError &&
        error.issues.some((i) => i.code === 'invalid_date' && i.field === 'birthDate'),
    );
    const still = (await listQuarantine(test.database.db, { batchId: report.batchId })).items.find(
      (i) => i.rowNo === 3,
    )!;
    assert.equal(still.attempts, 1);
    assert.equal(still.raw.birthDate, '1980-02-31');

    await assert.rejects(
      discardQuarantinedRow(ctx, { batchId: report.batchId, rowNo: 4, reason: '  ' }),
      (error: unknown) => error instanceof AppError && error.issues[0]?.code === 'required',
    );
    const discarded = await discardQuarantinedRow(ctx, {
      batchId: report.batchId,
      rowNo: 4,
      reason: '此人已去世多年',
    });
    assert.equal(discarded.status, 'discarded');
    assert.equal(discarded.discardReason, '此人已去世多年');
    await assert.rejects(
      resubmitQuarantinedRow(ctx, { batchId: report.batchId, rowNo: 4 }),
      (error: unknown) => error instanceof AppError && error.code === 'conflict',
    );
    await assert.rejects(
      resubmitQuarantinedRow(ctx, { batchId: report.batchId, rowNo: 2 }),
      (error: unknown) => error instanceof AppError && error.code === 'conflict',
    );
    assert.equal(await count('person'), before + 1);

    // The rest, corrected in a sheet: export the pending rows, fix them, resubmit the file.
    const quarantinePath = join(dir, 'quarantine.xlsx');
    const out = createWriteStream(quarantinePath);
    assert.equal(
      await writeQuarantineFile(test.database.db, out, { batchId: report.batchId, format: 'xlsx' }),
      1,
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(quarantinePath);
    const sheet = workbook.worksheets[0]!;
    const birthColumn = (sheet.getRow(1).values as string[]).indexOf('出生日期');
    sheet.getRow(2).getCell(birthColumn).value = '1980-02-28';
    await workbook.xlsx.writeFile(quarantinePath);
    const resubmitted = await resubmitQuarantineFile(ctx, { batchId: report.batchId, path: quarantinePath });
    assert.deepEqual(
      { rows: resubmitted.rows, ok: resubmitted.ok, still: resubmitted.stillQuarantined },
      { rows: 1, ok: 1, still: 0 },
    );
    const final = await importReportOf(report.batchId);
    assert.deepEqual(final.quarantine, { pending: 0, resubmitted: 2, discarded: 1 });
    assert.deepEqual(final.rows, { total: 3, ok: 0, unchanged: 0, quarantined: 3, blank: 0 });
  });

  async function importReportOf(batchId: number) {
    const { getImportReport } = await import('../src/registry/import/import-report.ts');
    return getImportReport(test.database.db, batchId);
  }

  it('creates nothing when the same file is imported again, and counts the same rows in another file as unchanged', async () => {
    const rows = [
      person({ householdNo: 'F-1', name: '郑一' }),
      person({
        householdNo: 'F-1',
        name: '郑二',
        sex: '女',
        relationToHead: '配偶',
        birthDate: '1981-01-01',
      }),
      person({
        householdNo: 'F-1',
        name: '郑三',
        idNumber: '',
        birthDate: '2020-01-01',
        maritalStatus: '未婚',
        relationToHead: '子女',
        residenceFrom: '2020-01-01',
      }),
      person({ householdNo: 'F-1', name: '郑4' }),
    ];
    const path = file(csvOf(rows));
    const first = await importPersons(ctx, { path });
    const counts = await Promise.all([
      count('person'),
      count('household'),
      count('residence_spell'),
      count('person_version'),
      count('vital_event'),
    ]);
    assert.ok(counts[4]! > 0, '郑三 lived in the village from birth: the import recorded the birth');
    const again = await importPersons(ctx, { path });
    assert.equal(again.alreadyImported, true);
    assert.equal(again.batchId, first.batchId);
    assert.deepEqual(again.rows, first.rows);
    assert.deepEqual(
      await Promise.all([
        count('person'),
        count('household'),
        count('residence_spell'),
        count('person_version'),
        count('vital_event'),
      ]),
      counts,
    );
    const quarantined = await listQuarantine(test.database.db, { batchId: first.batchId });
    assert.equal(quarantined.total, 1, 'the quarantine is not filled twice either');

    // Same rows, other bytes (LF line ends, no BOM, English headers): a new batch, all unchanged.
    const other = await importPersons(ctx, {
      path: file(csvOf(rows, { eol: '\n', bom: false, english: true })),
    });
    assert.notEqual(other.batchId, first.batchId);
    assert.deepEqual(other.rows, { total: 4, ok: 0, unchanged: 3, quarantined: 1, blank: 0 });
    assert.deepEqual(
      await Promise.all([
        count('person'),
        count('household'),
        count('residence_spell'),
        count('person_version'),
        count('vital_event'),
      ]),
      counts,
    );
  });

  it('leaves whole chunks after a crash mid-import, and running the same file again resumes and finishes with exact counts', async () => {
    const rows: Row[] = [];
    for (let i = 1; i <= 12; i++) {
      rows.push(
        person({
          householdNo: `G-${i}`,
          name: `钱${'一二三四五六七八九十'[i % 10]}${i > 10 ? '甲' : ''}`,
          birthDate: `19${60 + i}-01-01`,
          residenceFrom: '2000-01-01',
        }),
      );
    }
    rows[4] = { ...rows[4]!, sex: '?' }; // quarantined, in chunk 2
    rows[10] = { ...rows[1]!, name: '钱重' }; // the ID number of a row committed before the crash
    const path = file(csvOf(rows));
    const before = await count('person');
    await assert.rejects(
      importPersons(ctx, {
        path,
        chunkSize: 3,
        beforeCommit: ({ chunkNo }) => {
          if (chunkNo === 3) throw new Error('simulated crash');
        },
      }),
      /simulated crash/,
    );
    const batch = await test.database.db
      .selectFrom('import_batch')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(batch.status, 'running');
    assert.equal(batch.chunks_committed, 2);
    assert.equal(batch.rows_total, 6);
    assert.equal(batch.last_row_no, 7);
    assert.equal(await count('person'), before + 5, 'two whole chunks: 6 rows, one quarantined');

    const resumed = await importPersons(ctx, { path, chunkSize: 3 });
    assert.equal(resumed.batchId, batch.id);
    assert.equal(resumed.resumedAfterRow, 7);
    assert.deepEqual(resumed.rows, { total: 12, ok: 10, unchanged: 0, quarantined: 2, blank: 0 });
    assert.equal(resumed.chunks, 4);
    assert.equal(await count('person'), before + 10);
    const dupes = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM (
        SELECT id_number FROM person WHERE id_number IS NOT NULL GROUP BY id_number HAVING count(*) > 1) d`.execute(
      test.database.db,
    );
    assert.equal(dupes.rows[0]!.n, 0);
    const { items } = await listQuarantine(test.database.db, { batchId: batch.id });
    assert.deepEqual(
      items.map((item) => [item.rowNo, item.issues[0]!.code]),
      [
        [6, 'invalid_value'],
        [12, 'duplicate_in_file'],
      ],
    );
    assert.equal(
      await count('person_version'),
      (await count('person')) + 1,
      'one import_link version so far, nothing else',
    );
  });

  it('closes a full chunk only at the end of a household, so its members are written together', async () => {
    const rows: Row[] = [];
    for (const [household, size] of [
      ['K-1', 3],
      ['K-2', 1],
      ['K-3', 3],
    ] as const) {
      for (let i = 0; i < size; i++) {
        rows.push(
          person({
            householdNo: household,
            name: `林${'一二三'[Number(household.slice(2)) - 1]}${'甲乙丙'[i]}`,
            relationToHead: i ? '子女' : '户主',
          }),
        );
      }
    }
    const report = await importPersons(ctx, { path: file(csvOf(rows)), chunkSize: 2 });
    assert.equal(report.rows.ok, 7);
    const chunks = await test.database.db
      .selectFrom('import_chunk')
      .select(['chunk_no', 'first_row_no', 'last_row_no'])
      .where('batch_id', '=', report.batchId)
      .orderBy('chunk_no')
      .execute();
    assert.deepEqual(
      chunks.map((c) => [c.first_row_no, c.last_row_no]),
      [
        [2, 4],
        [5, 8],
      ],
    );
  });

  it('reads an XLSX file to the same result as the CSV, including dates typed as dates, and flags an ID number Excel stored as a number', async () => {
    const rows = [
      person({ householdNo: 'X-1', name: '冯一' }),
      person({
        householdNo: 'X-1',
        name: '冯二',
        sex: '女',
        relationToHead: '配偶',
        birthDate: '1983-07-07',
      }),
      person({ householdNo: 'X-2', name: '冯3' }),
    ];
    const xlsx = join(dir, 'persons.xlsx');
    await xlsxOf(xlsx, rows, (field, value) =>
      value !== '' && (field === 'birthDate' || field === 'residenceFrom')
        ? new Date(`${value}T00:00:00Z`)
        : field === 'phone' && value !== ''
          ? Number(value)
          : value,
    );
    const fromXlsx = await importPersons(ctx, { path: xlsx });
    assert.equal(fromXlsx.fileFormat, 'xlsx');
    assert.deepEqual(fromXlsx.rows, { total: 3, ok: 2, unchanged: 0, quarantined: 1, blank: 0 });
    const fromCsv = await importPersons(ctx, { path: file(csvOf(rows)) });
    assert.deepEqual(fromCsv.rows, { total: 3, ok: 0, unchanged: 2, quarantined: 1, blank: 0 });
    const [a, b] = await Promise.all(
      [fromXlsx, fromCsv].map(
        async (r) => (await listQuarantine(test.database.db, { batchId: r.batchId })).items,
      ),
    );
    assert.deepEqual(
      a!.map((i) => [i.rowNo, i.issues]),
      b!.map((i) => [i.rowNo, i.issues]),
    );
    assert.equal((await personByName('冯一')).phone, rows[0]!.phone);

    const numeric = join(dir, 'numeric.xlsx');
    await xlsxOf(numeric, [person({ householdNo: 'X-3', name: '冯四' })], (field, value) =>
      field === 'idNumber' ? Number(value) : value,
    );
    const report = await importPersons(ctx, { path: numeric });
    const { items } = await listQuarantine(test.database.db, { batchId: report.batchId });
    assert.deepEqual(
      items[0]!.issues.map((i) => [i.code, i.field]),
      [['id_number_not_text', 'idNumber']],
    );
  });

  it('reads the first visible tab of an XLSX file even when another sheet is stored before it', async () => {
    // 填写说明 is stored first in the zip (sheet1.xml) but is the second tab; a hidden sheet
    // comes before both in the tab list. Excel shows the data sheet first, so that is the data.
    const workbook = new ExcelJS.Workbook();
    const notes = workbook.addWorksheet('填写说明');
    notes.addRow(['说明']);
    notes.addRow(['身份证号请以文本格式填写']);
    const hidden = workbook.addWorksheet('参数', { state: 'hidden' });
    hidden.addRow(['code']);
    const data = workbook.addWorksheet('人员');
    data.addRow(PERSON_COLUMNS.map((c) => c.zh));
    const row = person({ householdNo: 'T-1', name: '邵一' });
    data.addRow(PERSON_COLUMNS.map((c) => row[c.field] ?? ''));
    // exceljs lists the tabs by orderNo (not in its typings) and names the parts by creation.
    const order = (sheet: ExcelJS.Worksheet, n: number) => {
      (sheet as unknown as { orderNo: number }).orderNo = n;
    };
    order(hidden, 0);
    order(data, 1);
    order(notes, 2);
    const path = join(dir, 'tabs.xlsx');
    await workbook.xlsx.writeFile(path);

    const reread = new ExcelJS.Workbook();
    await reread.xlsx.readFile(path);
    assert.deepEqual(
      reread.worksheets.map((s) => s.name),
      ['参数', '人员', '填写说明'],
      'the file lists the tabs in the order set',
    );
    const report = await importPersons(ctx, { path });
    assert.deepEqual(report.rows, { total: 1, ok: 1, unchanged: 0, quarantined: 0, blank: 0 });
    assert.equal((await personByName('邵一')).name, '邵一');
  });

  it('exports a unit so that the file re-imports as all unchanged, in CSV and in XLSX', async () => {
    const total = Number(
      (
        await test.database.db
          .selectFrom('person')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', '=', 'active')
          .where('current_org_code', 'like', '620881%')
          .executeTakeFirstOrThrow()
      ).n,
    );
    for (const format of ['csv', 'xlsx'] as const) {
      const path = join(dir, `export.${format}`);
      const written = await exportPersons(test.database.db, createWriteStream(path), {
        unit: '620881',
        format,
      });
      assert.equal(written, total);
      const before = await count('person_version');
      const report = await importPersons(ctx, { path });
      if (report.rows.quarantined)
        console.log(
          JSON.stringify((await listQuarantine(test.database.db, { batchId: report.batchId })).items),
        );
      assert.deepEqual(report.rows, { total, ok: 0, unchanged: total, quarantined: 0, blank: 0 }, format);
      assert.equal(await count('person_version'), before);
    }
    const village = join(dir, 'village.csv');
    const inVillage = await exportPersons(test.database.db, createWriteStream(village), {
      unit: OTHER_VILLAGE,
      format: 'csv',
    });
    assert.ok(inVillage > 0 && inVillage < total);
  });

  it('refuses a file whose header lacks a required column, naming the column', async () => {
    const header = PERSON_COLUMNS.filter((c) => c.field !== 'residenceType').map((c) => c.zh);
    await assert.rejects(
      importPersons(ctx, { path: file(`${header.join(',')}\r\n`) }),
      (error: unknown) =>
        error instanceof AppError &&
        error.code === 'invalid_input' &&
        error.issues.some((i) => i.code === 'missing_column' && i.field === 'residenceType'),
    );
    await assert.rejects(
      importPersons(ctx, { path: file('') }),
      (error: unknown) => error instanceof AppError,
    );
  });

  // Also after the counted tests: it adds a version to a person.
  it('lets a clerk save in the same county while an upload writes a chunk: the chunk bumps the data version last', {
    skip: storageName === 'pglite' && 'PGlite has one connection: nothing else can write meanwhile',
  }, async () => {
    const head = await personByName('王建国');
    const versionOf = async () =>
      Number(
        (
          await test.database.db
            .selectFrom('data_version')
            .select('version')
            .where('county_code', '=', head.county_code)
            .executeTakeFirstOrThrow()
        ).version,
      );
    const before = await versionOf();
    const rows = [
      person({ householdNo: 'W-1', name: '魏一', birthDate: '1971-01-01' }),
      person({ householdNo: 'W-2', name: '魏二', birthDate: '1972-02-02' }),
    ];
    let savedDuringChunk = false;
    const report = await importPersons(ctx, {
      path: file(csvOf(rows)),
      chunkSize: 1,
      beforeCommit: async ({ chunkNo }) => {
        if (chunkNo !== 1) return;
        // Another connection, while chunk 1 is written but not committed. Before migration 0022
        // the chunk held the county's data_version row from its first insert, and this waited.
        const save = correctPerson(contextFor(test.database.db, 'clerk-3'), {
          personId: head.id,
          expectedVersion: head.version,
          changes: { phone: '13911112222' },
          reason: '本人来电',
        });
        let timer: NodeJS.Timeout | undefined;
        const blocked = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('the save waited for the import chunk')), 10_000);
        });
        await Promise.race([save, blocked]).finally(() => clearTimeout(timer));
        savedDuringChunk = true;
      },
    });
    assert.equal(report.rows.ok, 2);
    assert.equal(savedDuringChunk, true);
    assert.equal((await personByName('王建国')).phone, '13911112222');
    // Counted still: the save, and each chunk once.
    assert.ok((await versionOf()) >= before + 3, `data version ${before} → ${await versionOf()}`);
  });

  // Last: it adds versions that the counts above do not expect.
  it('reads an imported person as first recorded after later changes: the corrections undone, newest first', async () => {
    const row = person({
      householdNo: 'R-1',
      name: '陈晓燕',
      sex: '女',
      birthDate: '1990-03-04',
      phone: '13900000001',
    });
    await importPersons(ctx, { path: file(csvOf([row])) });
    const imported = await personByName('陈晓燕');
    const clerk = contextFor(test.database.db, 'clerk-2');
    const first = await correctPerson(clerk, {
      personId: imported.id,
      expectedVersion: 1,
      changes: { name: '陈小燕' },
      reason: '户口簿为“小”',
    });
    await correctPerson(clerk, {
      personId: imported.id,
      expectedVersion: first.person.version,
      changes: { phone: '13900000002', name: '陈小艳' },
      reason: '本人来电',
    });
    // Recorded later than the import: "as known" on the day between reads the first version.
    await sql`UPDATE person_version SET changed_at = changed_at + interval '400 days'
               WHERE person_id = ${imported.id} AND version > 1`.execute(test.database.db);

    const history = await getPersonHistory(test.database.db, imported.id);
    assert.deepEqual(history[0]!.changes.name, { old: null, new: '陈晓燕' });
    assert.deepEqual(history[0]!.changes.phone, { old: null, new: '13900000001' });
    assert.deepEqual(history[2]!.changes.name, { old: '陈小燕', new: '陈小艳' });
    const then = await getPersonAsOf(test.database.db, imported.id, todayInChina());
    assert.equal(then.version, 1);
    assert.deepEqual(
      [then.record.name, then.record.phone, then.record.birth_date],
      ['陈晓燕', '13900000001', '1990-03-04'],
    );
    const now = await getPersonAsOf(test.database.db, imported.id, '2100-01-01');
    assert.deepEqual([now.version, now.record.name, now.record.phone], [3, '陈小艳', '13900000002']);

    // Only a first version without changes may leave its snapshot out (migration 0021's CHECK).
    await assert.rejects(
      sql`INSERT INTO person_version (county_code, person_id, version, change_kind, changed_by, changes)
          VALUES (${imported.county_code}, ${imported.id}, 4, 'correction', 'clerk-2', '{}')`.execute(
        test.database.db,
      ),
      /person_version_snapshot_left_out/,
    );

    // A history with a version missing is not guessed over.
    await sql`DELETE FROM person_version WHERE person_id = ${imported.id} AND version = 2`.execute(
      test.database.db,
    );
    await assert.rejects(getPersonAsOf(test.database.db, imported.id, todayInChina()), /incomplete/);
  });
});
