import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { paymentPeriods } from '../web/src/pages/benefits/payment-periods.ts';

describe('payment periods offered for a selected period (web/src/pages/benefits/payment-periods.ts)', () => {
  it('splits a year of a half-yearly programme into its two halves; a quarter or month lies in one', () => {
    assert.deepEqual(paymentPeriods('semiannual', '2025'), ['2025H1', '2025H2']);
    assert.deepEqual(paymentPeriods('semiannual', '2025H2'), ['2025H2']);
    assert.deepEqual(paymentPeriods('semiannual', '2025Q2'), ['2025H1']);
    assert.deepEqual(paymentPeriods('semiannual', '2025-07'), ['2025H2']);
  });

  it('gives a monthly programme every month of the period, and an annual one its year', () => {
    assert.deepEqual(paymentPeriods('monthly', '2025Q4'), ['2025-10', '2025-11', '2025-12']);
    assert.equal(paymentPeriods('monthly', '2025').length, 12);
    assert.deepEqual(paymentPeriods('monthly', '2025-03'), ['2025-03']);
    assert.deepEqual(paymentPeriods('annual', '2025H1'), ['2025']);
  });

  it('pays a one-time programme for the period as selected', () => {
    assert.deepEqual(paymentPeriods('one_time', '2025'), ['2025']);
    assert.deepEqual(paymentPeriods(undefined, '2025Q1'), ['2025Q1']);
  });
});
