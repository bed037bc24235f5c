import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  chiSquareQuantile,
  clopperPearsonInterval,
  DEFAULT_SMALL_NUMBER_RULES,
  estimateProportion,
  estimateRate,
  estimateSexRatioAtBirth,
  inverseRegularizedGammaP,
  normalQuantile,
  poissonInterval,
  regularizedBeta,
  regularizedGammaP,
  wilsonInterval,
} from './intervals.ts';

const close = (actual: number | null, expected: number, tolerance: number, label = '') => {
  assert.ok(actual !== null, `${label}: got null`);
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${label}: ${actual} is not within ${tolerance} of ${expected}`,
  );
};

describe('special functions', () => {
  it('match tabled quantiles of the normal and chi-square distributions', () => {
    close(normalQuantile(0.975), 1.959963984540054, 1e-12, 'z 0.975');
    close(normalQuantile(0.025), -1.959963984540054, 1e-12, 'z 0.025');
    close(normalQuantile(0.995), 2.5758293035489, 1e-10, 'z 0.995');
    close(normalQuantile(1e-10), -6.361340902404056, 1e-7, 'z 1e-10');
    close(chiSquareQuantile(0.95, 1), 3.841458820694124, 1e-9, 'chi2 0.95 df 1');
    close(chiSquareQuantile(0.05, 10), 3.940299136119059, 1e-9, 'chi2 0.05 df 10');
    close(chiSquareQuantile(0.975, 100), 129.5611972, 1e-6, 'chi2 0.975 df 100');
  });

  it('invert the regularised gamma and beta functions', () => {
    for (const a of [0.05, 0.5, 1, 3.7, 20, 1000]) {
      for (const p of [1e-6, 0.025, 0.5, 0.975, 1 - 1e-6]) {
        const x = inverseRegularizedGammaP(a, p);
        close(regularizedGammaP(a, x), p, 1e-10, `P(${a}, x) = ${p}`);
      }
    }
    // I_x(1, 1) is the uniform distribution function; I_0.5(a, a) = 0.5 by symmetry.
    close(regularizedBeta(0.3, 1, 1), 0.3, 1e-14);
    close(regularizedBeta(0.5, 7, 7), 0.5, 1e-12);
  });
});

describe('poissonInterval', () => {
  it('gives the exact interval: 0 events → [0, 3.689], 10 → [4.795, 18.39]', () => {
    const zero = poissonInterval(0);
    assert.equal(zero.lower, 0);
    close(zero.upper, 3.688879, 1e-6, '0 upper');
    const ten = poissonInterval(10);
    close(ten.lower, 4.795389, 1e-6, '10 lower');
    close(ten.upper, 18.390356, 1e-6, '10 upper');
    const one = poissonInterval(1);
    close(one.lower, 0.025318, 1e-6, '1 lower');
    close(one.upper, 5.571643, 1e-6, '1 upper');
  });

  it('narrows towards the normal approximation for large counts', () => {
    const big = poissonInterval(10_000);
    close(big.lower, 10_000 - 1.96 * 100, 2, 'lower');
    close(big.upper, 10_000 + 1.96 * 100, 2, 'upper');
  });
});

describe('estimateRate', () => {
  it('scales the count interval by per / exposure and flags small numbers', () => {
    // A village: 3 births among 620 people in a year.
    const rate = estimateRate(3, 620);
    close(rate.value, 4.8387, 1e-4, 'CBR ‰');
    close(rate.interval.lower, (0.618672 / 620) * 1000, 1e-4, 'lower');
    close(rate.interval.upper, (8.767273 / 620) * 1000, 1e-4, 'upper');
    assert.deepEqual(
      rate.flags.map((f) => f.code),
      ['few_events', 'small_denominator'],
    );
  });

  it('is honest with 0 events and with no exposure', () => {
    const none = estimateRate(0, 5000);
    assert.equal(none.value, 0);
    assert.equal(none.interval.lower, 0);
    close(none.interval.upper, (3.688879 / 5000) * 1000, 1e-6);
    const empty = estimateRate(0, 0);
    assert.equal(empty.value, null);
    assert.equal(empty.interval.upper, null);
    assert.deepEqual(
      empty.flags.map((f) => f.code),
      ['zero_denominator'],
    );
  });

  it('takes its thresholds as data', () => {
    const strict = { ...DEFAULT_SMALL_NUMBER_RULES, minEvents: 50 };
    assert.deepEqual(
      estimateRate(30, 100_000, { rules: strict }).flags.map((f) => f.code),
      ['few_events'],
    );
    assert.deepEqual(estimateRate(30, 100_000).flags, []);
  });
});

describe('proportions', () => {
  it('Wilson and Clopper–Pearson match published values for 5 of 20', () => {
    const wilson = wilsonInterval(5, 20);
    close(wilson.lower, 0.1119, 1e-4, 'wilson lower');
    close(wilson.upper, 0.4687, 1e-4, 'wilson upper');
    const exact = clopperPearsonInterval(5, 20);
    close(exact.lower, 0.0866, 1e-4, 'CP lower');
    close(exact.upper, 0.491, 1e-4, 'CP upper');
    // The rule of three, exactly: 0 of 10 → upper 1 − 0.025^(1/10).
    close(clopperPearsonInterval(0, 10).upper, 1 - 0.025 ** (1 / 10), 1e-12, 'CP 0/10');
  });

  it('reports a percentage with its interval', () => {
    const accuracy = estimateProportion(188, 200);
    close(accuracy.value, 94, 1e-12);
    assert.ok(accuracy.interval.lower! < 94 && accuracy.interval.upper! > 94);
    assert.equal(estimateProportion(0, 0).value, null);
  });
});

describe('estimateSexRatioAtBirth', () => {
  it('transforms the Wilson interval of the share of boys', () => {
    const srb = estimateSexRatioAtBirth(560, 500);
    close(srb.value, 112, 1e-12);
    // By hand: p = 560/1060, Wilson [0.498200, 0.558194]; SRB = 100·p/(1 − p).
    const z = 1.959963984540054;
    const n = 1060;
    const p = 560 / n;
    const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
    const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
    close(srb.interval.lower, (100 * (centre - half)) / (1 - centre + half), 1e-9, 'lower');
    close(srb.interval.upper, (100 * (centre + half)) / (1 - centre - half), 1e-9, 'upper');
    close(srb.interval.lower, 99.28, 0.01);
    close(srb.interval.upper, 126.35, 0.01);
    assert.deepEqual(srb.flags, []);
  });

  it('shows how wide the interval is for a county-sized year of births', () => {
    // 2020 census-like 111.3 on 2,110 births: the interval still spans about ±10 points.
    const srb = estimateSexRatioAtBirth(1111, 999);
    close(srb.value, 111.21, 0.01);
    assert.ok(srb.interval.lower! < 103 && srb.interval.upper! > 120);
  });

  it('flags too few births and an undefined ratio', () => {
    const tiny = estimateSexRatioAtBirth(7, 5);
    close(tiny.value, 140, 1e-12);
    assert.deepEqual(
      tiny.flags.map((f) => f.code),
      ['few_events'],
    );
    const noGirls = estimateSexRatioAtBirth(3, 0);
    assert.equal(noGirls.value, null);
    assert.equal(noGirls.interval.upper, null);
    assert.ok(noGirls.interval.lower! > 0);
    assert.deepEqual(
      noGirls.flags.map((f) => f.code),
      ['no_female_births', 'few_events'],
    );
    const exact = estimateSexRatioAtBirth(560, 500, { method: 'clopper-pearson' });
    assert.equal(exact.interval.method, 'clopper-pearson');
    assert.ok(exact.interval.lower! < 99.28 && exact.interval.upper! > 126.35);
  });
});
