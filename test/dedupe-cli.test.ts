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
