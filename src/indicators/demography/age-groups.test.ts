import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { abridgedAgeGroups, checkAgeGroups, formatAgeGroup, parseAgeGroup } from './age-groups.ts';

describe('age groups', () => {
  it('reads the labels people write and writes them back', () => {
    assert.deepEqual(parseAgeGroup('0'), { start: 0, width: 1 });
    assert.deepEqual(parseAgeGroup('1-4'), { start: 1, width: 4 });
    assert.deepEqual(parseAgeGroup(' 5–9 '), { start: 5, width: 5 });
    assert.deepEqual(parseAgeGroup('15~19岁'), { start: 15, width: 5 });
    assert.deepEqual(parseAgeGroup('85+'), { start: 85, width: null });
    assert.deepEqual(parseAgeGroup('85岁及以上'), { start: 85, width: null });
    assert.equal(parseAgeGroup('9-5'), undefined);
    assert.equal(parseAgeGroup('old'), undefined);
    assert.deepEqual(abridgedAgeGroups(85).map(formatAgeGroup).slice(0, 3), ['0', '1-4', '5-9']);
    assert.equal(formatAgeGroup({ start: 85, width: null }), '85+');
  });

  it('finds overlaps, gaps, a misplaced open group and a missing one', () => {
    const codes = (groups: Parameters<typeof checkAgeGroups>[0], options = {}) =>
      checkAgeGroups(groups, options).map((i) => i.code);
    assert.deepEqual(codes(abridgedAgeGroups(85), { firstAge: 0, requireOpen: true }), []);
    assert.deepEqual(
      codes([
        { start: 0, width: 5 },
        { start: 3, width: 5 },
      ]),
      ['overlapping_ages'],
    );
    assert.deepEqual(
      codes([
        { start: 0, width: 5 },
        { start: 10, width: null },
      ]),
      ['age_gap'],
    );
    assert.deepEqual(
      codes([
        { start: 0, width: null },
        { start: 5, width: 5 },
      ]),
      ['overlapping_ages', 'open_group_not_last'],
    );
    assert.deepEqual(codes([{ start: 0, width: 5 }], { requireOpen: true }), ['no_open_group']);
    assert.deepEqual(codes([{ start: 1, width: null }], { firstAge: 0 }), ['first_age']);
    assert.deepEqual(codes([{ start: 15, width: null }], { forbidOpen: true }), ['open_age_group']);
  });
});
