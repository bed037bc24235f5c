import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../src/db/database.ts';
import { writeSampleImportFile } from '../src/registry/import/sample-file.ts';
import { ROOT, runRenkou } from './helpers/cli.ts';
import { createScratchStorage, type ScratchStorage, storageName } from './helpers/database.ts';

/**
 * kill -9 in the middle of an import: what was committed stays, the next run of the same file
 * resumes after the last committed chunk, and in the end every row is in the registry once.
 */
describe(`an import killed with SIGKILL resumes without loss or duplicates (${storageName})`, () => {
  let storage: ScratchStorage;
  let dir: string;
  const PERSONS = 12_000;
  const CHUNK = 1_000;
  before(async () => {
    storage = await createScratchStorage();
    dir = mkdtempSync(join(tmpdir(), 'renkou-crash-'));
    assert.equal((await runRenkou(['init', '--county', '620881'], storage.env)).code, 0);
    await writeSampleImportFile(join(dir, 'persons.csv'), {
      persons: PERSONS,
      villages: ['620881100001', '620881100202', '620881101201'],
      county: '620881',
      seed: 7,
    });
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await storage.cleanup();
  });

  /** Starts the import and kills it once its report shows at least two committed chunks. */
  function importThenKill(): Promise<{ signal: NodeJS.Signals | null; reportedRows: number }> {
    const report = join(dir, 'first-run.csv');
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'src', 'cli', 'main.ts'),
        'import',
        'persons',
        join(dir, 'persons.csv'),
        '--chunk-size',
        String(CHUNK),
        '--report',
        report,
      ],
      { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...storage.env }, stdio: 'ignore' },
    );
    let reportedRows = 0;
    const poll = setInterval(() => {
      if (!existsSync(report)) return;
      reportedRows = readFileSync(report, 'utf8').split('\n').length - 2;
      if (reportedRows >= 2 * CHUNK) child.kill('SIGKILL');
    }, 50);
    return new Promise((resolve) =>
      child.on('exit', (_code, signal) => {
        clearInterval(poll);
        resolve({ signal, reportedRows });
      }),
    );
  }

  it('keeps the committed chunks, resumes, and ends with every row exactly once', async () => {
    const first = await importThenKill();
    assert.equal(first.signal, 'SIGKILL', 'the import was killed before it finished');
    assert.ok(first.reportedRows < PERSONS, `killed part-way (${first.reportedRows} rows reported)`);

    const open = () =>
      openDatabase({ databaseUrl: storage.env.DATABASE_URL, dataDir: storage.env.RENKOU_DATA_DIR });
    // The dead process's PGlite lock is stale and taken over; its committed chunks are there.
    let database = await open();
    const afterKill = await database.db
      .selectFrom('import_batch')
      .select(['rows_ok', 'rows_unchanged', 'rows_quarantined', 'chunks_committed', 'finished_at'])
      .executeTakeFirstOrThrow();
    const personsAfterKill = Number(
      (
        await database.db
          .selectFrom('person')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    await database.close();
    assert.equal(afterKill.finished_at, null);
    assert.ok(
      afterKill.chunks_committed >= 2,
      `chunks committed before the kill: ${afterKill.chunks_committed}`,
    );
    assert.equal(personsAfterKill, afterKill.rows_ok, 'every committed chunk’s persons and nothing else');

    const second = await runRenkou(
      ['import', 'persons', join(dir, 'persons.csv'), '--chunk-size', String(CHUNK), '--json'],
      storage.env,
      600_000,
    );
    assert.equal(second.code, 0, second.stderr);

    database = await open();
    try {
      const batches = await database.db.selectFrom('import_batch').selectAll().execute();
      assert.equal(batches.length, 1, 'the second run resumed the same batch');
      const batch = batches[0]!;
      assert.notEqual(batch.finished_at, null);
      assert.equal(batch.rows_ok + batch.rows_unchanged + batch.rows_quarantined, PERSONS);
      const counts = await database.db
        .selectFrom('person')
        .select((eb) => [eb.fn.countAll().as('n'), eb.fn.count('id_number').distinct().as('ids')])
        .executeTakeFirstOrThrow();
      assert.equal(Number(counts.n), batch.rows_ok, 'one person per imported row');
      assert.equal(Number(counts.ids), Number(counts.n), 'no ID number twice');
      const spells = await database.db
        .selectFrom('residence_spell')
        .select((eb) => eb.fn.count('person_id').distinct().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(spells.n), batch.rows_ok, 'every person has a residence spell');
    } finally {
      await database.close();
    }
  });
});
