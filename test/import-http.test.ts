import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { composeResidentId } from '../src/domain/resident-id.ts';
import { initCounty } from '../src/org/init-county.ts';
import { PERSON_COLUMNS } from '../src/registry/import/person-columns.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { signedInApp, type TestClient } from './helpers/http.ts';
import { VILLAGE } from './helpers/registry.ts';

const header = PERSON_COLUMNS.map((c) => c.zh).join(',');
const line = (cells: Record<string, string>) => PERSON_COLUMNS.map((c) => cells[c.zh] ?? '').join(',');

function row(name: string, birthDate: string, sequence: number, extra: Record<string, string> = {}) {
  return line({
    户号: 'HTTP-1',
    '村（居）代码': VILLAGE,
    姓名: name,
    性别: sequence % 2 ? '男' : '女',
    出生日期: birthDate,
    公民身份号码: composeResidentId('620881', birthDate, sequence),
    人口类型: '户籍',
    居住起始日期: birthDate,
    ...extra,
  });
}

describe(`import HTTP API (${storageName})`, () => {
  let test: TestDatabase;
  let app: TestClient;
  const csv = `\uFEFF${header}\r\n${row('韩梅梅', '1990-02-02', 701, { 与户主关系: '户主' })}\r\n${row('李雷', '1989-03-03', 702)}\r\n${row('李小雷', '2015-04-04', 703, { 婚姻状况: '已婚' })}\r\n`;

  before(async () => {
    test = await createTestDatabase();
    await initCounty(test.database.db, '620881');
    app = await signedInApp(test.database);
  });
  after(async () => {
    await app.close();
    await test.cleanup();
  });

  const upload = (body: string | Buffer, filename: string, type = 'text/csv') =>
    app.inject({
      method: 'POST',
      url: `/api/imports?filename=${encodeURIComponent(filename)}`,
      headers: { 'content-type': type },
      payload: body,
    });

  it('imports an uploaded CSV, reports it, and creates nothing when it is uploaded again', async () => {
    const response = await upload(csv, '二月.csv');
    assert.equal(response.statusCode, 201, response.body);
    const report = response.json();
    assert.deepEqual(report.rows, { total: 3, ok: 2, unchanged: 0, quarantined: 1, blank: 0 });
    assert.equal(report.fileName, '二月.csv');
    assert.equal(report.createdBy, `user:${app.username}`);

    const again = await upload(csv, '二月-副本.csv');
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().alreadyImported, true);
    assert.equal(again.json().batchId, report.batchId);

    const read = await app.inject({ url: `/api/imports/${report.batchId}` });
    assert.equal(read.statusCode, 200);
    assert.deepEqual(read.json().rows, report.rows);
    const list = await app.inject({ url: '/api/imports' });
    assert.ok(list.json().items.some((b: { batchId: number }) => b.batchId === report.batchId));
    const missing = await app.inject({ url: '/api/imports/999999', headers: { 'accept-language': 'en' } });
    assert.equal(missing.statusCode, 404);
    assert.match(missing.json().error.message, /No import batch 999999/);
  });

  it('lists the quarantine, resubmits a corrected row, and discards one with a reason', async () => {
    const batch = (
      await upload(`${csv}${row('王五', '1970-01-01', 705, { 性别: '女' })}\r\n`, 'b.csv')
    ).json();
    const quarantine = await app.inject({ url: `/api/imports/${batch.batchId}/quarantine` });
    assert.equal(quarantine.statusCode, 200);
    const items = quarantine.json().items as { rowNo: number; issues: { code: string; field: string }[] }[];
    assert.deepEqual(
      items.map((i) => [i.rowNo, i.issues.map((x) => `${x.code}@${x.field}`)]),
      [
        [4, ['below_marriage_age@maritalStatus']],
        [5, ['id_sex_mismatch@sex']],
      ],
    );

    const wrong = await app.inject({
      method: 'POST',
      url: `/api/imports/${batch.batchId}/quarantine/4/resubmit`,
      payload: { values: { 婚姻状况: '已婚了' } },
    });
    assert.equal(wrong.statusCode, 400);
    assert.equal(wrong.json().error.issues[0].code, 'invalid_value');
    const fixed = await app.inject({
      method: 'POST',
      url: `/api/imports/${batch.batchId}/quarantine/4/resubmit`,
      payload: { values: { marital_status: '未婚' } },
    });
    assert.equal(fixed.statusCode, 200, fixed.body);
    assert.equal(fixed.json().outcome, 'ok');
    const person = await app.inject({ url: `/api/persons/${fixed.json().personId}` });
    assert.equal(person.json().person.name, '李小雷');

    const noReason = await app.inject({
      method: 'POST',
      url: `/api/imports/${batch.batchId}/quarantine/5/discard`,
      payload: {},
    });
    assert.equal(noReason.statusCode, 400);
    const discarded = await app.inject({
      method: 'POST',
      url: `/api/imports/${batch.batchId}/quarantine/5/discard`,
      payload: { reason: '重复登记' },
    });
    assert.equal(discarded.statusCode, 200);
    assert.equal(discarded.json().status, 'discarded');
    const report = (await app.inject({ url: `/api/imports/${batch.batchId}` })).json();
    assert.deepEqual(report.quarantine, { pending: 0, resubmitted: 1, discarded: 1 });

    const sheet = await app.inject({ url: `/api/imports/${batch.batchId}/quarantine/file?format=csv` });
    assert.equal(sheet.statusCode, 200);
    assert.match(sheet.headers['content-disposition'] as string, /attachment/);
  });

  it('serves the template as CSV and as XLSX with a sheet explaining every column', async () => {
    const csvTemplate = await app.inject({ url: '/api/import-template?format=csv' });
    assert.equal(csvTemplate.statusCode, 200);
    assert.match(csvTemplate.headers['content-type'] as string, /text\/csv/);
    const lines = csvTemplate.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    assert.equal(lines[0], header);
    assert.equal(lines.length, 2, 'header and one example row');

    const xlsx = await app.inject({ url: '/api/import-template?format=xlsx' });
    assert.equal(xlsx.statusCode, 200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    assert.deepEqual(
      workbook.worksheets.map((w) => w.name),
      ['人员', '填写说明'],
    );
    const headerRow = (workbook.worksheets[0]!.getRow(1).values as string[]).slice(1);
    assert.deepEqual(
      headerRow,
      PERSON_COLUMNS.map((c) => c.zh),
    );
    const notes = workbook.worksheets[1]!;
    assert.equal(notes.rowCount, PERSON_COLUMNS.length + 2);
    assert.match(String(notes.getRow(5).getCell(5).value), /男/);
  });

  it('exports a unit in the template columns, and the export re-imports as unchanged', async () => {
    const bad = await app.inject({ url: '/api/persons/export?unit=620881999' });
    assert.equal(bad.statusCode, 404);
    const exported = await app.inject({ url: '/api/persons/export?unit=620881100&format=csv' });
    assert.equal(exported.statusCode, 200);
    const body = exported.body;
    assert.ok(body.startsWith(`\uFEFF${header}`));
    const rows = body.trim().split('\r\n').length - 1;
    assert.equal(rows, 3);
    const reimport = await upload(body, 'export.csv');
    assert.equal(reimport.statusCode, 201);
    assert.deepEqual(reimport.json().rows, { total: 3, ok: 0, unchanged: 3, quarantined: 0, blank: 0 });

    const xlsx = await app.inject({ url: '/api/persons/export?unit=620881&format=xlsx' });
    const again = await upload(
      xlsx.rawPayload,
      'export.xlsx',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    assert.equal(again.statusCode, 201, again.body);
    assert.deepEqual(again.json().rows, { total: 3, ok: 0, unchanged: 3, quarantined: 0, blank: 0 });
  });

  it('answers an upload without a file name or with an unreadable header with 400', async () => {
    const noName = await app.inject({
      method: 'POST',
      url: '/api/imports',
      headers: { 'content-type': 'text/csv' },
      payload: csv,
    });
    assert.equal(noName.statusCode, 400);
    const badHeader = await upload('a,b,c\r\n1,2,3\r\n', 'x.csv');
    assert.equal(badHeader.statusCode, 400);
    assert.ok(badHeader.json().error.issues.some((i: { code: string }) => i.code === 'missing_column'));
  });
});
