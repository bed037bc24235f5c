/**
 * Period life tables (Preston, Heuveline & Guillot, *Demography*, 2001, ch. 3), abridged
 * (0, 1–4, 5–9, …, open) or by single years of age. Pure: numbers in, a table out.
 */
import { type Checked, type FieldIssue, fieldIssue } from '../../domain/errors.ts';
import { shown, text } from '../../domain/i18n.ts';
import {
  DEFAULT_SMALL_NUMBER_RULES,
  type Flag,
  type Interval,
  normalQuantile,
  type SmallNumberRules,
} from '../intervals.ts';
import { type AgeGroup, checkAgeGroups, formatAgeGroup } from './age-groups.ts';

export type Sex = 'male' | 'female';
/** `total` is both sexes together: the Coale–Demeny a0 and 4a1 are then the mean of the two sexes' values. */
export type LifeTableSex = Sex | 'total';

/** Observed deaths and person-years (or mid-year population) in one age group. */
export interface DeathsGroup extends AgeGroup {
  deaths: number;
  population: number;
  /** Average person-years lived in the group by those who die in it; the rules below decide when absent. */
  ax?: number | undefined;
}

/** A death rate for one age group, when the rates are known but not the counts (projection, targets). */
export interface RateGroup extends AgeGroup {
  mx: number;
  ax?: number | undefined;
}

/** How the nax of a row was chosen. */
export type AxSource = 'given' | 'coale-demeny' | 'half-width' | 'open-reciprocal-m';

export interface LifeTableRow {
  /** "0", "1-4", "85+". */
  age: string;
  start: number;
  width: number | null;
  /** Observed counts; `null` for a table built from rates. */
  deaths: number | null;
  population: number | null;
  mx: number;
  ax: number;
  axSource: AxSource;
  qx: number;
  px: number;
  lx: number;
  dx: number;
  Lx: number;
  Tx: number;
  /** `null` where nobody survives to the age (lx = 0). */
  ex: number | null;
  /** Standard error of ex (Chiang's method); `null` for a table built from rates. */
  exSe: number | null;
}

export interface LifeTable {
  sex: LifeTableSex;
  radix: number;
  rows: LifeTableRow[];
  /** Life expectancy at the first age of the table (birth, for a table starting at 0). */
  e0: number;
  /** Normal interval from Chiang's variance of e0; `null` for a table built from rates. */
  e0Interval: Interval | null;
  totalDeaths: number | null;
  totalPopulation: number | null;
  flags: Flag[];
}

export interface LifeTableOptions {
  sex?: LifeTableSex;
  /** l0: 100,000 unless given. */
  radix?: number;
  level?: number;
  rules?: SmallNumberRules;
  /** Below this total population a life table is flagged as unreliable (the ONS/PHE guidance is 5,000). */
  minPopulation?: number;
}

export const DEFAULT_LIFE_TABLE_MIN_POPULATION = 5000;

/** Coale–Demeny a0 and 4a1 from the infant death rate m0, as in DESIGN.md (Preston table 3.3). */
export function coaleDemenyAx(sex: LifeTableSex, m0: number): { a0: number; a1to4: number } {
  if (sex === 'total') {
    const male = coaleDemenyAx('male', m0);
    const female = coaleDemenyAx('female', m0);
    return { a0: (male.a0 + female.a0) / 2, a1to4: (male.a1to4 + female.a1to4) / 2 };
  }
  if (m0 >= 0.107) return sex === 'male' ? { a0: 0.33, a1to4: 1.352 } : { a0: 0.35, a1to4: 1.361 };
  return sex === 'male'
    ? { a0: 0.045 + 2.684 * m0, a1to4: 1.651 - 2.816 * m0 }
    : { a0: 0.053 + 2.8 * m0, a1to4: 1.522 - 1.518 * m0 };
}

/** nqx from nmx: q = n·m / (1 + (n − a)·m) (Preston eq. 3.5). */
export function rateToProbability(mx: number, width: number, ax: number): number {
  return (width * mx) / (1 + (width - ax) * mx);
}

interface PreparedGroup extends AgeGroup {
  mx: number;
  ax?: number | undefined;
  deaths: number | null;
  population: number | null;
}

