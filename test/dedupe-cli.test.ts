import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runRenkou } from './helpers/cli.ts';
import { createScratchStorage, type ScratchStorage, storageName } from './helpers/database.ts';

describe(`renkou dedupe / completeness (${storageName})`, () => {
  let storage: ScratchStorage;
  before(async () => {
    storage = await createScratchStorage();
    const init = await runRenkou(['init', '--county', '620881'], storage.env);
    assert.equal(init.code, 0, init.stderr);
  });
  after(() => storage.cleanup());

  const moveIn = async (name: string) => {
    const result = await runRenkou(
      [
        'register',
        'move-in',
        '--data',
        JSON.stringify({
          person: { name, sex: 'female', birthDate: '1986-02-03' },
          orgCode: '620881100001',
          residenceType: 'registered',
          moveDate: '2020-01-01',
        }),
      ],
      storage.env,
    );
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout).person.id as number;
  };

  it('merges one record into another and undoes it, saying how in zh-CN and English', async () => {
    const keep = await moveIn('欧阳晓燕');
    const drop = await moveIn('欧阳小燕');
    const merged = await runRenkou(
      [
        'dedupe',
        'merge',
        '--keep',
        String(keep),
        '--drop',
        String(drop),
        '--reason',
        '同一人',
        '--user',
        'clerk',
      ],
      storage.env,
    );
    assert.equal(merged.code, 0, merged.stderr);
    const mergeId = /合并记录 (\d+)/.exec(merged.stdout)?.[1];
    assert.ok(mergeId, merged.stdout);
    const again = await runRenkou(
      ['dedupe', 'merge', '--keep', String(keep), '--drop', String(drop), '--reason', '再来', '--lang', 'en'],
      storage.env,
    );
    assert.equal(again.code, 1);
    assert.match(again.stderr, /merged and can no longer be changed/);
    const undo = await runRenkou(
      ['dedupe', 'undo', '--merge', mergeId, '--reason', '不是同一人'],
      storage.env,
    );
    assert.equal(undo.code, 0, undo.stderr);
    assert.match(undo.stdout, /已撤销合并/);
    const history = await runRenkou(['person', 'history', String(drop)], storage.env);
    assert.match(history.stdout, /merge_undo/);
  });

  it('prints the completeness table per township, with the bureau’s figure once entered', async () => {
    const set = await runRenkou(
      ['completeness', 'set-official', '--unit', '620881100', '--year', '2024', '--births', '41'],
      storage.env,
    );
    assert.equal(set.code, 0, set.stderr);
    const table = await runRenkou(
      ['completeness', '--county', '620881', '--year', '2024', '--json'],
      storage.env,
    );
    assert.equal(table.code, 0, table.stderr);
    const report = JSON.parse(table.stdout);
    assert.equal(report.rows.length, 11);
    assert.equal(report.rows.find((r: { unit: string }) => r.unit === '620881100').official.births, 41);
    const missing = await runRenkou(['completeness'], storage.env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /--year/);
  });
});

describe(`renkou dedupe find: suggested merges and possible duplicates on the work list (${storageName})`, () => {
  let storage: ScratchStorage;
  before(async () => {
    storage = await createScratchStorage();
    // 3,041 records with 14 true pairs: 12 score ≥ 0.95, 2 between 0.5 and 0.95 (docs/dedupe.md).
    const synth = await runRenkou(
      [
        'synth',
        '--into-db',
        '--no-workload',
        '--county',
        '620881',
        '--persons',
        '3000',
        '--from',
        '2024',
        '--to',
        '2025',
        '--seed',
        '8',
      ],
      storage.env,
      300_000,
    );
    assert.equal(synth.code, 0, synth.stderr);
  });
  after(() => storage.cleanup());

  it('says how many pairs it suggests and how many it lists to check, in zh-CN and English; a re-run adds none', async () => {
    const found = await runRenkou(['dedupe', 'find', '--county', '620881'], storage.env);
    assert.equal(found.code, 0, found.stderr);
    assert.match(found.stdout, /疑似重复（匹配概率 ≥ 95%）12 对：新建待办 12 条，已有 0 条/);
    assert.match(found.stdout, /可能重复（匹配概率 50%–95%，待核实）2 对：新建待办 2 条，已有 0 条/);
    const again = await runRenkou(['dedupe', 'find', '--county', '620881', '--lang', 'en'], storage.env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(
      again.stdout,
      /12 suspected duplicates \(match probability ≥ 95%\): 0 new tasks, 12 already there/,
    );
    assert.match(
      again.stdout,
      /2 possible duplicates \(match probability 50%–95%, to check\): 0 new tasks, 2 already there/,
    );
  });

  it('lists possible duplicates last on the work list with their score and the fields for and against; a dismissed one stays dismissed', async () => {
    const list = await runRenkou(['tasks', 'list', '--kind', 'merge', '--unit', '620881'], storage.env);
    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout.trim().split('\n').slice(1);
    assert.equal(lines.length, 14);
    assert.ok(lines.slice(0, 12).every((l) => /合并建议 {2}open .*达到建议合并的 95%：疑似同一人/.test(l)));
    const possible = lines.slice(12);
    for (const line of possible) {
      assert.match(line, /可能重复 {2}open .*匹配概率 \d+\.\d%，在 50% 与 95% 之间：可能是同一人.*相符 — /);
    }
    const en = await runRenkou(
      ['tasks', 'list', '--kind', 'merge', '--unit', '620881', '--lang', 'en'],
      storage.env,
    );
    assert.match(en.stdout, /possible duplicate {2}open .*Match probability \d+\.\d%, between 50% and 95%/);

    const id = possible[0]!.trim().split(/\s+/)[0]!;
    const close = await runRenkou(
      ['tasks', 'close', id, '--status', 'dismissed', '--note', '不是同一人：兄妹'],
      storage.env,
    );
    assert.equal(close.code, 0, close.stderr);
    const rerun = await runRenkou(['dedupe', 'find', '--county', '620881', '--json'], storage.env);
    const report = JSON.parse(rerun.stdout);
    assert.deepEqual([report.possible, report.possibleTasksCreated, report.tasksUpdated], [2, 0, 0]);
    const open = await runRenkou(
      ['tasks', 'list', '--kind', 'merge', '--unit', '620881', '--json'],
      storage.env,
    );
    const ids = (JSON.parse(open.stdout).items as { id: number }[]).map((t) => String(t.id));
    assert.equal(ids.length, 13);
    assert.ok(!ids.includes(id), 'the dismissed pair is not listed again');
  });
});
