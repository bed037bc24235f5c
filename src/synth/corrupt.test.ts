import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { composeResidentId, computeCheckChar } from '../domain/resident-id.ts';
import { changeIdDigit, swapDayMonth, transposeIdDigits } from './corrupt.ts';
import { Rng } from './rng.ts';

describe('record errors', () => {
  const id = composeResidentId('620881', '1987-10-18', 311);
  const rng = new Rng(1, 'corrupt');

  it('transposes two adjacent digits, which the check character catches', () => {
    for (let i = 0; i < 50; i++) {
      const bad = transposeIdDigits(id, rng);
      const diff = [...id].flatMap((c, k) => (c === bad[k] ? [] : [k]));
      assert.equal(diff.length, 2);
      assert.equal(diff[1]! - diff[0]!, 1);
      assert.notEqual(bad[17], computeCheckChar(bad.slice(0, 17)));
    }
  });

  it('changes one digit, which the check character catches', () => {
    for (let i = 0; i < 50; i++) {
      const bad = changeIdDigit(id, rng);
      assert.equal([...id].filter((c, k) => c !== bad[k]).length, 1);
      assert.notEqual(bad[17], computeCheckChar(bad.slice(0, 17)));
    }
  });

  it('swaps day and month only where the result is another date', () => {
    assert.equal(swapDayMonth('2019-03-07'), '2019-07-03');
    assert.equal(swapDayMonth('2019-03-13'), undefined);
    assert.equal(swapDayMonth('2019-05-05'), undefined);
  });
});
