import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { sql } from 'kysely';
import { AppError } from '../src/domain/errors.ts';
import { ingestFeedFile } from '../src/feeds/ingest-feed.ts';
import { createTableWriter } from '../src/registry/export/table-writer.ts';
import { CsvParser, isBlankRecord } from '../src/registry/import/csv-reader.ts';
import { importPersons } from '../src/registry/import/import-persons.ts';
import type { ImportReport } from '../src/registry/import/import-report.ts';
import { writeSampleImportFile } from '../src/registry/import/sample-file.ts';
import { personSheetColumns, templateNotes } from '../src/registry/import/template.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { signedInApp, type TestClient } from './helpers/http.ts';
import { loadHuating, OTHER_VILLAGE, VILLAGE } from './helpers/registry.ts';

/**
 * Property-based: malformed CSV and XLSX files — random bytes, truncated zips, wrong or shuffled
 * headers, stray quotes, control characters, huge cells — through the person import (the function
 * and POST /api/imports) and feed ingestion. Never a crash or a 5xx: a per-row quarantine or a
 * file-level 4xx; and what was written is exactly what the report says (nothing half-written).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20251123);
const RUNS = Number(process.env.FUZZ_RUNS ?? 12);

const NASTY_CELLS = [
  '"',
  '""',
  '"a"b',
  'a,b',
  '\r\n',
  '\n"\n',
  '\u0000',
  '\u202e',
  '=cmd|" /C calc"!A0',
  '𠀀'.repeat(50),
  'x'.repeat(5000),
  '-1',
  '9999-99-99',
  '620881999999',
  '',
];

/** One mutation of a valid CSV's text: each an ordinary way a file arrives broken. */
type Mutation =
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'truncate'; at: number }
  | { kind: 'cell'; line: number; column: number; value: string }
  | { kind: 'header'; order: number[]; drop: number }
  | { kind: 'quote'; at: number }
  | { kind: 'empty' };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.uint8Array({ maxLength: 400 }).map((bytes) => ({ kind: 'bytes' as const, bytes })),
  fc.double({ min: 0, max: 1, noNaN: true }).map((at) => ({ kind: 'truncate' as const, at })),
  fc
    .record({
      line: fc.nat(25),
      column: fc.nat(25),
      value: fc.oneof(fc.constantFrom(...NASTY_CELLS), fc.string({ unit: 'binary', maxLength: 30 })),
    })
    .map((m) => ({ kind: 'cell' as const, ...m })),
  fc
    .record({ order: fc.array(fc.nat(30), { maxLength: 30 }), drop: fc.nat(30) })
    .map((m) => ({ kind: 'header' as const, ...m })),
  fc.double({ min: 0, max: 1, noNaN: true }).map((at) => ({ kind: 'quote' as const, at })),
  fc.constant({ kind: 'empty' as const }),
);

function mutate(csv: string, m: Mutation): Buffer {
  switch (m.kind) {
    case 'bytes':
      return Buffer.from(m.bytes);
    case 'truncate':
      return Buffer.from(csv).subarray(0, Math.floor(m.at * Buffer.byteLength(csv)));
    case 'empty':
      return Buffer.alloc(0);
    case 'quote': {
      const at = Math.floor(m.at * csv.length);
      return Buffer.from(`${csv.slice(0, at)}"${csv.slice(at)}`);
    }
    case 'cell': {
      const lines = csv.split('\n');
      const line = 1 + (m.line % Math.max(1, lines.length - 2));
      const cells = (lines[line] ?? '').split(',');
      cells[m.column % cells.length] = m.value;
      lines[line] = cells.join(',');
      return Buffer.from(lines.join('\n'));
    }
    case 'header': {
      const lines = csv.split('\n');
      const header = lines[0]!.replace(/^\ufeff/, '').split(',');
      const reordered = m.order.length ? m.order.map((i) => header[i % header.length]!) : header;
      reordered.splice(m.drop % Math.max(1, reordered.length), 1);
      lines[0] = reordered.join(',');
      return Buffer.from(lines.join('\n'));
    }
  }
}

