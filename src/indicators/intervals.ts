/**
 * Small numbers, honestly: 95% intervals for counts, rates, proportions and the sex ratio at
 * birth, and flags for figures built on too few events. Pure functions, no I/O.
 *
 * The special functions (log-gamma, regularised incomplete gamma and beta and their inverses)
 * are written here rather than taken from a package: they are short, and the exact Poisson
 * interval has to be right at 0 and 1 events, which is where small units live.
 */
import { type Text, text } from '../domain/i18n.ts';

/** A note attached to a figure: why it may not mean what it seems to. */
export interface Flag {
  code: string;
  message: Text;
}

/** Thresholds below which a figure is flagged as resting on small numbers. Data, not code: pass your own. */
export interface SmallNumberRules {
  /** Fewer events than this: the relative standard error of a Poisson count exceeds about 22%. */
  minEvents: number;
  /** Smallest denominator for a rate, keyed by its multiplier ("1000" for ‰, "100" for %). */
  minDenominator: Record<string, number>;
}

/** The default rules: < 20 events, or a ‰ rate on fewer than 1,000 persons (one event moves it by > 1‰). */
export const DEFAULT_SMALL_NUMBER_RULES: SmallNumberRules = {
  minEvents: 20,
  minDenominator: { '1': 0, '100': 100, '1000': 1000, '100000': 100000 },
};

/** A two-sided interval; `null` for an end that is unbounded or undefined. */
export interface Interval {
  lower: number | null;
  upper: number | null;
  level: number;
  method: string;
}

// ---------------------------------------------------------------------------------------------
// Special functions

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Regularised lower incomplete gamma P(a, x) = γ(a, x) / Γ(a), for a > 0, x ≥ 0. */
export function regularizedGammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  if (x < a + 1) return gammaSeries(a, x);
  return 1 - gammaContinuedFraction(a, x);
}

/** Regularised upper incomplete gamma Q(a, x) = 1 − P(a, x), computed without cancellation. */
export function regularizedGammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  if (x < a + 1) return 1 - gammaSeries(a, x);
  return gammaContinuedFraction(a, x);
}

function gammaSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < 1000; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

// Modified Lentz evaluation of the continued fraction for Q(a, x), valid for x ≥ a + 1.
function gammaContinuedFraction(a: number, x: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/** The x with P(a, x) = p: the p-quantile of a Gamma(a, 1) variable (a > 0, 0 ≤ p ≤ 1). */
export function inverseRegularizedGammaP(a: number, p: number): number {
  if (!(a > 0)) throw new RangeError(`shape must be positive: ${a}`);
  if (p <= 0) return 0;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  // Start from Wilson–Hilferty, then Newton steps kept inside a bracket that bisection narrows.
  const z = normalQuantileApprox(p);
  let x = a * (1 - 1 / (9 * a) + (z / 3) * Math.sqrt(1 / a)) ** 3;
  if (!(x > 0) || a < 1) x = Math.max(x || 0, (p * Math.exp(logGamma(a + 1))) ** (1 / a));
  if (!(x > 0) || !Number.isFinite(x)) x = a;
  let lo = 0;
  let hi = Math.max(2 * x, a + 10 * Math.sqrt(a) + 10);
  while (regularizedGammaP(a, hi) < p) hi *= 2;
  const logGammaA = logGamma(a);
  for (let i = 0; i < 200; i++) {
    const f = regularizedGammaP(a, x) - p;
    if (f === 0) return x;
    if (f < 0) lo = x;
    else hi = x;
    const density = Math.exp(-x + (a - 1) * Math.log(x) - logGammaA);
    let next = density > 0 ? x - f / density : Number.NaN;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - x) <= 1e-14 * Math.max(1, x)) return next;
    x = next;
  }
  return x;
}

/** The p-quantile of the chi-square distribution with df degrees of freedom (df may be fractional). */
export function chiSquareQuantile(p: number, df: number): number {
  return 2 * inverseRegularizedGammaP(df / 2, p);
}

// Acklam's rational approximation (relative error < 1.2e-9): a starting value for the Newton steps.
const ACKLAM_A = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
  2.506628277459239,
];
const ACKLAM_B = [
  -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
];
const ACKLAM_C = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const ACKLAM_D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];

function polynomial(coefficients: number[], x: number): number {
  return coefficients.reduce((sum, c) => sum * x + c, 0);
}

function normalQuantileApprox(p: number): number {
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return polynomial(ACKLAM_C, q) / (polynomial(ACKLAM_D, q) * q + 1);
  }
  if (p > 1 - low) return -normalQuantileApprox(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (polynomial(ACKLAM_A, r) * q) / (polynomial(ACKLAM_B, r) * r + 1);
}

