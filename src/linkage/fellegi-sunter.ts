import { createRandom } from './random.ts';

/**
 * The Fellegi–Sunter model. Each comparison k has, at each level l, m = P(level l | match) and
 * u = P(level l | non-match); a pair's match weight is log2 of the prior odds plus Σ log2(m / u)
 * over its levels (a missing value, level 0, adds nothing). u comes from random pairs (almost all
 * non-matches); m and the share of matches come from expectation–maximisation over the candidate
 * pairs, no labels needed. EM runs over distinct level patterns with their counts, not over pairs:
 * thirty million pairs make a few thousand patterns.
 */

/** Distinct level patterns and how many pairs show each. levels[k][p] is comparison k's level in pattern p. */
export interface PatternCounts {
  levels: Uint8Array[];
  counts: Float64Array;
}

/** Probabilities are kept off 0 and 1 so every weight stays finite. */
const FLOOR = 1e-12;

/** Options for one EM run. */
export interface EmOptions {
  /** Levels of each comparison, null included. */
  levelCounts: readonly number[];
  /** u per comparison and level: fixed, or the starting point when estimateU is set. */
  u: readonly Float64Array[];
  /** Starting m per comparison and level; defaults from startingM. */
  m?: readonly Float64Array[];
  /** Starting share of matches among the pairs. */
  lambda?: number;
  /** Comparisons that take part; the others are ignored (kept at their starting m). */
  active?: readonly boolean[];
  /** Re-estimate u as well (classic EM); the engine keeps u from random pairs. */
  estimateU?: boolean;
  /** Per comparison, m held at a fixed value for some levels (NaN where free); the free ones share the rest. */
  fixedM?: readonly (Float64Array | undefined)[];
  maxIterations?: number;
  /** Stop when no probability moves by more than this. */
  tolerance?: number;
  /**
   * Pseudo-count added to every level in the M step (default 0.5, Jeffreys). Without it a level
   * no training match happened to show gets m ≈ 0 and a weight of −40 that no evidence can
   * outweigh (one mistyped sex would forbid a link); with it the weight says how many matches
   * were seen: about −log2(2N) for N matches.
   */
  smoothing?: number;
}

export interface EmResult {
  m: Float64Array[];
  u: Float64Array[];
  /** The share of matches among the pairs trained on. */
  lambda: number;
  expectedMatches: number;
  pairs: number;
  iterations: number;
  converged: boolean;
}

/**
 * A starting m: most matches agree exactly, fewer at each lower level, very few at else. EM
 * mixtures have more than one fixed point, and where it starts decides which it finds: begun
 * with a generous m(else), EM can settle on "twins are the same person" (they agree on birth
 * date, village, surname and mother; only their ID numbers differ), and m(else) for the ID number
 * grows to fit them. Begun with matches that rarely disagree outright, it keeps them apart.
 */
export function startingM(levelCount: number): Float64Array {
  const m = new Float64Array(levelCount);
  const last = levelCount - 1; // the else level
  if (last === 1) {
    m[1] = 1;
    return m;
  }
  m[last] = 0.001;
  if (last === 2) {
    m[1] = 0.999;
    return m;
  }
  m[1] = 0.9;
  let share = 0;
  for (let l = 2; l < last; l++) share += 2 ** -(l - 2);
  for (let l = 2; l < last; l++) m[l] = (0.099 * 2 ** -(l - 2)) / share;
  return m;
}

