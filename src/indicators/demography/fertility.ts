/**
 * Period fertility: age-specific fertility rates, the total fertility rate, the general fertility
 * rate and the mean age at childbearing, each with its 95% interval. Pure: numbers in, numbers out.
 */
import { type Checked, type FieldIssue, fieldIssue } from '../../domain/errors.ts';
import { shown, text } from '../../domain/i18n.ts';
import {
  chiSquareQuantile,
  DEFAULT_SMALL_NUMBER_RULES,
  estimateRate,
  type Flag,
  type Interval,
  normalQuantile,
  type RateEstimate,
  type SmallNumberRules,
} from '../intervals.ts';
import { type AgeGroup, checkAgeGroups, formatAgeGroup } from './age-groups.ts';

/** Births to mothers of one age group and the average number of women in it. */
export interface FertilityGroup extends AgeGroup {
  width: number;
  births: number;
  /** Average (mid-period) women in the group: (start + end) / 2 for a year. */
  women: number;
}

export interface AsfrRow {
  age: string;
  start: number;
  width: number;
  births: number;
  women: number;
  /** Births per woman per year; `null` when the group has no women. */
  asfr: number | null;
  /** Exact Poisson interval of the ASFR (births per woman). */
  interval: Interval;
  flags: Flag[];
}

export interface FertilityResult {
  groups: AsfrRow[];
  /** Σ width × ASFR: 5 × Σ ASFR for five-year groups. */
  tfr: { value: number; interval: Interval };
  /** Births per 1,000 women aged 15–49 (all births, whatever the mother's age, over women 15–49). */
  gfr: RateEstimate;
  /** Σ (mid-age × ASFR) / Σ ASFR, with a delta-method interval; `null` without births. */
  meanAgeAtChildbearing: { value: number; interval: Interval } | null;
  totalBirths: number;
  /** Women in the groups that fall within ages 15–49. */
  women15to49: number;
  flags: Flag[];
}

/** The standard five-year groups of the childbearing ages, 15–19 … 45–49. */
export const FERTILITY_AGE_GROUPS: { start: number; width: number }[] = [15, 20, 25, 30, 35, 40, 45].map(
  (start) => ({ start, width: 5 }),
);

/**
 * ASFR, TFR, GFR and mean age at childbearing from births by mother's age group and average women.
 * The TFR interval is the gamma interval for a weighted sum of Poisson counts (Fay & Feuer 1997),
 * which stays honest at few or no births.
 */
