import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { AppError } from '../src/domain/errors.ts';
import { createTableWriter } from '../src/registry/export/table-writer.ts';
import { openTable, watchProgress } from '../src/registry/import/import-file.ts';
import { importPersons } from '../src/registry/import/import-persons.ts';
import { PERSON_COLUMNS } from '../src/registry/import/person-columns.ts';
import { personSheetColumns, templateNotes } from '../src/registry/import/template.ts';
import { checkZip, ZipDamage } from '../src/registry/import/zip-check.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { signedInApp, type TestClient } from './helpers/http.ts';
import { loadHuating, makeIdNumber, TODAY, VILLAGE } from './helpers/registry.ts';

/**
 * A damaged .xlsx (a byte flipped in a compressed part, a local header or the central directory)
 * is refused before a row is read, with a file-level error in zh-CN and en, writing nothing; and
 * the stall watchdog stops exceljs' streaming reader where it would otherwise wait forever.
 */

/** Bounds a step that must finish: a hang fails the test instead of stalling the run. */
function within<T>(promise: Promise<T>, what: string, ms = 120_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Where an entry's local header and its compressed data are in a zip, found from the directory. */
function entryOf(zip: Buffer, name: string) {
  let eocd = zip.length - 22;
  while (zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  let at = zip.readUInt32LE(eocd + 16);
  for (;;) {
    assert.equal(zip.readUInt32LE(at), 0x02014b50, `entry ${name} not found`);
    const nameLength = zip.readUInt16LE(at + 28);
    const next = at + 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    if (zip.subarray(at + 46, at + 46 + nameLength).toString() === name) {
      const local = zip.readUInt32LE(at + 42);
      return {
        central: at,
        local,
        data: local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28),
        compressedSize: zip.readUInt32LE(at + 20),
      };
    }
    at = next;
  }
}

const flipped = (bytes: Buffer, at: number) => {
  const copy = Buffer.from(bytes);
  copy[at] = copy[at]! ^ 0x5a;
  return copy;
};

describe(`damaged XLSX files (${storageName})`, () => {
  let test: TestDatabase;
  let client: TestClient;
  let dir: string;
  let template: Buffer;
  let fileNo = 0;

  const save = (bytes: Buffer) => {
    fileNo += 1;
    const path = join(dir, `f${fileNo}.xlsx`);
    writeFileSync(path, bytes);
    return path;
  };

  before(async () => {
    test = await createTestDatabase();
    await loadHuating(test.database.db);
    client = await signedInApp(test.database);
    dir = mkdtempSync(join(tmpdir(), 'renkou-xlsx-damage-'));
    // The import template (data sheet and notes sheet), filled with a household of three.
    const path = join(dir, 'template.xlsx');
    const out = createWriteStream(path);
    const writer = createTableWriter(out, 'xlsx', {
      columns: personSheetColumns(),
      sheetName: '人员',
      notes: { name: '填写说明', rows: templateNotes() },
    });
    const people = [
      { name: '赵一', sex: '男', birthDate: '1970-01-02', relationToHead: '户主' },
      { name: '钱二', sex: '女', birthDate: '1972-03-04', relationToHead: '配偶' },
      { name: '孙三', sex: '男', birthDate: '1999-05-06', relationToHead: '子' },
    ];
    for (const p of people) {
      const values: Record<string, string> = {
        householdNo: 'XD-1',
        villageCode: VILLAGE,
        name: p.name,
        sex: p.sex,
        birthDate: p.birthDate,
        idNumber: makeIdNumber(p.birthDate, p.sex === '男' ? 'male' : 'female'),
        relationToHead: p.relationToHead,
        residenceType: '户籍',
        residenceFrom: p.birthDate,
      };
      await writer.writeRow(PERSON_COLUMNS.map((c) => values[c.field] ?? ''));
    }
    await writer.close();
    if (!out.closed) await once(out, 'close');
    template = readFileSync(path);
  });
  after(async () => {
    await client?.close();
    await test?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function written() {
    const result = await sql<Record<string, number>>`
      SELECT (SELECT count(*)::int FROM person) AS person,
             (SELECT count(*)::int FROM import_batch) AS import_batch,
             (SELECT count(*)::int FROM import_chunk) AS import_chunk,
             (SELECT count(*)::int FROM import_quarantine) AS import_quarantine`.execute(test.database.db);
    return result.rows[0]!;
  }

  const importFile = (bytes: Buffer) =>
    within(
      importPersons(
        { database: test.database, actor: { id: 'test' }, today: TODAY },
        { path: save(bytes), fileName: 'damaged.xlsx', county: '620881' },
      ),
      'the import',
    );

  /** The import refuses the file as damaged (field file, zh-CN and en), and nothing is written. */
  async function assertRefused(bytes: Buffer, reason: RegExp) {
    const before = await written();
    await assert.rejects(importFile(bytes), (error: unknown) => {
      assert.ok(error instanceof AppError, String(error));
      assert.equal(error.code, 'invalid_input');
      assert.equal(error.field, 'file');
      assert.match(error.text['zh-CN'], /XLSX 文件已损坏/);
      assert.match(error.text.en, /damaged/);
      assert.match(String(error.details?.reason), reason);
      return true;
    });
    assert.deepEqual(await written(), before, 'a refused file writes nothing, not even a batch');
  }

  it('checks the template as a sound zip, and imports it', async () => {
    await checkZip(save(template));
    const report = await importFile(template);
    assert.deepEqual(report.rows, { total: 3, ok: 3, unchanged: 0, quarantined: 0, blank: 0 });
  });

  it('refuses an .xlsx whose data sheet has a flipped byte in its compressed data (which used to hang the import)', async () => {
    const sheet = entryOf(template, 'xl/worksheets/sheet1.xml');
    assert.ok(sheet.compressedSize > 64);
    await assertRefused(flipped(template, sheet.data + 8), /xl\/worksheets\/sheet1\.xml/);
  });

  it('refuses a flipped byte in a part the reader needs, in a local header, or in the directory’s CRC-32', async () => {
    const strings = entryOf(template, 'xl/workbook.xml');
    await assertRefused(flipped(template, strings.data + 3), /xl\/workbook\.xml/);
    // The local header's name: a streaming reader would take it for another part.
    await assertRefused(flipped(template, strings.local + 31), /local header/);
    // The data intact but its recorded checksum wrong: still damaged, never read as it comes.
    await assertRefused(flipped(template, strings.central + 17), /xl\/workbook\.xml/);
    // Cut short: no end of central directory.
    await assertRefused(template.subarray(0, template.length - 30), /end of central directory|cut short/);
  });

  it('answers an upload of a damaged .xlsx with a 400 naming the file, in zh-CN by default', async () => {
    const before = await written();
    const sheet = entryOf(template, 'xl/worksheets/sheet1.xml');
    const response = await client.inject({
      method: 'POST',
      url: '/api/imports?filename=damaged.xlsx',
      headers: { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      payload: flipped(template, sheet.data + 8),
    });
    assert.equal(response.statusCode, 400, response.body);
    const error = response.json().error;
    assert.equal(error.code, 'invalid_input');
    assert.equal(error.field, 'file');
    assert.match(error.message, /XLSX 文件已损坏/);
    assert.match(error.messages.en, /damaged/);
    assert.deepEqual(await written(), before);
  });

  it('stops exceljs’ reader that waits forever on a damaged sheet, when the zip check is skipped (the watchdog)', async () => {
    const sheet = entryOf(template, 'xl/worksheets/sheet1.xml');
    // Found by trying: exceljs waits forever on this byte flipped, without the zip check.
    const table = openTable(save(flipped(template, sheet.data + 8)), 'xlsx', {
      skipZipCheck: true,
      stallMs: 200,
    });
    await assert.rejects(
      within(
        (async () => {
          for await (const _batch of table.batches) {
            // read on
          }
        })(),
        'the watched read',
      ),
      (error: unknown) =>
        error instanceof AppError &&
        error.field === 'file' &&
        /no progress/.test(String(error.details?.reason)),
    );
  });

  it('lets a slow reader through while it makes progress, and stops one that makes none after its input ended', async () => {
    let progress = 0;
    let inputDone = false;
    async function* slow() {
      for (let i = 0; i < 3; i++) {
        // Progress between steps, each step slower than the stall limit.
        for (let t = 0; t < 20; t++) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          progress += 1;
        }
        yield i;
      }
    }
    const got: number[] = [];
    for await (const value of watchProgress(slow(), {
      stallMs: 300,
      progress: () => progress,
      inputDone: () => true,
    }))
      got.push(value);
    assert.deepEqual(got, [0, 1, 2]);

    // Waiting with input still to come is not a stall; once the input has ended, it is.
    async function* stuck() {
      yield 1;
      setTimeout(() => {
        inputDone = true;
      }, 100);
      await new Promise(() => undefined);
    }
    const seen: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const value of watchProgress(stuck(), {
          stallMs: 30,
          progress: () => progress,
          inputDone: () => inputDone,
        }))
          seen.push(value);
      })(),
      /no progress/,
    );
    assert.deepEqual(seen, [1]);
    assert.equal(inputDone, true, 'not stopped before the input ended');
  });

  it('names what is damaged in a zip', async () => {
    await assert.rejects(checkZip(save(Buffer.from('PK\u0003\u0004 not really a zip'))), ZipDamage);
  });
});
