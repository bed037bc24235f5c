import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/database.ts';
import { ROOT, runRenkou } from './helpers/cli.ts';
import { createScratchStorage, type ScratchStorage, storageName } from './helpers/database.ts';

/**
 * kill -9 in the middle of `renkou feeds link`: each batch is linked in one transaction, so the
 * killed run leaves every batch either linked or untouched; linking again finishes the job and the
 * county ends exactly as a clean run leaves it — same pairs, same tasks, same record statuses,
 * nothing twice.
 */
describe(`feed linkage killed with SIGKILL ends like a clean run (${storageName})`, () => {
  const PERSONS = '3000';
  let clean: ScratchStorage;
  let crashed: ScratchStorage;
  before(async () => {
    clean = await createScratchStorage();
    crashed = await createScratchStorage();
    for (const storage of [clean, crashed]) {
      const synth = await runRenkou(
        ['synth', '--into-db', '--no-workload', '--persons', PERSONS, '--seed', '11'],
        storage.env,
        300_000,
      );
      assert.equal(synth.code, 0, synth.stderr);
    }
  });
  after(async () => {
    await clean?.cleanup();
    await crashed?.cleanup();
  });

  /** What linkage leaves behind, in a form two databases can be compared by. */
  async function outcome(storage: ScratchStorage) {
    const database = await openDatabase({
      databaseUrl: storage.env.DATABASE_URL,
      dataDir: storage.env.RENKOU_DATA_DIR,
    });
    try {
      const one = async (query: ReturnType<typeof sql>) =>
        JSON.stringify((await query.execute(database.db)).rows);
      return {
        pairs: await one(sql`
          SELECT b.source, p.decision, count(*)::int AS n
            FROM feed_pair p JOIN feed_batch b ON b.id = p.batch_id
           GROUP BY 1, 2 ORDER BY 1, 2`),
        duplicatePairs: await one(sql`
          SELECT batch_id, row_no, role, person_id, count(*)::int AS n FROM feed_pair
           GROUP BY 1, 2, 3, 4 HAVING count(*) > 1`),
        records: await one(sql`
          SELECT b.source, r.link_status, count(r.person_id)::int AS linked, count(*)::int AS n
            FROM feed_record r JOIN feed_batch b ON b.id = r.batch_id
           GROUP BY 1, 2 ORDER BY 1, 2`),
        tasks: await one(sql`
          SELECT kind, source, status, count(*)::int AS n FROM work_task GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`),
        duplicateTasks: await one(sql`
          SELECT county_code, kind, source_ref, count(*)::int AS n FROM work_task
           GROUP BY 1, 2, 3 HAVING count(*) > 1`),
        batches: await one(sql`SELECT source, status FROM feed_batch ORDER BY id`),
        unfinishedRuns: await one(sql`
          SELECT count(*)::int AS n FROM feed_link_run r JOIN feed_batch b ON b.last_run_id = r.id
           WHERE r.finished_at IS NULL`),
      };
    } finally {
      await database.close();
    }
  }

  /** Starts `renkou feeds link` and kills it once it is saving pairs of its second batch. */
  function linkThenKill(storage: ScratchStorage): Promise<{ signal: NodeJS.Signals | null; seen: string }> {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'src', 'cli', 'main.ts'), 'feeds', 'link', '--lang', 'en'],
      {
        cwd: ROOT,
        env: { ...process.env, LOG_LEVEL: 'warn', ...storage.env },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let seen = '';
    const batchesSaving = new Set<string>();
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      seen += chunk;
      for (const m of chunk.matchAll(/batch (\d+) saving/g)) batchesSaving.add(m[1]!);
      if (batchesSaving.size >= 2) child.kill('SIGKILL');
    });
    return new Promise((resolve) => child.on('exit', (_code, signal) => resolve({ signal, seen })));
  }

  it('leaves the same pairs, tasks and record statuses as a clean run, none twice', async () => {
    const cleanRun = await runRenkou(['feeds', 'link'], clean.env, 300_000);
    assert.equal(cleanRun.code, 0, cleanRun.stderr);
    // The run's report says how many review decisions stood and how many came from other batches.
    assert.match(cleanRun.stdout, /保留的人工决定 \d+ 个（其中沿用其他批次的 \d+ 个）/);
    const expected = await outcome(clean);
    assert.notEqual(expected.pairs, '[]', 'the clean run linked something');
    assert.notEqual(expected.tasks, '[]', 'the clean run made work-list tasks');

    const killed = await linkThenKill(crashed);
    assert.equal(killed.signal, 'SIGKILL', `the link run was killed part-way:\n${killed.seen}`);
    const afterKill = await outcome(crashed);
    assert.equal(afterKill.duplicatePairs, '[]');
    assert.equal(afterKill.unfinishedRuns, '[{"n":0}]', 'no batch points at a half-written run');
    assert.notDeepEqual(afterKill, expected, 'the kill left linkage unfinished');

    const resumed = await runRenkou(['feeds', 'link'], crashed.env, 300_000);
    assert.equal(resumed.code, 0, resumed.stderr);
    const actual = await outcome(crashed);
    assert.equal(actual.duplicatePairs, '[]', 'no feed pair twice');
    assert.equal(actual.duplicateTasks, '[]', 'no work-list task twice');
    assert.deepEqual(actual, expected);
  });
});
