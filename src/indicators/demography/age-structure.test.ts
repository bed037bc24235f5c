import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeAgeStructure, computeAgeStructureFromSingleYears } from './age-structure.ts';
import { buildPyramid } from './pyramid.ts';

describe('age structure and dependency ratios', () => {
  it('computes child, old-age and total dependency ratios and the shares, by hand', () => {
    // 0–14: 150; 15–59: 600; 60–64: 50; 65+: 200 → 15–64 = 650, total 1,000.
    const result = computeAgeStructure([
      { start: 0, width: 15, count: 150 },
      { start: 15, width: 45, count: 600 },
      { start: 60, width: 5, count: 50 },
      { start: 65, width: null, count: 200 },
    ]);
    assert.ok(result.ok);
    if (!result.ok) return;
    const s = result.value;
    assert.equal(s.total, 1000);
    assert.equal(s.childDependencyRatio, (150 / 650) * 100);
    assert.equal(s.oldAgeDependencyRatio, (200 / 650) * 100);
    assert.equal(s.totalDependencyRatio, (150 / 650) * 100 + (200 / 650) * 100);
    assert.deepEqual(s.shares, { age0to14: 15, age15to59: 60, age60plus: 25, age65plus: 20 });
  });

  it('works from single years and refuses groups that straddle 15, 60 or 65', () => {
    const single = computeAgeStructureFromSingleYears(Array.from({ length: 101 }, () => 10));
    assert.ok(single.ok);
    if (single.ok) assert.equal(single.value.age65plus, 360);
    const straddle = computeAgeStructure([
      { start: 0, width: 20, count: 1 },
      { start: 20, width: null, count: 1 },
    ]);
    assert.ok(!straddle.ok);
    if (!straddle.ok) assert.equal(straddle.issues[0]!.code, 'age_boundary');
    const empty = computeAgeStructureFromSingleYears(Array.from({ length: 70 }, () => 0));
    assert.ok(empty.ok);
    if (empty.ok) assert.equal(empty.value.oldAgeDependencyRatio, null);
  });
});

describe('population pyramid', () => {
  it('sums single years into five-year groups by sex with shares of the whole population', () => {
    const male = Array.from({ length: 91 }, (_, age) => (age < 85 ? 10 : 2));
    const female = Array.from({ length: 91 }, () => 10);
    const pyramid = buildPyramid({ male, female });
    assert.equal(pyramid.groups.length, 18);
    assert.equal(pyramid.total, 850 + 12 + 910);
    const first = pyramid.groups[0]!;
    assert.deepEqual([first.age, first.male, first.female], ['0-4', 50, 50]);
    const open = pyramid.groups[17]!;
    assert.deepEqual([open.age, open.male, open.female], ['85+', 12, 60]);
    assert.equal(open.sexRatio, 20);
    const shares = pyramid.groups.reduce((s, g) => s + g.maleShare + g.femaleShare, 0);
    assert.ok(Math.abs(shares - 100) < 1e-9);
  });
});
