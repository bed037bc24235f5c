import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runRenkou } from './helpers/cli.ts';
import { createScratchStorage, type ScratchStorage, storageName } from './helpers/database.ts';

describe(`renkou register / person / population (${storageName})`, () => {
  let storage: ScratchStorage;
  before(async () => {
    storage = await createScratchStorage();
    const init = await runRenkou(['init', '--county', '620881'], storage.env);
    assert.equal(init.code, 0, init.stderr);
  });
  after(() => storage.cleanup());

  it('registers a move-in, finds it by initials, counts it, and shows its history', async () => {
    const moveIn = await runRenkou(
      [
        'register',
        'move-in',
        '--user',
        'clerk',
        '--data',
        JSON.stringify({
          person: { name: '王晓明', sex: 'male', birthDate: '1990-01-01' },
          orgCode: '620881100001',
          residenceType: 'registered',
          moveDate: '2020-01-01',
        }),
      ],
      storage.env,
    );
    assert.equal(moveIn.code, 0, moveIn.stderr);
    const id = JSON.parse(moveIn.stdout).person.id;
    const search = await runRenkou(['person', 'search', 'wxm', '--json'], storage.env);
    assert.deepEqual(
      JSON.parse(search.stdout).items.map((hit: { id: number }) => hit.id),
      [id],
    );
    const population = await runRenkou(
      ['population', '--unit', '620881100', '--date', '2025-01-01'],
      storage.env,
    );
    assert.match(population.stdout, /620881100 在 2025-01-01 的人口：1（男 1，女 0）/);
    const history = await runRenkou(['person', 'history', String(id)], storage.env);
    assert.match(history.stdout, /v1 .* clerk {2}move_in/);
  });

  it('prints every field error of a bad command in zh-CN and exits 1', async () => {
    const result = await runRenkou(
      [
        'register',
        'birth',
        '--data',
        JSON.stringify({ child: { name: '王一', sex: 'm', birthDate: '2999-01-01' }, motherId: 1 }),
      ],
      storage.env,
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /child\.sex: 性别应为 male \/ female 之一/);
    assert.match(result.stderr, /child\.birthDate: 出生日期不能晚于今天/);
    const bad = await runRenkou(['register', 'death', '--data', '{oops'], storage.env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /输入不是有效的 JSON/);
  });
});