/** A period life table from deaths and person-years by age: mx → ax → qx → lx → dx → Lx → Tx → ex, with e0's interval. */
export function buildLifeTable(groups: DeathsGroup[], options: LifeTableOptions = {}): Checked<LifeTable> {
  const issues: FieldIssue[] = [...checkAgeGroups(groups, { firstAge: 0, requireOpen: true })];
  groups.forEach((group, i) => {
    const field = `groups.${i}`;
    const age = formatAgeGroup(group);
    for (const [key, zh, en] of [
      ['deaths', '死亡人数', 'deaths'],
      ['population', '人口', 'population'],
    ] as const) {
      const value = group[key];
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        issues.push(
          fieldIssue(
            'invalid_number',
            `${field}.${key}`,
            `${age} 岁组的${zh}应为非负数：${shown(value)}`,
            `The ${en} of age group ${age} must be a non-negative number: ${shown(value, 'en')}`,
          ),
        );
      }
    }
    if (group.population === 0 && group.deaths > 0) {
      issues.push(
        fieldIssue(
          'deaths_without_population',
          `${field}.population`,
          `${age} 岁组有 ${group.deaths} 个死亡但人口为 0`,
          `Age group ${age} has ${group.deaths} deaths but no population`,
        ),
      );
    }
  });
  if (issues.length > 0) return { ok: false, issues };

  const last = groups[groups.length - 1]!;
  if (last.deaths === 0) {
    const age = formatAgeGroup(last);
    return {
      ok: false,
      issues: [
        fieldIssue(
          'open_group_no_deaths',
          `groups.${groups.length - 1}.deaths`,
          `开口年龄组 ${age} 没有死亡，无法计算其存活人年（L = l/m）。请合并为更低的开口年龄组（如 ${Math.max(0, last.start - 5)}+）或合并多年数据`,
          `The open age group ${age} has no deaths, so its person-years (L = l/m) cannot be computed. Use a lower open age (e.g. ${Math.max(0, last.start - 5)}+) or pool several years`,
        ),
      ],
    };
  }

  const flags: Flag[] = [];
  const noDeaths: string[] = [];
  const noExposure: string[] = [];
  const prepared: PreparedGroup[] = groups.map((group) => {
    if (group.population === 0) noExposure.push(formatAgeGroup(group));
    else if (group.deaths === 0) noDeaths.push(formatAgeGroup(group));
    return {
      start: group.start,
      width: group.width,
      ax: group.ax,
      deaths: group.deaths,
      population: group.population,
      mx: group.population > 0 ? group.deaths / group.population : 0,
    };
  });
  if (noExposure.length > 0) {
    flags.push({
      code: 'no_exposure',
      message: text(
        `以下年龄组人口为 0，无法观察死亡，表中按无人死亡处理：${noExposure.join('、')}`,
        `No population in ${noExposure.join(', ')}: no deaths could be observed there, and the table assumes none`,
      ),
    });
  }
  if (noDeaths.length > 0) {
    flags.push({
      code: 'zero_deaths',
      message: text(
        `以下年龄组没有死亡，死亡概率按 0 计（小人口常见，区间已反映不确定性）：${noDeaths.join('、')}`,
        `No deaths in ${noDeaths.join(', ')}: the probability of dying there is taken as 0 (common in small populations; the interval reflects it)`,
      ),
    });
  }
  const totalDeaths = groups.reduce((sum, g) => sum + g.deaths, 0);
  const totalPopulation = groups.reduce((sum, g) => sum + g.population, 0);
  const rules = options.rules ?? DEFAULT_SMALL_NUMBER_RULES;
  const minPopulation = options.minPopulation ?? DEFAULT_LIFE_TABLE_MIN_POPULATION;
  if (totalPopulation < minPopulation) {
    flags.push({
      code: 'small_population',
      message: text(
        `总人口仅 ${Math.round(totalPopulation)}（少于 ${minPopulation}），预期寿命很不稳定，请看置信区间`,
        `The population is only ${Math.round(totalPopulation)} (under ${minPopulation}): life expectancy is very unstable; read the interval`,
      ),
    });
  }
  if (totalDeaths < rules.minEvents) {
    flags.push({
      code: 'few_events',
      message: text(
        `仅基于 ${totalDeaths} 个死亡（少于 ${rules.minEvents}）`,
        `Based on ${totalDeaths} deaths (fewer than ${rules.minEvents})`,
      ),
    });
  }
  const table = computeTable(prepared, options, flags);
  if (!table.ok) return table;
  const result = table.value;
  result.totalDeaths = totalDeaths;
  result.totalPopulation = totalPopulation;
  addChiangVariance(result, options.level ?? 0.95);
  return { ok: true, value: result };
}

