import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import type { AppError } from '../src/domain/errors.ts';
import { ingestFeedFile } from '../src/feeds/ingest-feed.ts';
import { initCounty } from '../src/org/init-county.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { signedInApp, type TestClient } from './helpers/http.ts';

const BIRTH_HEADER =
  '出生医学证明编号,新生儿姓名,性别,出生日期,出生体重克,出生医院,母亲姓名,母亲身份证件号码,父亲姓名,父亲身份证件号码,家庭住址,签发日期';
const births = [
  BIRTH_HEADER,
  'Q1,王小明,男,2024-03-05,3300,华亭市人民医院,李丽,620881199001010023,,,东华镇北河村,2024-03-10',
  'Q2,,女,2024年4月6日,3100,东华镇卫生院,张芳,620881199202020047,,,东华镇东华社区3组,2024-04-09',
  'Q3,赵一,男,,3000,华亭市人民医院,赵母,620881199303030021,,,东华镇北河村,2024-05-01',
  'Q4,钱二,女,2024-02-30,3000,华亭市人民医院,钱母,620881199404040027,,,火星基地,2024-05-01',
].join('\n');

describe(`feed ingestion (${storageName})`, () => {
  let test: TestDatabase;
  let app: TestClient;
  let dir: string;
  const file = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  before(async () => {
    test = await createTestDatabase();
    await initCounty(test.database.db, '620881');
    app = await signedInApp(test.database);
    dir = mkdtempSync(join(tmpdir(), 'renkou-feeds-'));
  });
  after(async () => {
    await app.close();
    await test.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every raw row, places addresses on villages by name, and reports unreadable rows one by one', async () => {
    const report = await ingestFeedFile(test.database, {
      source: 'birth_certificate',
      path: file('births.csv', births),
      actor: 'clerk',
    });
    assert.equal(report.rows, 4);
    assert.deepEqual(report.placed, { village: 3, township: 0, none: 1 });
    assert.deepEqual(
      report.rowIssues.map((r) => [r.rowNo, r.issues.map((i) => i.code)]),
      [
        [4, ['feed_date_missing']],
        [5, ['feed_date_invalid', 'feed_place_unknown']],
      ],
    );
    assert.match(report.rowIssues[1]!.issues[0]!.message.en, /2024-02-30/);
    const rows = (
      await sql<{
        row_no: number;
        event_kind: string;
        event_date: string | null;
        org_code: string | null;
        raw: Record<string, string>;
      }>`
        SELECT row_no, event_kind, event_date::text AS event_date, org_code, raw FROM feed_record
         WHERE batch_id = ${report.batchId} ORDER BY row_no`.execute(test.database.db)
    ).rows;
    assert.deepEqual(
      rows.map((r) => [r.row_no, r.event_kind, r.event_date, r.org_code]),
      [
        [2, 'birth', '2024-03-05', '620881100202'],
        [3, 'birth', '2024-04-06', '620881100001'],
        [4, 'birth', null, '620881100202'],
        [5, 'birth', null, null],
      ],
    );
    assert.equal(rows[3]!.raw.家庭住址, '火星基地', 'the unreadable row is kept as sent');
  });

  it('refuses the same file twice, saying when it came', async () => {
    await assert.rejects(
      ingestFeedFile(test.database, {
        source: 'birth_certificate',
        path: file('again.csv', births),
        actor: 'clerk',
      }),
      (error: AppError) => {
        assert.equal(error.code, 'duplicate');
        assert.match(error.text.en, /was received on .* as batch \d+/);
        return true;
      },
    );
  });

  it('takes a mapping per batch, and a mapping naming a column the file lacks is a field error', async () => {
    const renamed = births.replace('母亲身份证件号码', '母亲证件号').replace('家庭住址', '住址');
    await assert.rejects(
      ingestFeedFile(test.database, {
        source: 'birth_certificate',
        path: file('renamed.csv', renamed),
        mapping: { address: '现住址' },
        actor: 'clerk',
      }),
      (error: AppError) => {
        assert.equal(error.code, 'invalid_input');
        assert.deepEqual(error.issues.map((i) => i.field).sort(), [
          'mapping.address',
          'mapping.mother_id_number',
        ]);
        assert.match(
          error.issues.find((i) => i.field === 'mapping.address')!.message.en,
          /no column "现住址"/,
        );
        return true;
      },
    );
    const report = await ingestFeedFile(test.database, {
      source: 'birth_certificate',
      path: file('renamed2.csv', renamed),
      mapping: { address: '住址', mother_id_number: '母亲证件号' },
      actor: 'clerk',
    });
    assert.equal(report.mapping.address, '住址');
    assert.equal(report.placed.village, 3);
  });

  it('reads XLSX and JSON files the same way', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('死亡');
    sheet.addRow([
      '死亡证明编号',
      '死者姓名',
      '性别',
      '身份证件号码',
      '出生日期',
      '死亡日期',
      '常住地址',
      '填报单位',
    ]);
    sheet.addRow([
      'SW1',
      '孙老',
      '男',
      '620881194001010015',
      '1940-01-01',
      new Date(Date.UTC(2024, 5, 7)),
      '东华镇北河村',
      '东华镇卫生院',
    ]);
    sheet.addRow(['SW2', '周老', '女', '', '1941-02-02', '2024-06-08', '', '华亭市公安局东华镇派出所']);
    const xlsx = Buffer.from(await workbook.xlsx.writeBuffer());
    const fromXlsx = await ingestFeedFile(test.database, {
      source: 'death_certificate',
      path: file('deaths.xlsx', xlsx),
      actor: 'clerk',
    });
    assert.equal(fromXlsx.format, 'xlsx');
    const deaths = (
      await sql<{ event_date: string; org_code: string }>`
        SELECT event_date::text AS event_date, org_code FROM feed_record WHERE batch_id = ${fromXlsx.batchId} ORDER BY row_no`.execute(
        test.database.db,
      )
    ).rows;
    assert.deepEqual(deaths, [
      { event_date: '2024-06-07', org_code: '620881100202' },
      { event_date: '2024-06-08', org_code: '620881100' },
    ]);

    const json = JSON.stringify([
      { 登记证字号: 'J1', 业务类型: '结婚登记', 登记日期: '2024-01-02', 男方姓名: '吴一', 女方姓名: '郑二' },
      { 登记证字号: 'L1', 业务类型: '离婚登记', 登记日期: '2024-03-04', 男方姓名: '冯三', 女方姓名: '陈四' },
      { 登记证字号: 'X1', 业务类型: '补领', 登记日期: '2024-03-04', 男方姓名: '褚五', 女方姓名: '卫六' },
    ]);
    const fromJson = await ingestFeedFile(test.database, {
      source: 'marriage_registration',
      path: file('marriages.json', json),
      actor: 'clerk',
    });
    assert.equal(fromJson.format, 'json');
    assert.equal(fromJson.rows, 3);
    assert.deepEqual(fromJson.issueCounts, { feed_business_unknown: 1 });
    const kinds = (
      await sql<{ event_kind: string | null }>`
        SELECT event_kind FROM feed_record WHERE batch_id = ${fromJson.batchId} ORDER BY row_no`.execute(
        test.database.db,
      )
    ).rows.map((r) => r.event_kind);
    assert.deepEqual(kinds, ['marriage', 'divorce', null]);
  });

  it('takes uploads over HTTP, links them, and puts unregistered births on the village’s list and unmatched marriages on the county’s', async () => {
    const csv = [
      BIRTH_HEADER,
      'H1,,男,2025-01-05,3300,华亭市人民医院,何母,620881199501010028,,,东华镇北河村,2025-01-10',
    ].join('\n');
    const upload = () =>
      app.inject({
        method: 'POST',
        url: '/api/feeds/batches?source=birth_certificate&filename=h.csv',
        headers: { 'content-type': 'text/csv' },
        payload: csv,
      });
    const first = await upload();
    assert.equal(first.statusCode, 201, first.body);
    const batchId = first.json().batchId as number;
    const second = await upload();
    assert.equal(second.statusCode, 409);
    assert.equal(second.json().error.code, 'duplicate');

    const badMapping = await app.inject({
      method: 'POST',
      url: `/api/feeds/batches?source=birth_certificate&filename=x.csv&mapping=${encodeURIComponent('{"sex":"性别2"}')}`,
      headers: { 'content-type': 'text/csv' },
      payload: `${csv}\n`,
    });
    assert.equal(badMapping.statusCode, 400);
    assert.equal(badMapping.json().error.issues[0].field, 'mapping.sex');

    const json = await app.inject({
      method: 'POST',
      url: '/api/feeds/batches?source=marriage_registration&filename=m.json',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify([
        { 登记证字号: 'J9', 业务类型: '结婚登记', 登记日期: '2024-01-02', 男方姓名: '甲', 女方姓名: '乙' },
      ]),
    });
    assert.equal(json.statusCode, 201, json.body);

    const link = await app.inject({ method: 'POST', url: `/api/feeds/batches/${batchId}/link` });
    assert.equal(link.statusCode, 200, link.body);
    assert.deepEqual(link.json().status, { linked: 0, review: 0, unmatched: 1 });
    assert.equal(link.json().tasks.created, 1);

    const tasks = await app.inject({ url: '/api/tasks?unit=620881100202&kind=unregistered_birth' });
    assert.equal(tasks.statusCode, 200);
    const task = tasks.json().items.find((t: { sourceRef: string }) => t.sourceRef === `feed:${batchId}:2`);
    assert.ok(task, 'the task is on 北河村’s list');
    assert.equal(task.details.fields.mother_id_number, '620881199501010028');
    const elsewhere = await app.inject({ url: '/api/tasks?unit=620881100001&kind=unregistered_birth' });
    assert.equal(elsewhere.json().items.length, 0, 'and not on another village’s');

    const close = await app.inject({
      method: 'POST',
      url: `/api/tasks/${task.id}`,
      payload: { status: 'done', note: '已补登' },
    });
    assert.equal(close.statusCode, 200, close.body);
    assert.equal(close.json().resolutionNote, '已补登');
    const again = await app.inject({
      method: 'POST',
      url: `/api/tasks/${task.id}`,
      payload: { status: 'dismissed' },
    });
    assert.equal(again.statusCode, 409);

    const relink = await app.inject({ method: 'POST', url: `/api/feeds/batches/${batchId}/link` });
    assert.equal(relink.json().tasks.created, 0, 're-running never makes the task again');
    const done = await app.inject({ url: '/api/tasks?unit=620881100202&status=done' });
    assert.equal(done.json().items[0].status, 'done', 'nor reopens what a person closed');

    // A marriage nobody in the registry matches has no village: it goes on the county's list.
    const marriageLink = await app.inject({
      method: 'POST',
      url: `/api/feeds/batches/${json.json().batchId}/link`,
    });
    assert.equal(marriageLink.statusCode, 200, marriageLink.body);
    assert.deepEqual(marriageLink.json().status, { linked: 0, review: 0, unmatched: 1 });
    const events = await app.inject({ url: '/api/tasks?unit=620881&kind=unregistered_event' });
    // (A JSON file's rows count from 1: it has no header line.)
    const marriage = events
      .json()
      .items.find((t: { sourceRef: string }) => t.sourceRef === `feed:${json.json().batchId}:1`);
    assert.ok(marriage, 'the unmatched marriage is a task');
    assert.equal(marriage.orgCode, '620881');
    assert.deepEqual(
      [marriage.details.eventKind, marriage.details.eventDate, marriage.details.reason],
      ['marriage', '2024-01-02', 'no_match'],
    );
    assert.equal(marriage.details.fields.husband_name, '甲');

    const review = await app.inject({ url: '/api/feeds/review?unit=620881100&status=all' });
    assert.equal(review.statusCode, 200);
    assert.equal(review.json().total, 0);
  });
});
