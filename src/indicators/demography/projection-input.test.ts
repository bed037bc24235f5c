import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readProjectionJson } from './projection-input.ts';

const ages = ['0', '1-4', '5-9', '10+'];
const valid = {
  baseYear: 2025,
  population: { ages: ['0-4', '5-9', '10+'], male: [10, 10, 30], female: [10, 10, 30] },
  mortality: {
    male: { ages, mx: [0.01, 0.001, 0.001, 0.05] },
    female: { ages, deaths: [1, 0, 0, 3], population: [100, 400, 500, 100] },
  },
  fertility: { ages: ['5-9'], asfr: [0.1] },
  assumptions: { tfr: 1.2 },
};

describe('readProjectionJson', () => {
  it('turns labelled ages into age groups and deaths/population into rates', () => {
    const result = readProjectionJson(valid);
    assert.ok(result.ok);
    if (!result.ok) return;
    assert.deepEqual(
      result.value.mortality.female.map((g) => g.mx),
      [0.01, 0, 0, 0.03],
    );
    assert.deepEqual(result.value.fertility, [{ start: 5, width: 5, asfr: 0.1 }]);
    assert.deepEqual(result.value.assumptions?.tfr, [{ year: 0, value: 1.2 }]);
  });

  it('lists every problem with its path', () => {
    const result = readProjectionJson({
      ...valid,
      baseYear: '2025',
      population: { ages: ['0-4', '5-9', '10-14'], male: [10, 'x', 30], female: [10, 10] },
      mortality: { male: { ages: ['0', 'old'], mx: [0.1] } },
    });
    assert.ok(!result.ok);
    if (result.ok) return;
    assert.deepEqual(
      result.issues.map((i) => i.field),
      [
        'baseYear',
        'population.male.1',
        'population.female',
        'population.ages',
        'mortality.male.ages.1',
        'mortality.male.mx',
        'mortality.female',
      ],
    );
  });
});