/** A period life table from death rates nmx by age (no counts, so no interval). */
export function buildLifeTableFromRates(
  groups: RateGroup[],
  options: LifeTableOptions = {},
): Checked<LifeTable> {
  const issues: FieldIssue[] = [...checkAgeGroups(groups, { firstAge: 0, requireOpen: true })];
  groups.forEach((group, i) => {
    if (typeof group.mx !== 'number' || !Number.isFinite(group.mx) || group.mx < 0) {
      issues.push(
        fieldIssue(
          'invalid_number',
          `groups.${i}.mx`,
          `${formatAgeGroup(group)} 岁组的死亡率应为非负数：${shown(group.mx)}`,
          `The death rate of age group ${formatAgeGroup(group)} must be a non-negative number: ${shown(group.mx, 'en')}`,
        ),
      );
    }
  });
  const last = groups[groups.length - 1];
  if (issues.length === 0 && last && last.mx === 0) {
    issues.push(
      fieldIssue(
        'open_group_no_deaths',
        `groups.${groups.length - 1}.mx`,
        `开口年龄组 ${formatAgeGroup(last)} 的死亡率为 0，无法计算其存活人年`,
        `The open age group ${formatAgeGroup(last)} has a death rate of 0: its person-years cannot be computed`,
      ),
    );
  }
  if (issues.length > 0) return { ok: false, issues };
  return computeTable(
    groups.map((g) => ({
      start: g.start,
      width: g.width,
      mx: g.mx,
      ax: g.ax,
      deaths: null,
      population: null,
    })),
    options,
    [],
  );
}

function computeTable(groups: PreparedGroup[], options: LifeTableOptions, flags: Flag[]): Checked<LifeTable> {
  const sex = options.sex ?? 'total';
  const radix = options.radix ?? 100_000;
  const infant = groups[0]!;
  const hasInfantGroup = infant.start === 0 && infant.width === 1;
  const cd = hasInfantGroup ? coaleDemenyAx(sex, infant.mx) : undefined;
  if (!hasInfantGroup) {
    flags.push({
      code: 'no_infant_group',
      message: text(
        `第一组为 ${formatAgeGroup(infant)} 而非 0 岁，婴儿死亡集中在出生后不久，按组中点计会高估存活人年`,
        `The first group is ${formatAgeGroup(infant)}, not age 0: infant deaths cluster just after birth, so taking the mid-point overstates person-years`,
      ),
    });
  }
  if (sex === 'total' && hasInfantGroup && groups.some((g, i) => i < 2 && g.ax === undefined)) {
    flags.push({
      code: 'both_sexes_ax',
      message: text(
        '未分性别：a0 与 4a1 取 Coale–Demeny 男女两式的平均',
        'Both sexes together: a0 and 4a1 are the mean of the Coale–Demeny male and female values',
      ),
    });
  }

  const rows: LifeTableRow[] = [];
  const capped: string[] = [];
  let lx = radix;
  groups.forEach((group, i) => {
    const age = formatAgeGroup(group);
    let ax: number;
    let axSource: AxSource;
    if (group.width === null) {
      ax = 1 / group.mx;
      axSource = 'open-reciprocal-m';
    } else if (group.ax !== undefined) {
      ax = group.ax;
      axSource = 'given';
    } else if (cd && i === 0) {
      ax = cd.a0;
      axSource = 'coale-demeny';
    } else if (cd && i === 1 && group.start === 1 && group.width === 4) {
      ax = cd.a1to4;
      axSource = 'coale-demeny';
    } else {
      ax = group.width / 2;
      axSource = 'half-width';
    }
    let qx: number;
    if (group.width === null) qx = 1;
    else {
      qx = rateToProbability(group.mx, group.width, ax);
      if (qx > 1) {
        capped.push(age);
        qx = 1;
      }
    }
    const dx = lx * qx;
    const next = lx - dx;
    const Lx = group.width === null ? lx / group.mx : group.width * next + ax * dx;
    rows.push({
      age,
      start: group.start,
      width: group.width,
      deaths: group.deaths,
      population: group.population,
      mx: group.mx,
      ax,
      axSource,
      qx,
      px: 1 - qx,
      lx,
      dx,
      Lx,
      Tx: 0,
      ex: null,
      exSe: null,
    });
    lx = next;
  });
  if (capped.length > 0) {
    flags.push({
      code: 'q_capped',
      message: text(
        `以下年龄组死亡率过高，死亡概率超过 1，已按 1 计：${capped.join('、')}`,
        `The death rate in ${capped.join(', ')} is so high that q exceeds 1; it is taken as 1`,
      ),
    });
  }
  let Tx = 0;
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i]!;
    Tx += row.Lx;
    row.Tx = Tx;
    row.ex = row.lx > 0 ? Tx / row.lx : null;
  }
  return {
    ok: true,
    value: {
      sex,
      radix,
      rows,
      e0: rows[0]!.ex!,
      e0Interval: null,
      totalDeaths: null,
      totalPopulation: null,
      flags,
    },
  };
}

