import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  estimatePrior,
  expectationMaximisation,
  levelWeights,
  type PatternCounts,
  probabilityOfWeight,
  uFromCounts,
  weightOfProbability,
} from './fellegi-sunter.ts';
import { createRandom } from './random.ts';

/** Known parameters: three comparisons, levels [null, exact, close, else]. */
const TRUE_M = [
  [0, 0.9, 0.07, 0.03],
  [0, 0.8, 0.15, 0.05],
  [0, 0.95, 0.04, 0.01],
];
const TRUE_U = [
  [0, 0.001, 0.02, 0.979],
  [0, 0.01, 0.09, 0.9],
  [0, 0.05, 0.15, 0.8],
];
const LAMBDA = 0.15;

/** Draws pairs from the model (5% of values missing) and counts their patterns. */
function samplePatterns(pairs: number, seed: number): PatternCounts {
  const random = createRandom(seed);
  const draw = (probabilities: number[]) => {
    let x = random();
    for (let l = 1; l < probabilities.length; l++) {
      x -= probabilities[l]!;
      if (x < 0) return l;
    }
    return probabilities.length - 1;
  };
  const counts = new Map<number, number>();
  for (let n = 0; n < pairs; n++) {
    const match = random() < LAMBDA;
    let code = 0;
    for (let k = 0; k < 3; k++) {
      const level = random() < 0.05 ? 0 : draw((match ? TRUE_M : TRUE_U)[k]!);
      code = code * 4 + level;
    }
    counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  const codes = [...counts.keys()];
  const levels = [0, 1, 2].map((k) => Uint8Array.from(codes, (code) => Math.floor(code / 4 ** (2 - k)) % 4));
  return { levels, counts: Float64Array.from(codes, (code) => counts.get(code)!) };
}

const close = (actual: ArrayLike<number>, expected: number[], tolerance: number, what: string) => {
  for (let l = 1; l < expected.length; l++) {
    assert.ok(
      Math.abs(actual[l]! - expected[l]!) <= tolerance,
      `${what} level ${l}: ${actual[l]} is not within ${tolerance} of ${expected[l]}`,
    );
  }
};

describe('Fellegi–Sunter', () => {
  const patterns = samplePatterns(200_000, 7);
  const levelCounts = [4, 4, 4];

  it('EM recovers the true m and λ when u is known', () => {
    const em = expectationMaximisation(patterns, { levelCounts, u: TRUE_U.map((u) => Float64Array.from(u)) });
    assert.ok(em.converged);
    assert.ok(Math.abs(em.lambda - LAMBDA) < 0.005, `λ = ${em.lambda}`);
    for (let k = 0; k < 3; k++) close(em.m[k]!, TRUE_M[k]!, 0.01, `m[${k}]`);
  });

  it('EM recovers m and u together from a rough start', () => {
    const flat = [0, 0.1, 0.2, 0.7];
    const em = expectationMaximisation(patterns, {
      levelCounts,
      u: [flat, flat, flat].map((u) => Float64Array.from(u)),
      estimateU: true,
      maxIterations: 500,
    });
    assert.ok(Math.abs(em.lambda - LAMBDA) < 0.01, `λ = ${em.lambda}`);
    for (let k = 0; k < 3; k++) {
      close(em.m[k]!, TRUE_M[k]!, 0.02, `m[${k}]`);
      close(em.u[k]!, TRUE_U[k]!, 0.02, `u[${k}]`);
    }
  });

  it('trains only the comparisons it is told to', () => {
    const start = [0, 0.5, 0.3, 0.2];
    const em = expectationMaximisation(patterns, {
      levelCounts,
      u: TRUE_U.map((u) => Float64Array.from(u)),
      m: [TRUE_M[0]!, TRUE_M[1]!, start].map((m) => Float64Array.from(m)),
      active: [true, true, false],
    });
    assert.deepEqual(Array.from(em.m[2]!), start);
    close(em.m[0]!, TRUE_M[0]!, 0.015, 'm[0]');
  });

  it('takes the matches among random pairs out of u', () => {
    // 1,000 random pairs, 10% of them matches that agree exactly 90% of the time.
    const counts = Float64Array.from([0, 90 + 9, 6 + 90, 4 + 801]);
    const naive = uFromCounts(counts);
    const corrected = uFromCounts(counts, 0.1, Float64Array.from([0, 0.9, 0.06, 0.04]));
    assert.ok(naive[1]! > 0.09);
    assert.ok(Math.abs(corrected[1]! - 9 / 900) < 0.002, `u(exact) = ${corrected[1]}`);
  });

  it('never lets disagreement count for a match', () => {
    const weights = levelWeights(
      Float64Array.from([0, 0.9, 0.09, 0.01]),
      Float64Array.from([0, 0.01, 0.09, 1e-7]),
    );
    assert.ok(weights[1]! > 6);
    assert.equal(weights[3], 0);
  });

  it('estimates the prior as the fixed point of expected matches over all pairs', () => {
    // 1,000 pairs that are surely matches, 10,000 surely not, among a million pairs in all.
    const { prior, expectedMatches } = estimatePrior(
      Float64Array.from([40, -40]),
      Float64Array.from([1000, 10_000]),
      1e6,
    );
    assert.ok(Math.abs(prior - 1e-3) < 1e-6, `λ = ${prior}`);
    assert.ok(Math.abs(expectedMatches - 1000) < 1);
  });

  it('turns weights into probabilities and back', () => {
    assert.equal(probabilityOfWeight(0), 0.5);
    assert.ok(Math.abs(weightOfProbability(probabilityOfWeight(7.25)) - 7.25) < 1e-9);
  });
});

describe('Fellegi–Sunter with m fixed by hand', () => {
  it('holds a fixed level and trains the others to share the rest', () => {
    const patterns = samplePatterns(100_000, 9);
    const fixed = Float64Array.from([Number.NaN, Number.NaN, Number.NaN, 0.001]);
    const em = expectationMaximisation(patterns, {
      levelCounts: [4, 4, 4],
      u: TRUE_U.map((u) => Float64Array.from(u)),
      fixedM: [fixed, undefined, undefined],
    });
    assert.equal(em.m[0]![3], 0.001);
    assert.ok(Math.abs(em.m[0]![1]! + em.m[0]![2]! + em.m[0]![3]! - 1) < 1e-9);
    close(em.m[1]!, TRUE_M[1]!, 0.02, 'm[1]');
  });
});
