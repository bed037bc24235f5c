import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ageStructure,
  DEFAULT_RATES,
  deathRate,
  fertilityRates,
  lifeExpectancy,
  resolveRates,
  valueForYear,
} from './rates.ts';

describe('rates', () => {
  it('has life expectancy near 2020 China: about 75 for men, 81 for women, 78 for both', () => {
    const e0 = (sex: 'male' | 'female') =>
      lifeExpectancy(
        Array.from({ length: 111 }, (_, age) => deathRate(DEFAULT_RATES, sex, age, 2020)),
        sex,
      );
    const [men, women] = [e0('male'), e0('female')];
    assert.ok(Math.abs(men - 75.4) < 0.5, `men ${men.toFixed(2)}`);
    assert.ok(Math.abs(women - 80.9) < 0.5, `women ${women.toFixed(2)}`);
    const both = (men * 105 + women * 100) / 205;
    assert.ok(Math.abs(both - 78) < 0.5, `both ${both.toFixed(2)}`);
    assert.ok(deathRate(DEFAULT_RATES, 'male', 0, 2020) < 0.007, 'infant mortality about 5.5 ‰');
  });

  it('scales age-specific fertility to the year’s total fertility rate', () => {
    for (const year of [2016, 2020, 2025]) {
      const tfr = 5 * fertilityRates(DEFAULT_RATES, year).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(tfr - valueForYear(DEFAULT_RATES.fertility.tfrByYear, year)) < 1e-9);
    }
    assert.equal(valueForYear({ '2016': 1, '2020': 2 }, 2030), 2);
    assert.equal(valueForYear({ '2016': 1, '2020': 2 }, 2010), 1);
    assert.equal(valueForYear({ '2016': 1, '2020': 2 }, 2018), 1, 'ties go to the earlier year');
  });

  it('gives the census shape: 0–14 about 18 %, 65+ about 13.5 %, sex ratio about 105', () => {
    const { male, female } = ageStructure(DEFAULT_RATES);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum(male.slice(0, 3)) + sum(female.slice(0, 3)) - 0.1795) < 0.003);
    assert.ok(Math.abs(sum(male.slice(13)) + sum(female.slice(13)) - 0.135) < 0.003);
    assert.ok(Math.abs((100 * sum(male)) / sum(female) - 105.07) < 0.5);
  });

  it('merges overrides deeply and replaces arrays', () => {
    const rates = resolveRates({
      fertility: { sexRatioAtBirth: 105 },
      feeds: { birthCertificates: { homophone: 0.5 } },
    });
    assert.equal(rates.fertility.sexRatioAtBirth, 105);
    assert.equal(rates.fertility.tfrByYear['2020'], 1.3);
    assert.equal(rates.feeds.birthCertificates.homophone, 0.5);
    assert.equal(rates.feeds.birthCertificates.typo, DEFAULT_RATES.feeds.birthCertificates.typo);
    assert.equal(DEFAULT_RATES.fertility.sexRatioAtBirth, 110, 'defaults untouched');
  });
});