/**
 * Chiang's variance of ex: Σ l_i² [(n_i − a_i) + e_{i+1}]² var(q_i) / l_x², with var(q) = q²(1 − q)/D,
 * plus the open group's l_w² var(m_w) / m_w⁴ with var(m) = D/N² (Silcocks et al. 2001).
 */
function addChiangVariance(table: LifeTable, level: number): void {
  const rows = table.rows;
  const z = normalQuantile(1 - (1 - level) / 2);
  let sum = 0;
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i]!;
    const deaths = row.deaths ?? 0;
    const population = row.population ?? 0;
    if (row.width === null) {
      const varM = population > 0 ? deaths / (population * population) : 0;
      sum += (row.lx * row.lx * varM) / row.mx ** 4;
    } else {
      const varQ = deaths > 0 ? (row.qx * row.qx * (1 - row.qx)) / deaths : 0;
      const nextE = rows[i + 1]?.ex ?? 0;
      sum += row.lx * row.lx * (row.width - row.ax + nextE) ** 2 * varQ;
    }
    row.exSe = row.lx > 0 ? Math.sqrt(sum) / row.lx : null;
  }
  const se = rows[0]!.exSe!;
  table.e0Interval = {
    lower: table.e0 - z * se,
    upper: table.e0 + z * se,
    level,
    method: 'chiang-normal',
  };
}

/** Life tables for males and females (and each one's e0) from deaths and person-years by age. */
export function buildLifeTablesBySex(
  groups: { male: DeathsGroup[]; female: DeathsGroup[] },
  options: Omit<LifeTableOptions, 'sex'> = {},
): Checked<{ male: LifeTable; female: LifeTable }> {
  const male = buildLifeTable(groups.male, { ...options, sex: 'male' });
  const female = buildLifeTable(groups.female, { ...options, sex: 'female' });
  if (!male.ok || !female.ok) {
    const prefix = (issues: FieldIssue[], sex: Sex) =>
      issues.map((issue) => ({ ...issue, field: `${sex}.${issue.field}` }));
    return {
      ok: false,
      issues: [
        ...(male.ok ? [] : prefix(male.issues, 'male')),
        ...(female.ok ? [] : prefix(female.issues, 'female')),
      ],
    };
  }
  return { ok: true, value: { male: male.value, female: female.value } };
}

/** The death rates of a table scaled by one multiplier k, so that its e0 hits a target (bisection on log k). */
export function scaleRatesToLifeExpectancy(
  groups: RateGroup[],
  targetE0: number,
  options: LifeTableOptions = {},
): Checked<{ multiplier: number; table: LifeTable; reached: boolean }> {
  const base = buildLifeTableFromRates(groups, options);
  if (!base.ok) return base;
  const at = (k: number): LifeTable => {
    const scaled = buildLifeTableFromRates(
      groups.map((g) => ({ ...g, mx: g.mx * k })),
      options,
    );
    // Scaling a valid schedule by k > 0 keeps it valid.
    return (scaled as { ok: true; value: LifeTable }).value;
  };
  // e0 falls as k rises. Bracket the target, then halve the bracket on the log scale.
  let lo = 1;
  let hi = 1;
  let guard = 0;
  while (at(lo).e0 < targetE0 && guard++ < 60) lo /= 2;
  guard = 0;
  while (at(hi).e0 > targetE0 && guard++ < 60) hi *= 2;
  const reachable = at(lo).e0 >= targetE0 && at(hi).e0 <= targetE0;
  if (!reachable) {
    const k = at(lo).e0 < targetE0 ? lo : hi;
    return { ok: true, value: { multiplier: k, table: at(k), reached: false } };
  }
  for (let i = 0; i < 100 && hi / lo > 1 + 1e-12; i++) {
    const mid = Math.sqrt(lo * hi);
    if (at(mid).e0 > targetE0) lo = mid;
    else hi = mid;
  }
  const k = Math.sqrt(lo * hi);
  return { ok: true, value: { multiplier: k, table: at(k), reached: true } };
}

/** Person-years lived between two ages that are group boundaries of the table (T_from − T_to). */
export function personYearsBetween(table: LifeTable, from: number, to: number): number | undefined {
  const tFrom = tAt(table, from);
  const tTo = to === Number.POSITIVE_INFINITY ? 0 : tAt(table, to);
  if (tFrom === undefined || tTo === undefined) return undefined;
  return tFrom - tTo;
}

/** Tx at an age that starts a group of the table; `undefined` when the age is not a boundary. */
export function tAt(table: LifeTable, age: number): number | undefined {
  return table.rows.find((row) => row.start === age)?.Tx;
}