/** The p-quantile of the standard normal distribution, exact to about 1e-14 (via P(½, z²/2) = erf). */
export function normalQuantile(p: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  if (p === 0.5) return 0;
  // Φ(−|z|) = (1 − P(½, z²/2)) / 2, so |z| = √(2 · P⁻¹(½, 1 − 2·min(p, 1 − p))).
  const tail = Math.min(p, 1 - p);
  const z = Math.sqrt(2 * inverseRegularizedGammaP(0.5, 1 - 2 * tail));
  return p < 0.5 ? -z : z;
}

/** Regularised incomplete beta I_x(a, b) for a, b > 0 and 0 ≤ x ≤ 1. */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < 1000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return h;
}

/** The x with I_x(a, b) = p (bisection: I is monotone in x, and 100 halvings reach double precision). */
export function inverseRegularizedBeta(p: number, a: number, b: number): number {
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (regularizedBeta(mid, a, b) < p) lo = mid;
    else hi = mid;
    if (hi - lo < 1e-15) break;
  }
  return (lo + hi) / 2;
}

// ---------------------------------------------------------------------------------------------
// Intervals

function checkLevel(level: number): void {
  if (!(level > 0 && level < 1)) throw new RangeError(`confidence level must be between 0 and 1: ${level}`);
}

/** Exact (Garwood) interval for a Poisson mean given a count: [χ²(α/2; 2k)/2, χ²(1−α/2; 2k+2)/2]; 0 events → [0, 3.689]. */
export function poissonInterval(events: number, level = 0.95): Interval {
  checkLevel(level);
  if (!(events >= 0) || !Number.isFinite(events))
    throw new RangeError(`events must be a count ≥ 0: ${events}`);
  const alpha = 1 - level;
  return {
    lower: events === 0 ? 0 : inverseRegularizedGammaP(events, alpha / 2),
    upper: inverseRegularizedGammaP(events + 1, 1 - alpha / 2),
    level,
    method: 'poisson-exact',
  };
}

/** Wilson score interval for a proportion k/n; `null` ends when n = 0. */
export function wilsonInterval(successes: number, trials: number, level = 0.95): Interval {
  checkLevel(level);
  if (trials <= 0) return { lower: null, upper: null, level, method: 'wilson' };
  const z = normalQuantile(1 - (1 - level) / 2);
  const p = successes / trials;
  const z2n = (z * z) / trials;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / trials + (z * z) / (4 * trials * trials));
  // At k = 0 and k = n the exact ends are 0 and 1; rounding would otherwise leave 1e-17 residues.
  return {
    lower: successes === 0 ? 0 : Math.max(0, centre - half),
    upper: successes === trials ? 1 : Math.min(1, centre + half),
    level,
    method: 'wilson',
  };
}

/** Clopper–Pearson (exact binomial) interval for a proportion k/n; `null` ends when n = 0. */
export function clopperPearsonInterval(successes: number, trials: number, level = 0.95): Interval {
  checkLevel(level);
  if (trials <= 0) return { lower: null, upper: null, level, method: 'clopper-pearson' };
  const alpha = 1 - level;
  return {
    lower: successes === 0 ? 0 : inverseRegularizedBeta(alpha / 2, successes, trials - successes + 1),
    upper:
      successes === trials ? 1 : inverseRegularizedBeta(1 - alpha / 2, successes + 1, trials - successes),
    level,
    method: 'clopper-pearson',
  };
}

// ---------------------------------------------------------------------------------------------
// Estimates with their intervals and flags

/** A rate: events / exposure × per, with its interval and small-number flags. */
export interface RateEstimate {
  events: number;
  exposure: number;
  /** The multiplier: 1000 for ‰, 100 for %, 1 for a plain rate. */
  per: number;
  /** `null` when the exposure is 0: no rate exists. */
  value: number | null;
  interval: Interval;
  flags: Flag[];
}

/** Flags for a figure built on `events` events over a denominator, by the given rules. */
export function smallNumberFlags(
  events: number,
  denominator: number,
  per: number,
  rules: SmallNumberRules = DEFAULT_SMALL_NUMBER_RULES,
): Flag[] {
  const flags: Flag[] = [];
  if (denominator <= 0) {
    flags.push({
      code: 'zero_denominator',
      message: text('分母为 0，无法计算', 'The denominator is 0: there is no rate'),
    });
    return flags;
  }
  if (events < rules.minEvents) {
    flags.push({
      code: 'few_events',
      message: text(
        `仅基于 ${events} 个事件（少于 ${rules.minEvents}），数值不稳定，请看置信区间`,
        `Based on ${events} events (fewer than ${rules.minEvents}): unstable, read the interval`,
      ),
    });
  }
  const minDenominator = rules.minDenominator[String(per)];
  if (minDenominator !== undefined && denominator < minDenominator) {
    flags.push({
      code: 'small_denominator',
      message: text(
        `分母仅 ${formatCount(denominator)}（少于 ${formatCount(minDenominator)}），一个事件即可使数值变动超过 1 个单位`,
        `The denominator is only ${formatCount(denominator)} (under ${formatCount(minDenominator)}): one event moves the figure by more than one unit`,
      ),
    });
  }
  return flags;
}

