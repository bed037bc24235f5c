import { text } from '../domain/i18n.ts';
import type { Flag, Interval } from '../indicators/intervals.ts';
import { clusteredShareInterval } from '../indicators/quality-cube.ts';

/**
 * The accuracy rate of a field audit from its stratified household sample: a ratio estimator
 * with its 95% interval. Pure, no I/O.
 *
 * Households are the clusters (every listed member is checked), townships the strata. Each
 * surveyed household stands for N_h / n_h households of its stratum (n_h: households surveyed,
 * so a household not reached is treated as missing at random within its stratum). The variance
 * is the usual linearisation for a ratio under stratified cluster sampling without replacement:
 * Var(R) = Σ_h (1 − f_h) · n_h/(n_h − 1) · Σ_i (z_i − z̄_h)² / X², z_i = w_i·(y_i − R·x_i),
 * X = Σ w_i·x_i; the interval is Wilson's on the effective sample size (quality-cube.ts).
 */

export interface SurveyedHousehold {
  stratum: string;
  /** Fields that matched / fields checked. */
  correct: number;
  checked: number;
  /** Persons with every checked field right / persons checked. */
  personsCorrect: number;
  personsChecked: number;
}

export interface Stratum {
  code: string;
  /** Households in the frame. */
  frame: number;
}

export interface ShareEstimate {
  /** Percent. */
  value: number | null;
  interval: Interval | null;
  designEffect: number | null;
  /** The unweighted count behind it. */
  numerator: number;
  denominator: number;
}

export interface AccuracyEstimate {
  fields: ShareEstimate;
  persons: ShareEstimate;
  households: number;
  flags: Flag[];
}

function estimateRatio(
  households: readonly SurveyedHousehold[],
  strata: readonly Stratum[],
  y: (h: SurveyedHousehold) => number,
  x: (h: SurveyedHousehold) => number,
): ShareEstimate {
  const frame = new Map(strata.map((s) => [s.code, s.frame]));
  const byStratum = new Map<string, SurveyedHousehold[]>();
  for (const household of households) {
    if (x(household) <= 0) continue;
    const list = byStratum.get(household.stratum) ?? [];
    list.push(household);
    byStratum.set(household.stratum, list);
  }
  let weightedY = 0;
  let weightedX = 0;
  let rawY = 0;
  let rawX = 0;
  const weights = new Map<string, number>();
  for (const [code, list] of byStratum) {
    const weight = (frame.get(code) ?? list.length) / list.length;
    weights.set(code, weight);
    for (const h of list) {
      weightedY += weight * y(h);
      weightedX += weight * x(h);
      rawY += y(h);
      rawX += x(h);
    }
  }
  if (weightedX <= 0)
    return { value: null, interval: null, designEffect: null, numerator: 0, denominator: 0 };
  const ratio = weightedY / weightedX;
  let variance = 0;
  for (const [code, list] of byStratum) {
    const n = list.length;
    if (n < 2) continue;
    const weight = weights.get(code)!;
    const z = list.map((h) => weight * (y(h) - ratio * x(h)));
    const mean = z.reduce((a, b) => a + b, 0) / n;
    const sumSquares = z.reduce((a, b) => a + (b - mean) ** 2, 0);
    const sampled = Math.min(1, n / (frame.get(code) ?? n));
    variance += ((1 - sampled) * n * sumSquares) / (n - 1);
  }
  variance /= weightedX * weightedX;
  const share = clusteredShareInterval(ratio, variance, rawX);
  const round = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
  return {
    value: round(share.value),
    interval: share.interval
      ? { ...share.interval, lower: round(share.interval.lower), upper: round(share.interval.upper) }
      : null,
    designEffect: share.designEffect === null ? null : Math.round(share.designEffect * 100) / 100,
    numerator: rawY,
    denominator: rawX,
  };
}

/** The accuracy rate (fields, and persons fully correct) of surveyed households. */
export function estimateAccuracy(
  households: readonly SurveyedHousehold[],
  strata: readonly Stratum[],
): AccuracyEstimate {
  const surveyed = households.filter((h) => h.checked > 0);
  const flags: Flag[] = [];
  const counts = new Map<string, number>();
  for (const h of surveyed) counts.set(h.stratum, (counts.get(h.stratum) ?? 0) + 1);
  const single = [...counts.values()].filter((n) => n === 1).length;
  if (single > 0) {
    flags.push({
      code: 'single_household_stratum',
      message: text(
        `${single} 个乡镇只调查了 1 户，无法估计其方差（区间偏窄）`,
        `${single} strata have a single surveyed household: their variance cannot be estimated (the interval is too narrow)`,
      ),
    });
  }
  if (surveyed.length > 0 && surveyed.length < 30) {
    flags.push({
      code: 'few_clusters',
      message: text(
        `仅调查 ${surveyed.length} 户（少于 30 户），区间仅供参考`,
        `Only ${surveyed.length} households surveyed (fewer than 30): the interval is approximate`,
      ),
    });
  }
  return {
    fields: estimateRatio(
      surveyed,
      strata,
      (h) => h.correct,
      (h) => h.checked,
    ),
    persons: estimateRatio(
      surveyed,
      strata,
      (h) => h.personsCorrect,
      (h) => h.personsChecked,
    ),
    households: surveyed.length,
    flags,
  };
}