export function computeFertility(
  groups: FertilityGroup[],
  options: { level?: number; rules?: SmallNumberRules } = {},
): Checked<FertilityResult> {
  const level = options.level ?? 0.95;
  const rules = options.rules ?? DEFAULT_SMALL_NUMBER_RULES;
  const issues: FieldIssue[] = [...checkAgeGroups(groups, { forbidOpen: true })];
  groups.forEach((group, i) => {
    const age = formatAgeGroup(group);
    for (const [key, zh, en] of [
      ['births', '出生数', 'births'],
      ['women', '妇女人数', 'women'],
    ] as const) {
      const value = group[key];
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        issues.push(
          fieldIssue(
            'invalid_number',
            `groups.${i}.${key}`,
            `${age} 岁组的${zh}应为非负数：${shown(value)}`,
            `The ${en} of age group ${age} must be a non-negative number: ${shown(value, 'en')}`,
          ),
        );
      }
    }
    if (group.women === 0 && group.births > 0) {
      issues.push(
        fieldIssue(
          'births_without_women',
          `groups.${i}.women`,
          `${age} 岁组有 ${group.births} 个出生但妇女人数为 0`,
          `Age group ${age} has ${group.births} births but no women`,
        ),
      );
    }
  });
  if (issues.length > 0) return { ok: false, issues };

  const flags: Flag[] = [];
  const rows: AsfrRow[] = groups.map((group) => {
    const rate = estimateRate(group.births, group.women, { per: 1, level, rules });
    const rowFlags = rate.flags.filter((f) => f.code !== 'small_denominator');
    return {
      age: formatAgeGroup(group),
      start: group.start,
      width: group.width,
      births: group.births,
      women: group.women,
      asfr: rate.value,
      interval: rate.interval,
      flags: rowFlags,
    };
  });
  const noWomen = rows.filter((r) => r.women === 0).map((r) => r.age);
  if (noWomen.length > 0) {
    flags.push({
      code: 'no_exposure',
      message: text(
        `以下年龄组没有妇女，按生育率 0 计入总和生育率：${noWomen.join('、')}`,
        `No women in ${noWomen.join(', ')}: counted as fertility 0 in the TFR`,
      ),
    });
  }
  const first = groups[0]!;
  const last = groups[groups.length - 1]!;
  if (first.start > 15 || last.start + last.width < 50) {
    flags.push({
      code: 'partial_age_range',
      message: text(
        `年龄组为 ${formatAgeGroup(first)} 至 ${formatAgeGroup(last)}，未覆盖 15–49 岁，总和生育率偏低`,
        `The groups run from ${formatAgeGroup(first)} to ${formatAgeGroup(last)} and do not cover ages 15–49: the TFR is understated`,
      ),
    });
  }

  // TFR = Σ w_i B_i with w_i = width_i / W_i: a weighted sum of independent Poisson counts.
  const weights = groups.map((g) => (g.women > 0 ? g.width / g.women : 0));
  const y = groups.reduce((sum, g, i) => sum + weights[i]! * g.births, 0);
  const v = groups.reduce((sum, g, i) => sum + weights[i]! ** 2 * g.births, 0);
  const wMax = Math.max(0, ...weights);
  const alpha = 1 - level;
  const tfrInterval: Interval = {
    lower: y > 0 ? (v / (2 * y)) * chiSquareQuantile(alpha / 2, (2 * y * y) / v) : 0,
    upper:
      wMax > 0
        ? ((v + wMax * wMax) / (2 * (y + wMax))) *
          chiSquareQuantile(1 - alpha / 2, (2 * (y + wMax) ** 2) / (v + wMax * wMax))
        : null,
    level,
    method: 'gamma-fay-feuer',
  };

  const totalBirths = groups.reduce((sum, g) => sum + g.births, 0);
  if (totalBirths < rules.minEvents) {
    flags.push({
      code: 'few_events',
      message: text(
        `仅基于 ${totalBirths} 个出生（少于 ${rules.minEvents}），生育率不稳定，请看置信区间`,
        `Based on ${totalBirths} births (fewer than ${rules.minEvents}): fertility is unstable; read the interval`,
      ),
    });
  }
  const women15to49 = groups
    .filter((g) => g.start >= 15 && g.start + g.width <= 50)
    .reduce((sum, g) => sum + g.women, 0);
  const gfr = estimateRate(totalBirths, women15to49, { per: 1000, level, rules });

  let meanAgeAtChildbearing: FertilityResult['meanAgeAtChildbearing'] = null;
  const sumAsfr = rows.reduce((sum, r) => sum + (r.asfr ?? 0), 0);
  if (sumAsfr > 0) {
    const mid = (r: AsfrRow) => r.start + r.width / 2;
    const mac = rows.reduce((sum, r) => sum + mid(r) * (r.asfr ?? 0), 0) / sumAsfr;
    // Delta method: ∂MAC/∂f_i = (mid_i − MAC) / Σf, var(f_i) = B_i / W_i².
    const variance = rows.reduce(
      (sum, r) => sum + (r.women > 0 ? ((mid(r) - mac) / sumAsfr) ** 2 * (r.births / r.women ** 2) : 0),
      0,
    );
    const z = normalQuantile(1 - alpha / 2);
    meanAgeAtChildbearing = {
      value: mac,
      interval: {
        lower: mac - z * Math.sqrt(variance),
        upper: mac + z * Math.sqrt(variance),
        level,
        method: 'delta-normal',
      },
    };
  }

  return {
    ok: true,
    value: {
      groups: rows,
      tfr: { value: y, interval: tfrInterval },
      gfr,
      meanAgeAtChildbearing,
      totalBirths,
      women15to49,
      flags,
    },
  };
}
