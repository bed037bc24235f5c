import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import type { Sex } from '../src/db/schema.ts';
import type { FieldIssue } from '../src/domain/errors.ts';
import {
  importServicesCsv,
  importServicesFile,
  SERVICE_CSV_HEADER,
  type ServiceImportProgress,
  type ServiceImportReport,
  type ServiceRecordRow,
} from '../src/services/index.ts';
import { runRenkou } from './helpers/cli.ts';
import {
  createScratchStorage,
  createTestDatabase,
  type ScratchStorage,
  storageName,
  type TestDatabase,
} from './helpers/database.ts';
import { signedInApp } from './helpers/http.ts';
import { csvOf, person } from './helpers/import-rows.ts';
import {
  addAdult,
  contextFor,
  loadHuating,
  makeIdNumber,
  OTHER_VILLAGE,
  VILLAGE,
} from './helpers/registry.ts';
import { csvOfServices, outcomes, type ServiceRow } from './helpers/service-files.ts';

const NAMES = '甲乙丙丁戊己庚辛壬癸';

/** Service records stored from a source. */
async function recordsFrom(test: TestDatabase, source: string): Promise<number> {
  const row = await test.database.db
    .selectFrom('service_record')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('source', '=', source)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe(`service-record import in chunks (${storageName})`, () => {
  let test: TestDatabase;
  let ctx: ReturnType<typeof contextFor> & { countyCode: string };
  const women: { id: number; idNumber: string; village: string }[] = [];
  const men: { id: number; idNumber: string }[] = [];

  const countOf = (source: string) => recordsFrom(test, source);
  const keysOf = async (source: string) =>
    new Set(
      (
        await test.database.db
          .selectFrom('service_record')
          .select('import_key')
          .where('source', '=', source)
          .execute()
      ).map((r) => r.import_key),
    );
  const dataVersion = async () =>
    Number(
      (
        await test.database.db
          .selectFrom('data_version')
          .select('version')
          .where('county_code', '=', '620881')
          .executeTakeFirst()
      )?.version ?? 0,
    );

  /** A good row, different from its neighbours: four kinds, women of both villages, couples. */
  const goodRow = (i: number, key: string): ServiceRow => {
    const woman = women[i % women.length]!;
    const date = `2025-${String(1 + (i % 11)).padStart(2, '0')}-${String(1 + (i % 27)).padStart(2, '0')}`;
    switch (i % 4) {
      case 0:
        return {
          kind: 'cervical_screening',
          id_number: woman.idNumber,
          service_date: date,
          provider: '华亭市妇幼保健院',
          outcome_code: 'normal',
          consent: '是',
          import_key: key,
        };
      case 1:
        return {
          kind: 'contraceptive_supplies',
          id_number: woman.idNumber,
          service_date: date,
          provider: '东华镇卫生院',
          outcome_code: 'dispensed',
          consent: '同意',
          quantity: String(1 + (i % 5)),
          import_key: key,
        };
      case 2:
        return {
          kind: 'premarital_check',
          id_number: woman.idNumber,
          related_id_number: men[i % men.length]!.idNumber,
          service_date: date,
          provider: '华亭市妇幼保健院',
          outcome_code: 'advice',
          consent: '1',
          import_key: key,
        };
      default:
        return {
          kind: 'counselling',
          id_number: men[i % men.length]!.idNumber,
          service_date: date,
          provider: '东华镇卫生院',
          outcome_code: 'given',
          consent: 'yes',
          import_key: key,
        };
    }
  };

  before(async () => {
    test = await createTestDatabase();
    await loadHuating(test.database.db);
    ctx = { ...contextFor(test.database.db), countyCode: '620881' };
    const add = async (i: number, sex: Sex, orgCode: string) =>
      addAdult(ctx, {
        name: `${sex === 'female' ? '林' : '陈'}${NAMES[i % 10]}${NAMES[Math.floor(i / 10)]}`,
        sex,
        birthDate: `19${75 + (i % 20)}-0${1 + (i % 9)}-1${i % 10}`,
        orgCode,
        moveDate: '2010-01-01',
      });
    for (let i = 0; i < 24; i++) {
      const village = i % 2 === 0 ? VILLAGE : OTHER_VILLAGE;
      const p = await add(i, 'female', village);
      women.push({ id: p.id, idNumber: p.id_number!, village });
    }
    for (let i = 0; i < 6; i++) {
      const p = await add(i, 'male', VILLAGE);
      men.push({ id: p.id, idNumber: p.id_number! });
    }
  });
  after(() => test.cleanup());

  it('imports a file of a few thousand rows chunk by chunk: every row reported in file order, one registry change per chunk', async () => {
    const rows = Array.from({ length: 2_400 }, (_, i) => goodRow(i, `big-${i}`));
    const progress: ServiceImportProgress[] = [];
    const versionBefore = await dataVersion();
    const report = await importServicesCsv(ctx, csvOfServices(rows), 'big', {
      chunkSize: 500,
      onProgress: (p) => progress.push(p),
    });

    assert.deepEqual([report.ok, report.unchanged, report.rejected], [2_400, 0, 0]);
    assert.deepEqual(
      report.rows.map((r) => r.rowNo),
      rows.map((_, i) => i + 2),
    );
    assert.ok(report.rows.every((r) => r.status === 'ok' && r.issues.length === 0));
    assert.equal(new Set(report.rows.map((r) => r.id)).size, 2_400, 'every row its own record');
    assert.equal(await countOf('big'), 2_400);
    // Written set-wise: the service table's statement trigger counted one change per chunk, not per row.
    assert.equal((await dataVersion()) - versionBefore, 5);
    assert.deepEqual(
      progress.map((p) => p.rowsDone),
      [500, 1_000, 1_500, 2_000, 2_400],
    );
    const last = progress.at(-1)!;
    assert.equal(last.bytesRead, last.bytesTotal);

    // The records are what the rows say, placed in the person's village on the day.
    const second = await test.database.db
      .selectFrom('service_record')
      .selectAll()
      .where('id', '=', report.rows[1]!.id!)
      .executeTakeFirstOrThrow();
    assert.equal(second.kind, 'contraceptive_supplies');
    assert.equal(second.person_id, women[1]!.id);
    assert.equal(second.quantity, 2);
    assert.equal(second.org_code, women[1]!.village);
    assert.equal(second.import_key, 'big-1');
    assert.equal(second.entered_by, 'tester');
    const third = await test.database.db
      .selectFrom('service_record')
      .select(['related_person_id', 'service_date'])
      .where('id', '=', report.rows[2]!.id!)
      .executeTakeFirstOrThrow();
    assert.equal(third.related_person_id, men[2]!.id);
    assert.equal(third.service_date, '2025-03-03');
  });

  /** Row i of the mixed file: every seventh row bad, in a way that rotates. */
  const mixedRow = (i: number): { row: ServiceRow; expected: string } => {
    const row = goodRow(i, `mixed-${i}`);
    if (i % 7 !== 3) return { row, expected: '' };
    switch (Math.floor(i / 7) % 7) {
      case 0:
        return { row: { ...row, consent: '否' }, expected: 'consent:consent_required' };
      case 1:
        return { row: { ...goodRow(0, row.import_key!), kind: 'measure' }, expected: 'kind:unknown_kind' };
      case 2:
        return { row: { ...row, service_date: '2025-13-01' }, expected: 'serviceDate:invalid_date' };
      case 3:
        return {
          row: { ...row, id_number: makeIdNumber('1988-08-08', 'female') },
          expected: 'idNumber:person_not_found',
        };
      case 4:
        return {
          row: { ...goodRow(1, row.import_key!), quantity: '' },
          expected: 'quantity:required',
        };
      case 5:
        return {
          row: { ...goodRow(0, row.import_key!), id_number: men[0]!.idNumber },
          expected: 'kind:women_only',
        };
      default:
        return {
          row: { ...goodRow(2, row.import_key!), related_id_number: makeIdNumber('1987-07-07', 'male') },
          expected: 'relatedIdNumber:person_not_found',
        };
    }
  };
  /** The mixed file, made once the registry is there. */
  let mixedFile: { mixed: ReturnType<typeof mixedRow>[]; csv: string; good: number } | undefined;
  const mixedRows = () => {
    if (!mixedFile) {
      const mixed = Array.from({ length: 1_200 }, (_, i) => mixedRow(i));
      mixedFile = {
        mixed,
        csv: csvOfServices(mixed.map((m) => m.row)),
        good: mixed.filter((m) => m.expected === '').length,
      };
    }
    return mixedFile;
  };

  it('rejects bad rows with their field and code in both languages and writes every good row', async () => {
    const { mixed, csv, good: goodMixed } = mixedRows();
    const report = await importServicesCsv(ctx, csv, 'mixed', { chunkSize: 250 });
    assert.deepEqual(
      outcomes(report),
      mixed.map((m, i) => [i + 2, m.expected ? 'rejected' : 'ok', m.expected]),
    );
    assert.deepEqual(
      [report.ok, report.unchanged, report.rejected],
      [goodMixed, 0, mixed.length - goodMixed],
    );
    assert.equal(await countOf('mixed'), goodMixed);
    const written = await keysOf('mixed');
    assert.deepEqual(
      mixed.map((_, i) => written.has(`mixed-${i}`)),
      mixed.map((m) => m.expected === ''),
    );
    const unknown = report.rows.find((r) => r.issues.some((i) => i.code === 'person_not_found'))!;
    const issue = unknown.issues[0] as FieldIssue;
    assert.match(issue.message['zh-CN'], /登记库中没有此人/);
    assert.match(issue.message.en, /not in the registry/);
  });

  it('writes nothing new when the same file is imported again: good rows unchanged, bad rows rejected as before', async () => {
    const { mixed, csv, good: goodMixed } = mixedRows();
    const versionBefore = await dataVersion();
    const report = await importServicesCsv(ctx, csv, 'mixed', { chunkSize: 250 });
    assert.deepEqual(
      outcomes(report),
      mixed.map((m, i) => [i + 2, m.expected ? 'rejected' : 'unchanged', m.expected]),
    );
    assert.deepEqual(
      [report.ok, report.unchanged, report.rejected],
      [0, goodMixed, mixed.length - goodMixed],
    );
    assert.ok(report.rows.every((r) => r.id === undefined));
    assert.equal(await countOf('mixed'), goodMixed);
    assert.equal(await dataVersion(), versionBefore, 'no registry change, so no figures go stale');
  });

  it('rejects a row whose person is unknown on that field, and imports it once the person is registered', async () => {
    const idNumber = makeIdNumber('1991-11-11', 'female');
    const spouse = makeIdNumber('1990-10-10', 'male');
    const csv = csvOfServices([
      goodRow(0, 'who-1'),
      { ...goodRow(0, 'who-2'), id_number: idNumber },
      { ...goodRow(2, 'who-3'), related_id_number: spouse },
    ]);
    const first = await importServicesCsv(ctx, csv, 'who');
    assert.deepEqual(outcomes(first), [
      [2, 'ok', ''],
      [3, 'rejected', 'idNumber:person_not_found'],
      [4, 'rejected', 'relatedIdNumber:person_not_found'],
    ]);

    const registered = await addAdult(ctx, { name: '林新来', sex: 'female', birthDate: '1991-11-11' });
    const again = csv.replace(idNumber, registered.id_number!);
    const second = await importServicesCsv(ctx, again, 'who');
    assert.deepEqual(outcomes(second), [
      [2, 'unchanged', ''],
      [3, 'ok', ''],
      [4, 'rejected', 'relatedIdNumber:person_not_found'],
    ]);
  });

  it('leaves the chunks before a failure written and nothing of the failed chunk; importing again completes the file', async () => {
    const rows = Array.from({ length: 1_000 }, (_, i) => goodRow(i, `crash-${i}`));
    const csv = csvOfServices(rows);
    const committed: number[] = [];
    await assert.rejects(
      importServicesCsv(ctx, csv, 'crash', {
        chunkSize: 200,
        onProgress: (p) => committed.push(p.rowsDone),
        beforeCommit: ({ chunkNo }) => {
          if (chunkNo === 3) throw new Error('the power went out');
        },
      }),
      /the power went out/,
    );
    assert.deepEqual(committed, [200, 400]);
    const written = await keysOf('crash');
    assert.equal(written.size, 400);
    assert.deepEqual(
      rows.map((_, i) => written.has(`crash-${i}`)),
      rows.map((_, i) => i < 400),
    );

    const resumed = await importServicesCsv(ctx, csv, 'crash', { chunkSize: 200 });
    assert.deepEqual(
      resumed.rows.map((r) => r.status),
      rows.map((_, i) => (i < 400 ? 'unchanged' : 'ok')),
    );
    assert.equal(await countOf('crash'), 1_000);
  });

  it('rejects the one row the database refuses for what the rules did not foresee, and writes the rest of its chunk', async () => {
    // A check added to the table after the rules were written (by a later migration, say).
    await sql`ALTER TABLE service_record ADD CONSTRAINT service_record_provider_not_closed CHECK (provider <> '已撤销的卫生院')`.execute(
      test.database.db,
    );
    try {
      const rows = [
        goodRow(0, 'db-1'),
        { ...goodRow(1, 'db-2'), quantity: '3000000000' },
        goodRow(2, 'db-3'),
        { ...goodRow(3, 'db-4'), provider: '已撤销的卫生院' },
        goodRow(4, 'db-1'),
        goodRow(5, 'db-6'),
        // A broken export: a NUL character, which PostgreSQL cannot store in text.
        { ...goodRow(6, 'db-7'), provider: '东华镇卫生院\u0000' },
        { ...goodRow(7, 'db-8'), id_number: `${men[0]!.idNumber}\u0000` },
        goodRow(0, 'db-1'),
      ];
      const report = await importServicesCsv(ctx, csvOfServices(rows), 'db', { chunkSize: 100 });
      assert.deepEqual(outcomes(report), [
        [2, 'ok', ''],
        // A count beyond any one record's (and what the column holds): the rule says so.
        [3, 'rejected', 'quantity:too_large'],
        [4, 'ok', ''],
        [5, 'rejected', 'provider:refused_by_database'],
        // The first row's import key on another service, a row at a time as well: not written.
        [6, 'rejected', 'importKey:import_key_reused'],
        [7, 'ok', ''],
        [8, 'rejected', 'provider:invalid_characters'],
        [9, 'rejected', 'idNumber:person_not_found'],
        // The first row again: its record, already there.
        [10, 'unchanged', ''],
      ]);
      const refused = report.rows[3]!.issues[0]!;
      assert.match(refused.message['zh-CN'], /^数据库拒收此行：.*service_record_provider_not_closed/);
      assert.match(
        refused.message.en,
        /^The database refused this row: .*service_record_provider_not_closed/,
      );
      assert.match(report.rows[1]!.issues[0]!.message.en, /too large/);
      assert.deepEqual([...(await keysOf('db'))].sort(), ['db-1', 'db-3', 'db-6']);
    } finally {
      await sql`ALTER TABLE service_record DROP CONSTRAINT service_record_provider_not_closed`.execute(
        test.database.db,
      );
    }
  });

  it('reads an .xlsx file from disk, and says so when Excel stored an ID number as a number', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'renkou-services-'));
    try {
      const workbook = new ExcelJS.Workbook();
      const sheet = workbook.addWorksheet('服务记录');
      sheet.addRow(['服务类型', '身份证号', '服务日期', '服务机构', '结果代码', '知情同意', '记录编号']);
      sheet.addRow([
        'cervical_screening',
        women[0]!.idNumber,
        '2025-04-01',
        '华亭市妇幼保健院',
        'normal',
        '是',
        'x-1',
      ]);
      sheet.addRow([
        'counselling',
        Number(men[0]!.idNumber.slice(0, 17)) * 10,
        '2025-04-02',
        '卫生院',
        'given',
        '是',
        'x-2',
      ]);
      const path = join(dir, 'services.xlsx');
      await workbook.xlsx.writeFile(path);
      const report = await importServicesFile(ctx, { path, source: 'xlsx' });
      assert.deepEqual(outcomes(report), [
        [2, 'ok', ''],
        [3, 'rejected', 'idNumber:id_number_not_text'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('recognises a row without a record number when it comes again, re-exported with other spacing and date forms', async () => {
    const woman = women[2]!;
    const spouse = men[1]!.idNumber;
    const rows: ServiceRow[] = [
      {
        kind: 'cervical_screening',
        id_number: woman.idNumber,
        service_date: '2025-04-01',
        provider: '华亭市妇幼保健院（东院）',
        outcome_code: 'normal',
        consent: '是',
      },
      {
        kind: 'premarital_check',
        id_number: woman.idNumber,
        related_id_number: spouse,
        service_date: '2025-04-02',
        provider: 'Huating MCH  Hospital',
        outcome_code: 'advice',
        consent: '1',
      },
      {
        kind: 'contraceptive_supplies',
        id_number: woman.idNumber,
        service_date: '2025-04-03',
        provider: '东华镇卫生院',
        outcome_code: 'dispensed',
        consent: '同意',
        quantity: '3',
      },
    ];
    const first = await importServicesCsv(ctx, csvOfServices(rows), 'content');
    assert.deepEqual(outcomes(first), [
      [2, 'ok', ''],
      [3, 'ok', ''],
      [4, 'ok', ''],
    ]);
    const stored = await test.database.db
      .selectFrom('service_record')
      .select(['id', 'import_key', 'service_date'])
      .where('source', '=', 'content')
      .orderBy('id')
      .execute();
    assert.equal(stored.length, 3);
    assert.ok(
      stored.every((r) => /^~[0-9a-f]{64}$/.test(r.import_key ?? '')),
      'a key derived from the content',
    );

    // The provider's system exported the same services again: other spacing, full-width brackets
    // and blanks, dates as 2025/4/1, 2025年4月2日 and 20250403, an ID number in lower case.
    const reexport: ServiceRow[] = [
      { ...rows[0]!, service_date: '2025/4/1', provider: ' 华亭市妇幼保健院(东院) ' },
      {
        ...rows[1]!,
        service_date: '2025年4月2日',
        provider: 'Huating\u3000MCH Hospital',
        related_id_number: ` ${spouse.toLowerCase()} `,
      },
      { ...rows[2]!, service_date: '20250403', consent: 'yes' },
    ];
    const second = await importServicesCsv(ctx, csvOfServices(reexport), 'content');
    assert.deepEqual(outcomes(second), [
      [2, 'unchanged', ''],
      [3, 'unchanged', ''],
      [4, 'unchanged', ''],
    ]);
    assert.match(second.rows[0]!.note!['zh-CN'], /已有相同的记录.*记录编号/);
    assert.match(second.rows[0]!.note!.en, /already there.*record numbers/);
    assert.equal(await countOf('content'), 3);

    // What the record says differs (another day, quantity, outcome, provider or person): another record.
    const different: ServiceRow[] = [
      { ...rows[0]!, service_date: '2025-04-05' },
      { ...rows[2]!, quantity: '4' },
      { ...rows[0]!, outcome_code: 'retest' },
      { ...rows[0]!, provider: '华亭市妇幼保健院（西院）' },
      { ...rows[0]!, id_number: women[4]!.idNumber },
      { ...rows[1]!, related_id_number: men[3]!.idNumber },
    ];
    const third = await importServicesCsv(ctx, csvOfServices(different), 'content');
    assert.deepEqual([third.ok, third.unchanged, third.rejected], [6, 0, 0]);
    assert.equal(await countOf('content'), 9);
  });

  it('gives the records imported before derived keys the same keys in migration 0023, the first of two identical ones only', async () => {
    const rows: ServiceRow[] = [
      {
        kind: 'premarital_check',
        id_number: women[6]!.idNumber,
        related_id_number: men[5]!.idNumber,
        service_date: '2025/6/1',
        provider: '\u3000华亭市妇幼保健院（东院）\u00a0 B\u2003C ',
        outcome_code: 'advice',
        consent: '是',
      },
      {
        kind: 'contraceptive_supplies',
        id_number: women[6]!.idNumber,
        service_date: '2025-06-02',
        provider: 'Ｈｕａｔｉｎｇ  ＭＣＨ',
        outcome_code: 'dispensed',
        consent: '是',
        quantity: '12',
      },
    ];
    const report = await importServicesCsv(ctx, csvOfServices(rows), 'legacy');
    assert.deepEqual([report.ok, report.rejected], [2, 0]);
    const keysNow = async () =>
      (
        await test.database.db
          .selectFrom('service_record')
          .select('import_key')
          .where('source', '=', 'legacy')
          .orderBy('id')
          .execute()
      ).map((r) => r.import_key);
    const derived = await keysNow();
    // As an import before derived keys left them: no key, and the first row's record twice.
    await test.database.db
      .updateTable('service_record')
      .set({ import_key: null })
      .where('source', '=', 'legacy')
      .execute();
    const first = await test.database.db
      .selectFrom('service_record')
      .selectAll()
      .where('id', '=', report.rows[0]!.id!)
      .executeTakeFirstOrThrow();
    const { id: _id, entered_at: _at, ...copy } = first;
    await test.database.db.insertInto('service_record').values(copy).execute();

    const migration = readFileSync(
      join(import.meta.dirname, '../src/db/migrations/0023_service_derived_keys.sql'),
      'utf8',
    );
    await sql.raw(migration.slice(migration.indexOf('WITH derived'))).execute(test.database.db);
    assert.deepEqual(await keysNow(), [...derived, null]);

    // The file again: its rows are the records the migration keyed, nothing written.
    const again = await importServicesCsv(ctx, csvOfServices(rows), 'legacy');
    assert.deepEqual(
      again.rows.map((r) => r.status),
      ['unchanged', 'unchanged'],
    );
    assert.equal(await countOf('legacy'), 3);
  });

  it('writes two identical services on one day once, unless their record numbers tell them apart', async () => {
    const row: ServiceRow = {
      kind: 'counselling',
      id_number: men[4]!.idNumber,
      service_date: '2025-05-05',
      provider: '东华镇卫生院',
      outcome_code: 'given',
      consent: '是',
    };
    const same = await importServicesCsv(ctx, csvOfServices([row, row]), 'twice');
    assert.deepEqual(outcomes(same), [
      [2, 'ok', ''],
      [3, 'unchanged', ''],
    ]);
    assert.ok(same.rows[1]!.note, 'the report says why the second row was not written');
    assert.equal(await countOf('twice'), 1);

    const numbered = await importServicesCsv(
      ctx,
      csvOfServices([
        { ...row, import_key: 'visit-1' },
        { ...row, import_key: 'visit-2' },
      ]),
      'twice',
    );
    assert.deepEqual(outcomes(numbered), [
      [2, 'ok', ''],
      [3, 'ok', ''],
    ]);
    assert.equal(numbered.rows[0]!.note, undefined);
    assert.equal(await countOf('twice'), 3);
  });
});

describe(`service-record import: a record number used for two services (${storageName})`, () => {
  let test: TestDatabase;
  let ctx: ReturnType<typeof contextFor> & { countyCode: string };
  const women: string[] = [];
  const men: string[] = [];

  before(async () => {
    test = await createTestDatabase();
    await loadHuating(test.database.db);
    ctx = { ...contextFor(test.database.db), countyCode: '620881' };
    for (const [i, name] of ['林一', '林二', '林三'].entries())
      women.push(
        (await addAdult(ctx, { name, sex: 'female', birthDate: `198${i}-03-0${i + 1}` })).id_number!,
      );
    for (const [i, name] of ['陈一', '陈二'].entries())
      men.push((await addAdult(ctx, { name, sex: 'male', birthDate: `197${i}-04-0${i + 1}` })).id_number!);
  });
  after(() => test.cleanup());

  const screening = (key: string): ServiceRow => ({
    kind: 'cervical_screening',
    id_number: women[0],
    service_date: '2025-01-10',
    provider: '东华镇卫生院',
    outcome_code: 'normal',
    consent: '是',
    import_key: key,
  });
  const supplies = (key: string): ServiceRow => ({
    kind: 'contraceptive_supplies',
    id_number: women[1],
    service_date: '2025-02-10',
    provider: '东华镇卫生院',
    outcome_code: 'dispensed',
    consent: '是',
    quantity: '2',
    import_key: key,
  });
  const couple = (key: string): ServiceRow => ({
    kind: 'premarital_check',
    id_number: women[2],
    related_id_number: men[0],
    service_date: '2025-03-10',
    provider: '华亭市妇幼保健院',
    outcome_code: 'normal',
    consent: '是',
    import_key: key,
  });
  /** A row without a record number: its key is derived from its content. */
  const counselling = (): ServiceRow => ({
    kind: 'counselling',
    id_number: men[1],
    service_date: '2025-04-10',
    provider: '东华镇卫生院',
    outcome_code: 'given',
    consent: '是',
  });
  /** Two rows a chunk: the reuses within a chunk and across chunks. */
  const file = () =>
    csvOfServices([
      screening('r-1'), // 2
      { ...screening('r-1'), id_number: women[1], service_date: '2025-01-11' }, // 3: same chunk
      supplies('r-2'), // 4
      screening('r-1'), // 5: the row 2 record again, in the next chunk
      { ...supplies('r-2'), quantity: '3' }, // 6
      { ...screening('r-1'), outcome_code: 'retest', provider: '华亭市妇幼保健院' }, // 7
      couple('r-3'), // 8
      { ...couple('r-3'), related_id_number: men[1] }, // 9
      { ...supplies('r-2'), provider: '\u3000东华镇卫生院 ' }, // 10: only the spacing differs
      { ...supplies('r-4'), kind: 'counselling', quantity: '', outcome_code: 'given' }, // 11: another kind
      counselling(), // 12
      { ...counselling(), service_date: '2025/4/10' }, // 13
    ]);
  const expected = (first: boolean): [number, string, string][] => [
    [2, first ? 'ok' : 'unchanged', ''],
    [3, 'rejected', 'importKey:import_key_reused'],
    [4, first ? 'ok' : 'unchanged', ''],
    [5, 'unchanged', ''],
    [6, 'rejected', 'importKey:import_key_changed'],
    [7, 'rejected', 'importKey:import_key_changed'],
    [8, first ? 'ok' : 'unchanged', ''],
    [9, 'rejected', 'importKey:import_key_changed'],
    [10, 'unchanged', ''],
    [11, first ? 'ok' : 'unchanged', ''],
    [12, first ? 'ok' : 'unchanged', ''],
    [13, 'unchanged', ''],
  ];
  const stored = async () =>
    (
      await test.database.db
        .selectFrom('service_record')
        .select(['import_key', 'kind', 'service_date'])
        .where('source', '=', 'reuse')
        .orderBy('id')
        .execute()
    ).map((r) => `${r.import_key?.startsWith('~') ? '~' : r.import_key} ${r.kind} ${r.service_date}`);

  it('rejects a row whose record number an earlier row of the file used for another service, on the record number, in the same chunk and in a later one', async () => {
    const report = await importServicesCsv(ctx, file(), 'reuse', { chunkSize: 2 });
    assert.deepEqual(outcomes(report), expected(true));
    assert.deepEqual([report.ok, report.unchanged, report.rejected], [5, 3, 4]);
    assert.deepEqual(await stored(), [
      'r-1 cervical_screening 2025-01-10',
      'r-2 contraceptive_supplies 2025-02-10',
      'r-3 premarital_check 2025-03-10',
      'r-4 counselling 2025-02-10',
      '~ counselling 2025-04-10',
    ]);

    // Another service: the date of the record the number is used for, nothing of whose it is.
    const reused = report.rows[1]!.issues[0]!;
    assert.equal(
      reused.message['zh-CN'],
      '此记录编号在来源“reuse”中已用于另一条服务记录（服务日期 2025-01-10），本行未写入。若是另一机构（或另一年度）的编号与之重复，请以该机构自己的来源名称导入它的文件（导入时的“来源”，命令行 --source）；否则请核对此行的记录编号',
    );
    assert.equal(
      reused.message.en,
      "This record number is already used for another service record (service date 2025-01-10) from source \"reuse\", so this row was not written. If another provider's (or another year's) numbering repeats it, import that provider's files under a source name of their own (the import's source, --source on the command line); otherwise check this row's record number",
    );
    assert.deepEqual(report.columns.find((c) => c.field === reused.field)?.label, {
      'zh-CN': '记录编号',
      en: 'import_key',
    });
    // The same service with other details: the fields that differ, by the file's column names.
    const changed = (rowNo: number) => report.rows.find((r) => r.rowNo === rowNo)!.issues[0]!.message;
    assert.match(
      changed(6)['zh-CN'],
      /^此记录编号已导入过此人的这次服务（服务日期 2025-02-10），但本行的“数量”与已有记录不同/,
    );
    assert.match(
      changed(6).en,
      /^This record number was imported before for this person's service on 2025-02-10, but this row's quantity differs from the stored record/,
    );
    assert.match(changed(7)['zh-CN'], /本行的“服务机构”、“结果代码”与已有记录不同/);
    assert.match(changed(7).en, /this row's provider, outcome_code differ/);
    assert.match(changed(9)['zh-CN'], /本行的“关联人身份证号”与已有记录不同/);
  });

  it('reports the file imported again as before: its records unchanged, the reused numbers rejected again, nothing written', async () => {
    const report = await importServicesCsv(ctx, file(), 'reuse', { chunkSize: 5 });
    assert.deepEqual(outcomes(report), expected(false));
    assert.equal((await stored()).length, 5);
    // Only a row without a record number says why it counts as there already.
    assert.ok(report.rows.find((r) => r.rowNo === 12)!.note);
    assert.equal(report.rows.find((r) => r.rowNo === 2)!.note, undefined);
  });

  it('writes a row whose number was taken once it is imported under a source of its own', async () => {
    const csv = csvOfServices([{ ...screening('r-1'), id_number: women[1], service_date: '2025-01-11' }]);
    const report = await importServicesCsv(ctx, csv, 'reuse-other');
    assert.deepEqual(outcomes(report), [[2, 'ok', '']]);
  });
});

describe(`POST /api/services/import: a provider's file uploaded (${storageName})`, () => {
  let test: TestDatabase;
  let client: Awaited<ReturnType<typeof signedInApp>>;
  const people: { idNumber: string; name: string }[] = [];
  let man: string;
  const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

  const countOf = (source: string) => recordsFrom(test, source);
  const upload = (payload: string | Buffer, query: string, contentType = 'text/csv') =>
    client.inject({
      method: 'POST',
      url: `/api/services/import?${query}`,
      headers: { 'content-type': contentType },
      payload,
    });

  /** Rows without a record number (import_key), the third one without consent. */
  const rows = (): ServiceRow[] => [
    {
      kind: 'cervical_screening',
      id_number: people[0]!.idNumber,
      service_date: '2025-03-01',
      provider: '华亭市妇幼保健院',
      outcome_code: 'normal',
      consent: '是',
    },
    {
      kind: 'contraceptive_supplies',
      id_number: people[1]!.idNumber,
      service_date: '2025-03-02',
      provider: '东华镇卫生院',
      outcome_code: 'dispensed',
      consent: '同意',
      quantity: '2',
    },
    {
      kind: 'counselling',
      id_number: man,
      service_date: '2025-03-03',
      provider: '东华镇卫生院',
      outcome_code: 'given',
      consent: '否',
    },
    {
      kind: 'breast_screening',
      id_number: people[2]!.idNumber,
      service_date: '2025-03-04',
      provider: '华亭市妇幼保健院',
      outcome_code: 'retest',
      consent: '是',
    },
  ];

  before(async () => {
    test = await createTestDatabase();
    await loadHuating(test.database.db);
    const ctx = contextFor(test.database.db);
    for (let i = 0; i < 3; i++) {
      const p = await addAdult(ctx, {
        name: `林${NAMES[i]}`,
        sex: 'female',
        birthDate: `198${i}-02-0${i + 1}`,
        orgCode: VILLAGE,
      });
      people.push({ idNumber: p.id_number!, name: p.name });
    }
    man = (await addAdult(ctx, { name: '陈甲', sex: 'male', birthDate: '1980-05-05', orgCode: VILLAGE }))
      .id_number!;
    client = await signedInApp(test.database);
  });
  after(async () => {
    await client?.close();
    await test?.cleanup();
  });

  it('imports an uploaded CSV with a report per row and writes its valid rows; the same upload again writes nothing new', async () => {
    const csv = csvOfServices(rows());
    const response = await upload(csv, 'county=620881&source=http-csv');
    assert.equal(response.statusCode, 200, response.body);
    const report = response.json() as ServiceImportReport;
    assert.deepEqual([report.ok, report.unchanged, report.rejected], [3, 0, 1]);
    assert.deepEqual(outcomes(report), [
      [2, 'ok', ''],
      [3, 'ok', ''],
      [4, 'rejected', 'consent:consent_required'],
      [5, 'ok', ''],
    ]);
    const refused = report.rows[2]!.issues[0]!;
    assert.match(refused.message['zh-CN'], /没有本人知情同意/);
    assert.match(refused.message.en, /without the person’s informed consent/);
    assert.equal(await countOf('http-csv'), 3);
    const written = await test.database.db
      .selectFrom('service_record')
      .select(['id', 'kind', 'quantity', 'entered_by'])
      .where('id', '=', report.rows[1]!.id!)
      .executeTakeFirstOrThrow();
    assert.deepEqual([written.kind, written.quantity], ['contraceptive_supplies', 2]);

    const again = await upload(csv, 'county=620881&source=http-csv');
    assert.equal(again.statusCode, 200, again.body);
    const second = again.json() as ServiceImportReport;
    assert.deepEqual([second.ok, second.unchanged, second.rejected], [0, 3, 1]);
    assert.deepEqual(outcomes(second), [
      [2, 'unchanged', ''],
      [3, 'unchanged', ''],
      [4, 'rejected', 'consent:consent_required'],
      [5, 'unchanged', ''],
    ]);
    assert.match(second.rows[0]!.note!.en, /already there/);
    assert.equal(await countOf('http-csv'), 3);
  });

  it('names each problem’s column as the template does (a row without an ID number is the 身份证号 column’s), and the service list names the person served', async () => {
    const response = await upload(
      csvOfServices([
        {
          kind: 'counselling',
          id_number: people[0]!.idNumber,
          service_date: '2025-05-06',
          provider: '东华镇卫生院',
          outcome_code: 'given',
          consent: '是',
        },
        {
          kind: 'counselling',
          service_date: '2025-05-06',
          provider: '东华镇卫生院',
          outcome_code: 'given',
          consent: '是',
        },
      ]),
      'county=620881&source=http-columns',
    );
    assert.equal(response.statusCode, 200, response.body);
    const report = response.json() as ServiceImportReport;
    assert.deepEqual(outcomes(report), [
      [2, 'ok', ''],
      [3, 'rejected', 'idNumber:required'],
    ]);
    const column = (field: string) => report.columns.find((c) => c.field === field)?.label;
    assert.deepEqual(column('idNumber'), { 'zh-CN': '身份证号', en: 'id_number' });
    // Every field an issue can name is a column of the file, with both headers.
    assert.deepEqual(
      report.columns.map((c) => c.label.en),
      SERVICE_CSV_HEADER,
    );
    assert.deepEqual(
      report.columns.map((c) => c.label['zh-CN']),
      [
        '服务类型',
        '身份证号',
        '关联人身份证号',
        '服务日期',
        '服务机构',
        '结果代码',
        '知情同意',
        '数量',
        '记录编号',
      ],
    );

    const list = await client.inject({ url: '/api/services?unit=620881&from=2025-05-06&to=2025-05-06' });
    assert.equal(list.statusCode, 200, list.body);
    const items = (list.json() as { items: ServiceRecordRow[] }).items;
    assert.deepEqual(
      items.map((r) => [r.id, r.person_name]),
      [[report.rows[0]!.id, people[0]!.name]],
    );
  });

  it('imports an uploaded XLSX with real date cells the same way, and recognises its rows when they come again as CSV', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('服务记录');
    sheet.addRow(['服务类型', '身份证号', '服务日期', '服务机构', '结果代码', '知情同意', '数量']);
    for (const row of rows())
      sheet.addRow([
        row.kind,
        row.id_number,
        // A date cell, as Excel keeps a typed date.
        new Date(`${row.service_date}T00:00:00Z`),
        row.provider,
        row.outcome_code,
        row.consent,
        row.quantity ? Number(row.quantity) : null,
      ]);
    // A bad row's field is reported: a service date after today.
    sheet.addRow(['counselling', man, '2099-01-01', '东华镇卫生院', 'given', '是', null]);
    const file = Buffer.from(await workbook.xlsx.writeBuffer());

    const response = await upload(file, 'county=620881&source=http-xlsx', XLSX_TYPE);
    assert.equal(response.statusCode, 200, response.body);
    const report = response.json() as ServiceImportReport;
    assert.deepEqual(outcomes(report), [
      [2, 'ok', ''],
      [3, 'ok', ''],
      [4, 'rejected', 'consent:consent_required'],
      [5, 'ok', ''],
      [6, 'rejected', 'serviceDate:future_date'],
    ]);
    assert.equal(await countOf('http-xlsx'), 3);

    const again = await upload(file, 'county=620881&source=http-xlsx', 'application/octet-stream');
    assert.equal(again.statusCode, 200, again.body);
    assert.deepEqual((again.json() as ServiceImportReport).unchanged, 3);
    // The same services exported as CSV, dates written 2025/3/1: nothing new either.
    const asCsv = csvOfServices(
      rows().map((r) => ({ ...r, service_date: r.service_date!.replaceAll('-0', '/').replace('-', '/') })),
    );
    const csvAgain = await upload(asCsv, 'county=620881&source=http-xlsx');
    assert.deepEqual(
      outcomes(csvAgain.json() as ServiceImportReport).map(([, status]) => status),
      ['unchanged', 'unchanged', 'rejected', 'unchanged'],
    );
    assert.equal(await countOf('http-xlsx'), 3);
  });

  it('refuses a request without a file, an empty or unreadable file, or a form, with a field-level error in zh-CN and en, and writes nothing', async () => {
    const before = await countOf('http-bad');
    const refused = async (
      response: { statusCode: number; json(): unknown; body: string },
      field: string,
      zh: RegExp,
      en: RegExp,
    ) => {
      assert.equal(response.statusCode, 400, response.body);
      const error = (
        response.json() as { error: { code: string; field: string; messages: Record<string, string> } }
      ).error;
      assert.equal(error.code, 'invalid_input');
      assert.equal(error.field, field);
      assert.match(error.messages['zh-CN']!, zh);
      assert.match(error.messages.en!, en);
    };
    const query = 'county=620881&source=http-bad';
    // No body at all.
    await refused(
      await client.inject({ method: 'POST', url: `/api/services/import?${query}` }),
      'body',
      /请求中没有文件/,
      /has no file/,
    );
    // The old form: the CSV as a string in a JSON body.
    await refused(
      await client.inject({
        method: 'POST',
        url: `/api/services/import?${query}`,
        payload: { csv: csvOfServices(rows()) },
      }),
      'body',
      /请求中没有文件/,
      /has no file/,
    );
    // A browser form upload.
    const boundary = 'renkouboundary';
    await refused(
      await upload(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="s.csv"\r\nContent-Type: text/csv\r\n\r\n${csvOfServices(rows())}\r\n--${boundary}--\r\n`,
        query,
        `multipart/form-data; boundary=${boundary}`,
      ),
      'body',
      /不是表单/,
      /not as a form/,
    );
    await refused(await upload('', query), 'file', /文件是空的/, /file is empty/);
    // A spreadsheet cut short (a broken download).
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('x').addRow(['服务类型', '身份证号']);
    const xlsx = Buffer.from(await workbook.xlsx.writeBuffer());
    await refused(
      await upload(xlsx.subarray(0, Math.floor(xlsx.length / 2)), query, XLSX_TYPE),
      'file',
      /XLSX 文件已损坏/,
      /damaged or incomplete/,
    );
    // Not a service export: a header that names none of the columns.
    const other = await upload('姓名,电话\r\n张三,13800000000\r\n', query);
    await refused(other, 'header', /缺少 6 个必需的列/, /lacks 6 required column/);
    const issues = (other.json() as { error: { issues: { code: string; field: string }[] } }).error.issues;
    assert.deepEqual(
      issues.map((i) => `${i.field}:${i.code}`),
      ['kind', 'idNumber', 'serviceDate', 'provider', 'outcomeCode', 'consent'].map(
        (f) => `${f}:missing_column`,
      ),
    );
    assert.equal(await countOf('http-bad'), before);
  });
});

describe(`renkou services import (${storageName})`, () => {
  let storage: ScratchStorage;
  let dir: string;
  before(async () => {
    storage = await createScratchStorage();
    dir = mkdtempSync(join(tmpdir(), 'renkou-services-cli-'));
  });
  after(async () => {
    await storage.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows progress while it imports, in zh-CN by default and in English with --lang en; refuses a file that is not a service export', async () => {
    const renkou = async (...args: string[]) => {
      const result = await runRenkou(args, storage.env);
      assert.equal(result.code, 0, `renkou ${args.join(' ')}\n${result.stderr}`);
      return result;
    };
    await renkou('init', '--county', '620881');
    const mothers = [
      person({ householdNo: 'S-1', name: '赵丽', sex: '女', birthDate: '1990-03-03' }),
      person({ householdNo: 'S-2', name: '钱芳', sex: '女', birthDate: '1988-04-04' }),
    ];
    const persons = join(dir, 'persons.csv');
    writeFileSync(persons, csvOf(mothers));
    await renkou('import', 'persons', persons);

    const rows: ServiceRow[] = Array.from({ length: 300 }, (_, i) => ({
      kind: 'cervical_screening',
      id_number: mothers[i % 2]!.idNumber!,
      service_date: `2025-0${1 + (i % 9)}-1${i % 10}`,
      provider: '华亭市妇幼保健院',
      outcome_code: 'normal',
      consent: '是',
      import_key: `cli-${i}`,
    }));
    rows.push({ ...rows[0]!, consent: '否', import_key: 'cli-no' });
    const file = join(dir, 'services.csv');
    writeFileSync(file, csvOfServices(rows));

    const first = await renkou('services', 'import', '--file', file, '--chunk-size', '100');
    assert.match(first.stdout, /成功 300，已有 0，拒收 1/);
    assert.match(first.stdout, /第302 行: consent: 没有本人知情同意/);
    assert.match(first.stderr, /导入服务记录（KB） 100%/);

    const again = await renkou('services', 'import', '--file', file, '--lang', 'en');
    assert.match(again.stdout, /OK 0, unchanged 300, rejected 1/);
    assert.match(again.stdout, /row 302: consent: The service cannot be recorded without/);
    assert.match(again.stderr, /Import services \(KB\) 100%/);

    // Not a service export: refused as a whole, at the header, nothing imported.
    const other = join(dir, 'other.csv');
    writeFileSync(other, '姓名,电话\r\n张三,13800000000\r\n');
    const refused = await runRenkou(['services', 'import', '--file', other], storage.env);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /缺少 6 个必需的列/);
  });
});
