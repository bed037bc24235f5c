import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { datasetFromRecords } from './dataset.ts';
import { parseLinkConfig } from './link-config.ts';
import { linkRecords } from './link-records.ts';

const person = (id: string, name: string, birth_date: string, sex: string, id_number: string | null) => ({
  id,
  values: { id, name, birth_date, sex, id_number },
});

const FEED = datasetFromRecords([
  person('L0', '王晓明', '1990-03-05', '男', '110105199003050011'),
  person('L1', '李丽', '1985-01-01', '女', null),
  person('L2', '王小明', '1990-03-05', '男', null),
]);
const REGISTRY = datasetFromRecords([
  person('R0', '王晓明', '1990-03-05', '男', '110105199003050011'),
  person('R1', '王伟', '1990-07-07', '男', '110105199007070033'),
  person('R2', '李莉', '1985-01-01', '女', '110105198501010024'),
  person('R3', '张三', '1970-01-01', '男', '110105197001010015'),
]);
const COLUMNS = ['id', 'name', 'birth_date', 'sex', 'id_number'];

function settings(training: Record<string, number> = {}) {
  const parsed = parseLinkConfig(
    {
      comparisons: [{ type: 'han-name', column: 'name' }],
      blocking: [
        { name: 'id', on: 'id_number:id' },
        { name: 'date+sex', on: ['birth_date:date', 'sex'] },
        { name: 'surname+year', on: ['name:surname-pinyin', 'birth_date:year'] },
      ],
      training,
    },
    { left: COLUMNS, right: COLUMNS },
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
}

describe('blocking', () => {
  it('reports the pairs each rule makes and the new ones it adds to the earlier rules', () => {
    const { blocking, candidates } = linkRecords(FEED, REGISTRY, settings());
    assert.deepEqual(
      blocking.rules.map((r) => [r.name, r.pairs, r.newPairs]),
      [
        ['id', 1, 1],
        ['date+sex', 3, 2],
        ['surname+year', 5, 2],
      ],
    );
    assert.equal(blocking.candidatePairs, 5);
    assert.equal(blocking.totalPairs, 12);
    const pairs = new Set(Array.from(candidates.left, (i, c) => `L${i}-R${candidates.right[c]}`));
    assert.deepEqual([...pairs].sort(), ['L0-R0', 'L0-R1', 'L1-R2', 'L2-R0', 'L2-R1']);
  });

  it('skips a block larger than the cap and says which', () => {
    const { blocking } = linkRecords(FEED, REGISTRY, settings({ maxBlockPairs: 3 }));
    const rule = blocking.rules[2]!;
    assert.equal(rule.cappedBlocks, 1);
    assert.equal(rule.cappedPairs, 4);
    assert.deepEqual(rule.largestCapped, [{ key: 'wang + 1990', left: 2, right: 2, pairs: 4 }]);
    assert.equal(rule.pairs, 1);
    assert.equal(rule.newPairs, 0);
  });

  it('pairs each record with the later ones only when deduplicating one file', () => {
    const { blocking, candidates } = linkRecords(REGISTRY, undefined, settings());
    assert.equal(blocking.totalPairs, 6);
    assert.equal(blocking.candidatePairs, 1);
    assert.deepEqual([candidates.left[0], candidates.right[0]], [0, 1]);
  });

  it('refuses blocking that would make too many pairs, before comparing any', () => {
    assert.throws(
      () => linkRecords(FEED, REGISTRY, settings({ maxCandidatePairs: 4 })),
      (error: Error & { code?: string }) =>
        error.code === 'invalid_config' && /more than the limit of 4/.test(error.message),
    );
  });
});