/** Expectation–maximisation of m (and λ, and u if asked) over pattern counts. */
export function expectationMaximisation(patterns: PatternCounts, options: EmOptions): EmResult {
  const K = options.levelCounts.length;
  const active = options.active ?? options.levelCounts.map(() => true);
  const fixedM = options.fixedM ?? [];
  const m = options.levelCounts.map((count, k) =>
    withFixed(Float64Array.from(options.m?.[k] ?? startingM(count)), fixedM[k]),
  );
  const u = options.u.map((values) => Float64Array.from(values));
  const estimateU = options.estimateU ?? false;
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-6;
  const smoothing = options.smoothing ?? 0.5;
  const mPrior = options.levelCounts.map((count) => new Float64Array(count).fill(smoothing));
  const uPrior = mPrior;
  const P = patterns.counts.length;
  let lambda = options.lambda ?? 0.1;
  let pairs = 0;
  for (let p = 0; p < P; p++) pairs += patterns.counts[p]!;
  const posterior = new Float64Array(P);
  const mSums = options.levelCounts.map((count) => new Float64Array(count));
  const uSums = options.levelCounts.map((count) => new Float64Array(count));
  let iterations = 0;
  let converged = false;
  let expectedMatches = 0;
  if (pairs === 0) return { m, u, lambda, expectedMatches: 0, pairs, iterations, converged: true };
  while (iterations < maxIterations) {
    iterations++;
    // E: the probability that each pattern is a match.
    expectedMatches = 0;
    for (let p = 0; p < P; p++) {
      let pm = lambda;
      let pu = 1 - lambda;
      for (let k = 0; k < K; k++) {
        if (!active[k]) continue;
        const l = patterns.levels[k]![p]!;
        if (l === 0) continue;
        pm *= m[k]![l]!;
        pu *= u[k]![l]!;
      }
      const w = pm + pu > 0 ? pm / (pm + pu) : 0;
      posterior[p] = w;
      expectedMatches += w * patterns.counts[p]!;
    }
    // M: new m (and u) as the expected level shares among matches (non-matches).
    for (let k = 0; k < K; k++) {
      mSums[k]!.fill(0);
      uSums[k]!.fill(0);
    }
    for (let p = 0; p < P; p++) {
      const c = patterns.counts[p]!;
      const w = posterior[p]!;
      for (let k = 0; k < K; k++) {
        if (!active[k]) continue;
        const l = patterns.levels[k]![p]!;
        if (l === 0) continue;
        mSums[k]![l]! += c * w;
        uSums[k]![l]! += c * (1 - w);
      }
    }
    let change = 0;
    for (let k = 0; k < K; k++) {
      if (!active[k]) continue;
      change = Math.max(change, normaliseInto(m[k]!, mSums[k]!, mPrior[k]!, fixedM[k]));
      if (estimateU) change = Math.max(change, normaliseInto(u[k]!, uSums[k]!, uPrior[k]!));
    }
    const nextLambda = Math.min(1 - FLOOR, Math.max(FLOOR, expectedMatches / pairs));
    change = Math.max(change, Math.abs(nextLambda - lambda));
    lambda = nextLambda;
    if (change < tolerance) {
      converged = true;
      break;
    }
  }
  return { m, u, lambda, expectedMatches, pairs, iterations, converged };
}

/**
 * Sets target to (sums + smoothing) / Σ over levels 1…; returns the largest change. Leaves target
 * when sums are all 0.
 */
function normaliseInto(
  target: Float64Array,
  sums: Float64Array,
  prior: Float64Array,
  fixed?: Float64Array,
): number {
  let total = 0;
  let free = 1;
  for (let l = 1; l < sums.length; l++) {
    if (fixed && !Number.isNaN(fixed[l]!)) free -= fixed[l]!;
    else total += sums[l]! + prior[l]!;
  }
  if (total <= 0) return 0;
  let change = 0;
  for (let l = 1; l < sums.length; l++) {
    const next =
      fixed && !Number.isNaN(fixed[l]!)
        ? fixed[l]!
        : Math.min(1 - FLOOR, Math.max(FLOOR, (free * (sums[l]! + prior[l]!)) / total));
    change = Math.max(change, Math.abs(next - target[l]!));
    target[l] = next;
  }
  return change;
}

/** m with the fixed levels set and the free ones scaled to share the rest. */
export function withFixed(m: Float64Array, fixed: Float64Array | undefined): Float64Array {
  if (!fixed) return m;
  let free = 1;
  let freeMass = 0;
  for (let l = 1; l < m.length; l++) {
    if (!Number.isNaN(fixed[l]!)) free -= fixed[l]!;
    else freeMass += m[l]!;
  }
  for (let l = 1; l < m.length; l++) {
    m[l] = Number.isNaN(fixed[l]!) ? (freeMass > 0 ? (m[l]! * free) / freeMass : 0) : fixed[l]!;
  }
  return m;
}

/**
 * u per level from level counts over random pairs, smoothed so an unseen level is not impossible.
 * Random pairs are a mixture: a share λ of them are matches, showing level l with probability m_l.
 * Given λ and m (after a first round of training) their expected counts are taken out, which
 * matters when there are few records and so many matches per pair: with a thousand records,
 * one random pair in a few thousand is a match.
 */
export function uFromCounts(counts: Float64Array, matchShare = 0, m?: Float64Array): Float64Array {
  const u = new Float64Array(counts.length);
  let pairs = 0;
  for (let l = 1; l < counts.length; l++) pairs += counts[l]!;
  const matches = m ? pairs * matchShare : 0;
  const corrected = new Float64Array(counts.length);
  let total = 0;
  for (let l = 1; l < counts.length; l++) {
    corrected[l] = Math.max(0, counts[l]! - matches * (m?.[l] ?? 0));
    total += corrected[l]!;
  }
  // Half a pair per level (Jeffreys): an agreement never seen among a million random pairs gets
  // u ≈ 1 / (2 million), not 0 and an infinite weight.
  const levels = counts.length - 1;
  for (let l = 1; l < counts.length; l++) u[l] = (corrected[l]! + 0.5) / (total + 0.5 * levels);
  return u;
}

