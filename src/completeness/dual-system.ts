/**
 * The dual-system estimate (Chandra Sekar & Deming 1949, "On a method of estimating birth and
 * death rates and the extent of registration", JASA 44:101–115): two lists of the same births
 * made independently of each other — the registry and the hospital birth certificates — and the
 * births found on both. If a birth's chance of reaching one list does not depend on whether it
 * reached the other, the share of hospital births the registry has estimates the registry's
 * completeness, and the total is N̂ = n1·n2 / m. Pure: no I/O.
 *
 * - Point estimate: Chapman's bias-corrected form N̂ = (n1+1)(n2+1)/(m+1) − 1 (Chapman 1951),
 *   nearly unbiased when n1 + n2 ≥ N, and finite at m = 0 (where it is still meaningless).
 * - Standard error: the Seber (1970) / Wittes (1972) variance of Chapman's estimator,
 *   (n1+1)(n2+1)(n1−m)(n2−m) / ((m+1)²(m+2)).
 * - 95% interval: profile likelihood of the hypergeometric model (m | N ~ Hypergeometric(N, n1,
 *   n2)), as Cormack (1992, Biometrics 48:567–576) recommends for closed populations: every N
 *   whose deviance from the maximum is at most χ²₁(0.95) = 3.841. Unlike the normal interval on
 *   the variance it never goes below the births actually seen (n1 + n2 − m), and it does not
 *   collapse to a point when one list holds the other (n2 = m), which with two near-complete
 *   lists is the usual case in a township.
 */
import { type Text, text } from '../domain/i18n.ts';

/** The 2×2 table with one cell unseen: births on list 1, on list 2, on both. */
export interface DualSystemCounts {
  /** Births on the first list (the registry). */
  n1: number;
  /** Births on the second list (the hospital birth certificates). */
  n2: number;
  /** Births on both lists. */
  m: number;
}

/** A note on an estimate: why it may not mean what it seems to. */
export interface EstimateFlag {
  code: 'no_overlap' | 'small_overlap' | 'no_second_list' | 'upper_unbounded';
  message: Text;
}

export interface DualSystemEstimate extends DualSystemCounts {
  /** Births seen on at least one list: the least the truth can be. */
  observed: number;
  /** Chapman's estimate of all births; null when there is no overlap (m = 0). */
  estimate: number | null;
  /** Standard error of the estimate (Seber/Wittes); null with the estimate. */
  standardError: number | null;
  /** 95% profile-likelihood interval; an end is null when the data cannot bound it. */
  lower: number | null;
  upper: number | null;
  /** Estimated births neither list has: estimate − observed. */
  missedByBoth: number | null;
  /** n1 / N̂ and n2 / N̂, with the interval carried through (n / upper, n / lower). */
  firstCompleteness: Share | null;
  secondCompleteness: Share | null;
  flags: EstimateFlag[];
  method: string;
}

export interface Share {
  value: number;
  lower: number | null;
  upper: number | null;
}

/** χ²₁ 95% quantile: the deviance bound of a 95% profile-likelihood interval. */
const CHI2_1_95 = 3.841458820694124;
/** Below this many births on both lists the estimate is flagged (Robson & Regier 1964: m ≥ 7). */
export const SMALL_OVERLAP = 7;
export const METHOD = 'chapman+profile-likelihood';

const logFactorials: number[] = [0];
function logFactorial(n: number): number {
  for (let k = logFactorials.length; k <= n; k++) logFactorials.push(logFactorials[k - 1]! + Math.log(k));
  return logFactorials[n]!;
}
function logChoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

/** Log-likelihood of N given the counts (terms that do not involve N left out). */
function logLikelihood(N: number, { n1, n2, m }: DualSystemCounts): number {
  return logChoose(N - n1, n2 - m) - logChoose(N, n2);
}

function checkCounts({ n1, n2, m }: DualSystemCounts) {
  for (const [name, value] of Object.entries({ n1, n2, m })) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number ≥ 0`);
  }
  if (m > n1 || m > n2) throw new RangeError('m cannot exceed n1 or n2');
}

/** The dual-system estimate of the total from two lists and their overlap, with a 95% interval and flags. */
export function estimateDualSystem(counts: DualSystemCounts): DualSystemEstimate {
  checkCounts(counts);
  const { n1, n2, m } = counts;
  const observed = n1 + n2 - m;
  const flags: EstimateFlag[] = [];
  const empty = {
    ...counts,
    observed,
    estimate: null,
    standardError: null,
    lower: null,
    upper: null,
    missedByBoth: null,
    firstCompleteness: null,
    secondCompleteness: null,
    method: METHOD,
  };
  if (n2 === 0 || n1 === 0) {
    flags.push({
      code: 'no_second_list',
      message: text(
        '其中一个来源没有记录，无法做双系统估计',
        'One of the lists is empty: no dual-system estimate',
      ),
    });
    return { ...empty, flags };
  }
  if (m === 0) {
    flags.push({
      code: 'no_overlap',
      message: text(
        '两个来源没有共同记录（m = 0），无法估计总数',
        'The lists share no birth (m = 0): the total cannot be estimated',
      ),
    });
    return { ...empty, flags };
  }
  if (m < SMALL_OVERLAP) {
    flags.push({
      code: 'small_overlap',
      message: text(
        `两个来源共同记录只有 ${m} 条，估计很不稳定`,
        `Only ${m} births on both lists: the estimate is unstable`,
      ),
    });
  }
  const estimate = ((n1 + 1) * (n2 + 1)) / (m + 1) - 1;
  const variance = ((n1 + 1) * (n2 + 1) * (n1 - m) * (n2 - m)) / ((m + 1) ** 2 * (m + 2));
  const { lower, upper } = profileInterval(counts);
  if (upper === null) {
    flags.push({
      code: 'upper_unbounded',
      message: text('区间上限无法确定', 'The interval has no finite upper end'),
    });
  }
  const share = (n: number): Share => ({
    value: n / estimate,
    lower: upper === null ? null : n / upper,
    upper: Math.min(1, n / lower),
  });
  return {
    ...counts,
    observed,
    estimate,
    standardError: Math.sqrt(variance),
    lower,
    upper,
    missedByBoth: Math.max(0, estimate - observed),
    firstCompleteness: share(n1),
    secondCompleteness: share(n2),
    flags,
    method: METHOD,
  };
}

/** Every whole N ≥ observed whose deviance from the likelihood's maximum is within χ²₁(0.95). */
function profileInterval(counts: DualSystemCounts): { lower: number; upper: number | null } {
  const { n1, n2, m } = counts;
  const observed = n1 + n2 - m;
  // The likelihood in N is unimodal with its maximum at floor(n1·n2 / m) (or at observed).
  const mode = Math.max(observed, Math.floor((n1 * n2) / m));
  const best = logLikelihood(mode, counts);
  const within = (N: number) => 2 * (best - logLikelihood(N, counts)) <= CHI2_1_95;
  let lower = mode;
  while (lower > observed && within(lower - 1)) lower--;
  const cap = Math.max(10 * mode, mode + 10_000);
  let upper = mode;
  while (upper < cap && within(upper + 1)) upper++;
  return { lower, upper: upper >= cap ? null : upper };
}

/** Adds up counts (strata, years) into one table. */
export function sumCounts(tables: Iterable<DualSystemCounts>): DualSystemCounts {
  const total = { n1: 0, n2: 0, m: 0 };
  for (const t of tables) {
    total.n1 += t.n1;
    total.n2 += t.n2;
    total.m += t.m;
  }
  return total;
}