function formatCount(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(1);
}

/** A rate with an exact Poisson interval: crude birth and death rates (‰), ASFR, GFR. */
export function estimateRate(
  events: number,
  exposure: number,
  options: { per?: number; level?: number; rules?: SmallNumberRules } = {},
): RateEstimate {
  const per = options.per ?? 1000;
  const level = options.level ?? 0.95;
  const count = poissonInterval(events, level);
  const flags = smallNumberFlags(events, exposure, per, options.rules);
  if (exposure <= 0) {
    return { events, exposure, per, value: null, interval: { ...count, lower: null, upper: null }, flags };
  }
  const scale = per / exposure;
  return {
    events,
    exposure,
    per,
    value: events * scale,
    interval: { ...count, lower: count.lower! * scale, upper: count.upper! * scale },
    flags,
  };
}

/** A proportion k/n × per (default %) with a Wilson (default) or Clopper–Pearson interval. */
export function estimateProportion(
  successes: number,
  trials: number,
  options: {
    per?: number;
    level?: number;
    method?: 'wilson' | 'clopper-pearson';
    rules?: SmallNumberRules;
  } = {},
): RateEstimate {
  const per = options.per ?? 100;
  const level = options.level ?? 0.95;
  if (successes > trials) throw new RangeError(`successes ${successes} exceed trials ${trials}`);
  const interval =
    options.method === 'clopper-pearson'
      ? clopperPearsonInterval(successes, trials, level)
      : wilsonInterval(successes, trials, level);
  // For a proportion the informative count is the smaller of the two outcomes.
  const flags = smallNumberFlags(Math.min(successes, trials - successes), trials, per, {
    ...(options.rules ?? DEFAULT_SMALL_NUMBER_RULES),
    minDenominator: {},
  });
  return {
    events: successes,
    exposure: trials,
    per,
    value: trials > 0 ? (successes / trials) * per : null,
    interval: {
      ...interval,
      lower: interval.lower === null ? null : interval.lower * per,
      upper: interval.upper === null ? null : interval.upper * per,
    },
    flags,
  };
}

/** The sex ratio at birth with its interval. */
export interface SexRatioEstimate {
  males: number;
  females: number;
  /** males × 100 / females; `null` when there are no female births. */
  value: number | null;
  /** From the interval of the proportion male p, transformed by 100·p/(1 − p); `upper` is null when unbounded. */
  interval: Interval;
  flags: Flag[];
}

/** Sex ratio at birth (males × 100 / females) with a 95% interval from the binomial proportion of males. */
export function estimateSexRatioAtBirth(
  males: number,
  females: number,
  options: { level?: number; method?: 'wilson' | 'clopper-pearson'; rules?: SmallNumberRules } = {},
): SexRatioEstimate {
  const level = options.level ?? 0.95;
  const births = males + females;
  const p =
    options.method === 'clopper-pearson'
      ? clopperPearsonInterval(males, births, level)
      : wilsonInterval(males, births, level);
  const toRatio = (share: number | null): number | null =>
    share === null || share >= 1 ? null : (100 * share) / (1 - share);
  const rules = options.rules ?? DEFAULT_SMALL_NUMBER_RULES;
  const flags: Flag[] = [];
  if (births === 0) {
    flags.push({ code: 'zero_denominator', message: text('没有出生', 'There are no births') });
  } else if (females === 0) {
    flags.push({
      code: 'no_female_births',
      message: text('没有女婴出生，性别比无法计算', 'No female births: the sex ratio is undefined'),
    });
  }
  // The SRB's natural spread is wide: ±3 points needs about 4,000 births a year.
  if (births > 0 && births < rules.minEvents) {
    flags.push({
      code: 'few_events',
      message: text(
        `仅基于 ${births} 个出生（少于 ${rules.minEvents}），性别比极不稳定`,
        `Based on ${births} births (fewer than ${rules.minEvents}): the sex ratio is very unstable`,
      ),
    });
  }
  return {
    males,
    females,
    value: females > 0 ? (100 * males) / females : null,
    interval: { ...p, lower: toRatio(p.lower), upper: toRatio(p.upper) },
    flags,
  };
}