/**
 * log2(m / u) of each level; 0 for the null level. The last level, else, never counts for a match:
 * when neither matches nor random pairs show a level (every record in one county, so "another
 * county" is never seen), smoothing alone would decide its sign.
 */
export function levelWeights(m: Float64Array, u: Float64Array): Float64Array {
  const weights = new Float64Array(m.length);
  for (let l = 1; l < m.length; l++) weights[l] = Math.log2(Math.max(m[l]!, FLOOR) / Math.max(u[l]!, FLOOR));
  const last = m.length - 1;
  if (last >= 1 && weights[last]! > 0) weights[last] = 0;
  return weights;
}

/** Match probability of a match weight (log2 odds). */
export function probabilityOfWeight(weight: number): number {
  return 1 / (1 + 2 ** -weight);
}

/** Match weight (log2 odds) of a probability. */
export function weightOfProbability(probability: number): number {
  const p = Math.min(1 - FLOOR, Math.max(FLOOR, probability));
  return Math.log2(p / (1 - p));
}

/**
 * The prior λ = P(two random records match), estimated over all pairs: the candidate pairs with
 * their Bayes factors, and every pair blocking did not make taken as a non-match. The fixed point
 * of λ = Σ_p c_p · P(match | pattern p, λ) / totalPairs — EM for λ alone with m and u held.
 */
export function estimatePrior(
  patternWeights: Float64Array,
  counts: Float64Array,
  totalPairs: number,
  maxIterations = 500,
): { prior: number; expectedMatches: number; iterations: number } {
  let candidates = 0;
  for (let p = 0; p < counts.length; p++) candidates += counts[p]!;
  if (candidates === 0 || totalPairs <= 0) return { prior: FLOOR, expectedMatches: 0, iterations: 0 };
  let prior = Math.min(0.5, (0.5 * candidates) / totalPairs);
  let expected = 0;
  let iterations = 0;
  while (iterations < maxIterations) {
    iterations++;
    const logOdds = Math.log2(prior / (1 - prior));
    expected = 0;
    for (let p = 0; p < counts.length; p++)
      expected += counts[p]! * probabilityOfWeight(logOdds + patternWeights[p]!);
    const next = Math.min(1 - FLOOR, Math.max(FLOOR, expected / totalPairs));
    const done = Math.abs(next - prior) <= prior * 1e-7;
    prior = next;
    if (done) break;
  }
  return { prior, expectedMatches: expected, iterations };
}

/** What random-pair sampling found: level counts per comparison. */
export interface RandomPairCounts {
  counts: Float64Array[];
  pairs: number;
  /** True when every pair was compared (few records), not a sample. */
  exhaustive: boolean;
}

/** What random-pair sampling needs of a comparison: its levels for a batch of pairs. */
export interface BatchLevels {
  levelCount: number;
  levels(lefts: Int32Array, rights: Int32Array, count: number, out: Uint8Array): void;
}

/**
 * Counts each comparison's levels over random pairs: all pairs when there are at most maxPairs,
 * else maxPairs pairs drawn with replacement (deduplication draws two different records). The
 * pairs are drawn first and compared one comparison at a time, which keeps each comparison's
 * arrays in cache.
 */
export function countRandomPairLevels(
  comparisons: readonly BatchLevels[],
  sizes: { left: number; right: number; dedupe: boolean },
  maxPairs: number,
  seed: number,
): RandomPairCounts {
  const { left, right, dedupe } = sizes;
  const total = dedupe ? (left * (left - 1)) / 2 : left * right;
  const exhaustive = total <= maxPairs;
  const count = exhaustive ? total : maxPairs;
  const lefts = new Int32Array(count);
  const rights = new Int32Array(count);
  if (exhaustive) {
    let n = 0;
    for (let i = 0; i < left; i++) {
      for (let j = dedupe ? i + 1 : 0; j < right; j++) {
        lefts[n] = i;
        rights[n] = j;
        n++;
      }
    }
  } else {
    const random = createRandom(seed);
    for (let n = 0; n < count; n++) {
      const i = Math.floor(random() * left);
      // Deduplication draws two different records: j from the other n − 1.
      let j = Math.floor(random() * (dedupe ? left - 1 : right));
      if (dedupe && j >= i) j++;
      lefts[n] = i;
      rights[n] = j;
    }
  }
  const levels = new Uint8Array(count);
  const counts = comparisons.map((comparison) => {
    const tally = new Float64Array(comparison.levelCount);
    comparison.levels(lefts, rights, count, levels);
    for (let n = 0; n < count; n++) tally[levels[n]!]!++;
    return tally;
  });
  return { counts, pairs: count, exhaustive };
}
