import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listMigrations, migrateToLatest } from '../src/db/migrate.ts';
import { initCounty } from '../src/org/init-county.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';

describe(`migrations (${storageName})`, () => {
  let test: TestDatabase;
  before(async () => {
    test = await createTestDatabase();
  });
  after(() => test.cleanup());

  it('are numbered without gaps', () => {
    const versions = listMigrations().map((m) => m.version);
    assert.deepEqual(
      versions,
      versions.map((_, i) => i + 1),
    );
  });

  it('apply once; a second run changes nothing', async () => {
    const again = await migrateToLatest(test.database);
    assert.ok(again.length > 0);
    assert.ok(again.every((m) => m.status === 'already-applied'));
  });

  it('refuse to run when an applied migration was edited', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'renkou-mig-'));
    try {
      cpSync(join(import.meta.dirname, '..', 'src', 'db', 'migrations'), dir, { recursive: true });
      const first = listMigrations(dir)[0]!;
      writeFileSync(join(dir, `0001_${first.name}.sql`), `${first.sql}\n-- edited\n`);
      await assert.rejects(migrateToLatest(test.database, dir), { code: 'conflict' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('roll back a failing migration completely', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'renkou-mig-'));
    try {
      cpSync(join(import.meta.dirname, '..', 'src', 'db', 'migrations'), dir, { recursive: true });
      const next = String(Math.max(...listMigrations(dir).map((m) => m.version)) + 1).padStart(4, '0');
      writeFileSync(
        join(dir, `${next}_broken.sql`),
        'CREATE TABLE half_written (id int);\nINSERT INTO no_such_table VALUES (1);\n',
      );
      await assert.rejects(migrateToLatest(test.database, dir), { code: 'internal' });
      const tables = await test.database.withSession((s) =>
        s.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'half_written'"),
      );
      assert.equal(tables[0]?.n, 0);
      const recorded = await test.database.db
        .selectFrom('renkou_migration')
        .select('version')
        .where('version', '=', Number(next))
        .execute();
      assert.equal(recorded.length, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe(`migration 0020, import batches per unit (${storageName})`, () => {
  it('moves each batch’s unit out of its header into unit_code, the county where none was recorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'renkou-mig-'));
    const source = join(import.meta.dirname, '..', 'src', 'db', 'migrations');
    for (const m of listMigrations(source).filter((m) => m.version < 20)) {
      writeFileSync(join(dir, `${String(m.version).padStart(4, '0')}_${m.name}.sql`), m.sql);
    }
    const test = await createTestDatabase({ migrationsDir: dir });
    try {
      await initCounty(test.database.db, '620881');
      await test.database.withSession((s) =>
        s.exec(`INSERT INTO import_batch (county_code, file_name, file_format, file_sha256, file_bytes, header, created_by)
                VALUES ('620881', 'a.csv', 'csv', repeat('a', 64), 1, '{"index": {}, "unit": "620881100"}', 't'),
                       ('620881', 'b.csv', 'csv', repeat('b', 64), 1, '{"index": {}}', 't')`),
      );
      const applied = await migrateToLatest(test.database);
      assert.ok(applied.some((m) => m.version === 20 && m.status === 'applied'));
      const rows = await test.database.db
        .selectFrom('import_batch')
        .select(['file_name', 'unit_code', 'header'])
        .orderBy('file_name')
        .execute();
      assert.deepEqual(
        rows.map((r) => [r.file_name, r.unit_code, r.header]),
        [
          ['a.csv', '620881100', { index: {} }],
          ['b.csv', '620881', { index: {} }],
        ],
      );
    } finally {
      await test.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe(`migration 0025, the ID number check without a regex (${storageName})`, () => {
  let test: TestDatabase;
  before(async () => {
    test = await createTestDatabase();
  });
  after(() => test.cleanup());

  it('accepts and refuses exactly the strings the regular expression did', async () => {
    const candidates = [
      '62088119900101123X',
      '620881199001011234',
      '62088119900101123x',
      '6208811990010112XX',
      'X20881199001011234',
      '62088119900101123',
      '6208811990010112345',
      '62088119900101123X ',
      ' 62088119900101123X',
      '62088119900101123\n',
      '620881199001011２３4',
      '６２0881199001011234',
      '62088119900101 234',
      '',
      'XXXXXXXXXXXXXXXXXX',
      '000000000000000000',
    ];
    const [check] = await test.database.withSession((s) =>
      s.query<{ def: string }>(
        "SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'person_id_number_check'",
      ),
    );
    const expression = check!.def.replace(/^CHECK \(/, '').replace(/\)$/, '');
    const rows = await test.database.withSession((s) =>
      s.query<{ value: string; kept: boolean; regex: boolean }>(
        `SELECT value, (${expression.replaceAll('id_number', 'value')}) AS kept,
                value ~ '^[0-9]{17}[0-9X]$' AS regex
           FROM unnest($1::text[]) AS value`,
        [candidates],
      ),
    );
    assert.equal(rows.length, candidates.length);
    for (const row of rows) assert.equal(row.kept, row.regex, JSON.stringify(row.value));
    assert.deepEqual(
      rows.filter((r) => r.kept).map((r) => r.value),
      ['62088119900101123X', '620881199001011234', '000000000000000000'],
    );
  });
});