/** A small valid XLSX of the same rows, then cut or with bytes flipped. */
async function brokenXlsx(csv: string, cut: number, flips: number[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('人员');
  for (const line of csv
    .replace(/^\ufeff/, '')
    .split('\n')
    .slice(0, 8))
    if (line) sheet.addRow(line.split(','));
  const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
  for (const f of flips) bytes[f % bytes.length] = (bytes[f % bytes.length]! + 1) & 0xff;
  return bytes.subarray(0, Math.max(4, Math.floor(cut * bytes.length)));
}

/** The sample CSV's rows in the import template's .xlsx (data sheet and notes sheet), as renkou writes it. */
async function templateXlsx(csv: string, path: string): Promise<Buffer> {
  const out = createWriteStream(path);
  const writer = createTableWriter(out, 'xlsx', {
    columns: personSheetColumns(),
    sheetName: '人员',
    notes: { name: '填写说明', rows: templateNotes() },
  });
  const records: string[][] = [];
  new CsvParser().push(csv.replace(/^\ufeff/, ''), true, records);
  for (const record of records.slice(1)) if (!isBlankRecord(record)) await writer.writeRow(record);
  await writer.close();
  if (!out.closed) await once(out, 'close');
  return readFileSync(path);
}

/** Bounds an import that must finish: a hang fails the property instead of stalling the run. */
function within<T>(promise: Promise<T>, what: string, ms = 120_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s: hung`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

describe(`fuzzing the import and feed ingestion with broken files (${storageName})`, () => {
  let test: TestDatabase;
  let client: TestClient;
  let dir: string;
  let csv: string;

  before(async () => {
    test = await createTestDatabase();
    await loadHuating(test.database.db);
    dir = mkdtempSync(join(tmpdir(), 'renkou-fuzz-import-'));
    await writeSampleImportFile(join(dir, 'valid.csv'), {
      persons: 20,
      villages: [VILLAGE, OTHER_VILLAGE],
      county: '620881',
      seed: 3,
    });
    csv = readFileSync(join(dir, 'valid.csv'), 'utf8');
    client = await signedInApp(test.database);
  });
  after(async () => {
    await client?.close();
    await test?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function counts(): Promise<
    Record<
      | 'person'
      | 'person_version'
      | 'residence_spell'
      | 'feed_batch'
      | 'feed_record'
      | 'import_batch'
      | 'import_chunk'
      | 'import_quarantine',
      number
    >
  > {
    const result = await sql<Record<string, number>>`
      SELECT (SELECT count(*)::int FROM person) AS person,
             (SELECT count(*)::int FROM import_batch) AS import_batch,
             (SELECT count(*)::int FROM import_chunk) AS import_chunk,
             (SELECT count(*)::int FROM import_quarantine) AS import_quarantine,
             (SELECT count(*)::int FROM person_version) AS person_version,
             (SELECT count(*)::int FROM residence_spell) AS residence_spell,
             (SELECT count(*)::int FROM feed_batch) AS feed_batch,
             (SELECT count(*)::int FROM feed_record) AS feed_record`.execute(test.database.db);
    return result.rows[0]!;
  }

  let fileNo = 0;
  const save = (bytes: Buffer) => {
    fileNo += 1;
    const path = join(dir, `f${fileNo}`);
    writeFileSync(path, bytes);
    return path;
  };

  /** importPersons either reports every non-blank row (ok + unchanged + quarantined = total) or refuses the file. */
  async function importChecked(bytes: Buffer) {
    const before = await counts();
    try {
      const report = await importPersons(
        { database: test.database, actor: { id: 'fuzz' }, today: '2025-12-31' },
        { path: save(bytes), fileName: 'fuzz.csv', county: '620881', chunkSize: 7 },
      );
      const now = await counts();
      assert.equal(report.status, 'completed');
      assert.equal(
        report.rows.ok + report.rows.unchanged + report.rows.quarantined,
        report.rows.total,
        'every row accounted for',
      );
      assert.ok(now.person - before.person <= report.rows.ok, 'no person beyond the rows reported ok');
      assert.equal(
        now.residence_spell - before.residence_spell,
        now.person - before.person,
        'a spell per new person',
      );
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      assert.ok(error.code !== 'internal', `a file-level error, not an internal one: ${error.message}`);
      assert.deepEqual(await counts(), before, `a refused file wrote nothing (${error.code})`);
    }
  }

  it('imports broken CSV files row by row or refuses them whole, never crashing', async () => {
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => importChecked(mutate(csv, m))),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });

  it('refuses broken XLSX files (cut, bytes flipped) with a file-level error or reads what is there', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.nat(), { maxLength: 3 }),
        async (cut, flips) => importChecked(await brokenXlsx(csv, cut, flips)),
      ),
      { seed: SEED, numRuns: Math.ceil(RUNS / 2), endOnFailure: true },
    );
  });

  it('imports the template .xlsx with random bytes flipped to exactly the same rows, or refuses it as damaged writing nothing; never hangs', async () => {
    const template = await templateXlsx(csv, join(dir, 'template.xlsx'));
    const importXlsx = (bytes: Buffer): Promise<ImportReport> =>
      within(
        importPersons(
          { database: test.database, actor: { id: 'fuzz' }, today: '2025-12-31' },
          { path: save(bytes), fileName: 'fuzz.xlsx', county: '620881', chunkSize: 7 },
        ),
        'an import of a flipped .xlsx',
      );
    // The file as it should read: its rows land (or are quarantined) once.
    const reference = await importXlsx(template);
    assert.equal(reference.rows.total, csv.trim().split('\n').length - 1);
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ at: fc.nat(), by: fc.integer({ min: 1, max: 255 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        async (flips) => {
          const bytes = Buffer.from(template);
          for (const { at, by } of flips) bytes[at % bytes.length] = (bytes[at % bytes.length]! + by) & 0xff;
          const before = await counts();
          try {
            const report = await importXlsx(bytes);
            // Accepted: only bytes no reader looks at were hit, so the rows are the file's rows
            // exactly — every one already in the registry with the same values, or quarantined
            // for the same reasons.
            assert.deepEqual(report.rows, {
              total: reference.rows.total,
              ok: 0,
              unchanged: reference.rows.ok + reference.rows.unchanged,
              quarantined: reference.rows.quarantined,
              blank: reference.rows.blank,
            });
            const now = await counts();
            assert.equal(now.person, before.person, 'no person from a flipped file');
          } catch (error) {
            if (!(error instanceof AppError)) throw error;
            assert.equal(error.code, 'invalid_input', error.message);
            assert.equal(error.field, 'file');
            assert.ok(error.text['zh-CN'].includes('损坏') && error.text.en.includes('damaged'));
            assert.deepEqual(await counts(), before, 'a refused file writes nothing, not even a batch');
            refused += 1;
          }
        },
      ),
      { seed: SEED, numRuns: RUNS * 3, endOnFailure: true },
    );
    assert.ok(refused > 0, 'flipped bytes were refused at least once');
  });

  it('answers broken uploads to POST /api/imports and /api/feeds/batches with a 4xx or a report, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        mutation,
        fc.boolean(),
        fc.constantFrom('birth_certificate', 'marriage_registration', 'hukou_registration'),
        fc.constantFrom('text/csv', 'application/octet-stream', 'text/plain'),
        async (m, xlsx, source, type) => {
          const bytes = xlsx ? await brokenXlsx(csv, 0.5, []) : mutate(csv, m);
          for (const url of [
            `/api/imports?filename=f.csv&county=620881&chunkSize=5`,
            `/api/feeds/batches?source=${source}&filename=f.csv&county=620881`,
          ]) {
            const before = await counts();
            const response = await client.inject({
              method: 'POST',
              url,
              payload: bytes,
              headers: { 'content-type': type },
            });
            assert.ok(
              response.statusCode < 500,
              `${url}: ${response.statusCode} ${response.body.slice(0, 400)}`,
            );
            if (response.statusCode >= 400) {
              const error = response.json().error;
              assert.equal(typeof error?.code, 'string', response.body);
              assert.ok(error.messages?.en && error.messages['zh-CN'], response.body);
              assert.deepEqual(await counts(), before, `${url}: a refused upload wrote nothing`);
            }
          }
        },
      ),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });

  it('refuses a feed file with no usable header as a whole, keeping nothing of it', async () => {
    const before = await counts();
    await assert.rejects(
      ingestFeedFile(test.database, {
        source: 'birth_certificate',
        path: save(Buffer.from('a,b,c\n1,2,3\n"unclosed,4\n')),
        county: '620881',
        actor: 'fuzz',
      }),
      (error: unknown) => error instanceof AppError && error.code === 'invalid_input',
    );
    assert.deepEqual(await counts(), before);
  });
});
