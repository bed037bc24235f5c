/**
 * Cohort-component population projection (Preston, Heuveline & Guillot, *Demography*, 2001, ch. 6)
 * by sex and five-year (or single-year) age groups, in steps as long as the groups are wide.
 * Pure: a base population and assumptions in, a table per projected year out.
 */
import { type Checked, type FieldIssue, fieldIssue } from '../../domain/errors.ts';
import { shown, text } from '../../domain/i18n.ts';
import type { Flag } from '../intervals.ts';
import { type AgeGroup, formatAgeGroup, uniformAgeGroups } from './age-groups.ts';
import { type AgeStructure, computeAgeStructure } from './age-structure.ts';
import {
  buildLifeTableFromRates,
  type LifeTable,
  personYearsBetween,
  type RateGroup,
  type Sex,
  scaleRatesToLifeExpectancy,
  tAt,
} from './life-table.ts';

/** A value of an assumption in a year; between points the path is linear, beyond them flat. */
export interface PathPoint {
  year: number;
  value: number;
}

export type Variant = 'low' | 'medium' | 'high';

/** An age-specific fertility rate (births per woman per year) for mothers of one age group. */
export interface FertilityRate extends AgeGroup {
  width: number;
  asfr: number;
}

export interface ProjectionInput {
  /** The year of the base population (taken as at mid-year or 1 January, consistently). */
  baseYear: number;
  /** 5: five-year age groups and five-year steps (default); 1: single years and one-year steps. */
  step?: 5 | 1;
  /** Base population by sex: index i holds ages [i·step, (i+1)·step); the last entry is the open group. */
  population: { male: number[]; female: number[] };
  /** Base death rates by sex (any age groups from 0 with an open group at or above the projection's). */
  mortality: { male: RateGroup[]; female: RateGroup[] };
  /** Base ASFR by mother's age group: its shape is kept and scaled to the TFR path. */
  fertility: FertilityRate[];
  /** Male births per 100 female births; 106 unless given (China's 2020 census: 111.3). */
  sexRatioAtBirth?: number;
  /** Net migrants per year by sex and age group (age at moving, the groups of `population`). */
  netMigration?: { male: number[]; female: number[] };
  assumptions?: {
    /** TFR by year; the base ASFR's own TFR throughout unless given. */
    tfr?: PathPoint[];
    /** Life expectancy at birth by sex and year; the base rates unchanged unless given. */
    e0?: { male?: PathPoint[]; female?: PathPoint[] };
    /** A multiplier on `netMigration` by year (1 unless given). */
    netMigrationScale?: PathPoint[];
  };
  /** Years ahead, a multiple of the step: 25 unless given. */
  years?: number;
  variant?: Variant;
  /** How far the low and high variants' TFR lie below and above the medium: 0.2 unless given. */
  variantTfrDelta?: number;
}

/** The population in one projected year and what happened in the step that ended there. */
export interface ProjectionYear {
  year: number;
  male: number[];
  female: number[];
  totalMale: number;
  totalFemale: number;
  total: number;
  /** Over the step ending this year; `null` for the base year. */
  births: number | null;
  birthsMale: number | null;
  birthsFemale: number | null;
  deaths: number | null;
  netMigration: number | null;
  /** The assumptions applied over the step ending this year; `null` for the base year. */
  tfr: number | null;
  e0: { male: number; female: number } | null;
  /** `null` when the age groups do not reach 65+. */
  ageStructure: AgeStructure | null;
}

export interface ProjectionResult {
  variant: Variant;
  step: number;
  baseYear: number;
  /** Labels of the age groups, "0-4" … "85+". */
  ages: string[];
  sexRatioAtBirth: number;
  /** The base schedules' own TFR and life expectancy at birth, before any assumption. */
  base: { tfr: number; e0: { male: number; female: number } };
  years: ProjectionYear[];
  flags: Flag[];
}

export const DEFAULT_SEX_RATIO_AT_BIRTH = 106;
export const DEFAULT_VARIANT_TFR_DELTA = 0.2;

/** The value of a path in a year: linear between points, flat beyond the ends. */
export function valueOnPath(path: PathPoint[], year: number): number {
  const points = [...path].sort((a, b) => a.year - b.year);
  const first = points[0]!;
  const last = points[points.length - 1]!;
  if (year <= first.year) return first.value;
  if (year >= last.year) return last.value;
  for (let i = 1; i < points.length; i++) {
    const b = points[i]!;
    if (year <= b.year) {
      const a = points[i - 1]!;
      return a.value + ((b.value - a.value) * (year - a.year)) / (b.year - a.year);
    }
  }
  return last.value;
}

/** Spreads abridged death rates over single years (constant within each group) for a one-year projection. */
export function expandRatesToSingleYears(groups: RateGroup[]): RateGroup[] {
  const single: RateGroup[] = [];
  for (const group of groups) {
    if (group.width === null || group.width === 1) {
      single.push(group);
      continue;
    }
    for (let age = group.start; age < group.start + group.width; age++)
      single.push({ start: age, width: 1, mx: group.mx });
  }
  return single;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function checkNumbers(
  values: unknown,
  field: string,
  length: number,
  issues: FieldIssue[],
  allowNegative = false,
) {
  if (!Array.isArray(values) || values.length !== length) {
    issues.push(
      fieldIssue(
        'wrong_length',
        field,
        `${field} 应有 ${length} 个年龄组的数值`,
        `${field} must have one value for each of the ${length} age groups`,
      ),
    );
    return;
  }
  values.forEach((value, i) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || (!allowNegative && value < 0)) {
      issues.push(
        fieldIssue(
          'invalid_number',
          `${field}.${i}`,
          `${field}.${i} 应为${allowNegative ? '' : '非负'}数：${shown(value)}`,
          `${field}.${i} must be a${allowNegative ? '' : ' non-negative'} number: ${shown(value, 'en')}`,
        ),
      );
    }
  });
}

function checkPath(
  path: PathPoint[] | undefined,
  field: string,
  min: number,
  max: number,
  issues: FieldIssue[],
) {
  if (path === undefined) return;
  if (!Array.isArray(path) || path.length === 0) {
    issues.push(
      fieldIssue(
        'invalid_path',
        field,
        `${field} 应为非空的 {year, value} 列表`,
        `${field} must be a non-empty list of {year, value}`,
      ),
    );
    return;
  }
  path.forEach((point, i) => {
    const ok =
      point !== null &&
      typeof point === 'object' &&
      Number.isFinite(point.year) &&
      Number.isFinite(point.value) &&
      point.value >= min &&
      point.value <= max;
    if (!ok) {
      issues.push(
        fieldIssue(
          'invalid_path',
          `${field}.${i}`,
          `${field}.${i} 应为 {year, value}，value 在 ${min} 与 ${max} 之间`,
          `${field}.${i} must be {year, value} with value between ${min} and ${max}`,
        ),
      );
    }
  });
}

/** Projects a population by the cohort-component method under one variant's assumptions. */
export function projectPopulation(input: ProjectionInput): Checked<ProjectionResult> {
  const step = input.step ?? 5;
  const years = input.years ?? 25;
  const variant = input.variant ?? 'medium';
  const srb = input.sexRatioAtBirth ?? DEFAULT_SEX_RATIO_AT_BIRTH;
  const delta = input.variantTfrDelta ?? DEFAULT_VARIANT_TFR_DELTA;
  const issues: FieldIssue[] = [];
  const flags: Flag[] = [];

  if (step !== 5 && step !== 1) {
    issues.push(fieldIssue('invalid_step', 'step', '步长只能是 5 或 1', 'The step must be 5 or 1'));
  }
  if (!Number.isInteger(input.baseYear)) {
    issues.push(
      fieldIssue('invalid_year', 'baseYear', '基年应为整数年份', 'The base year must be a whole year'),
    );
  }
  if (!Number.isInteger(years) || years < step || years > 100 || years % step !== 0) {
    issues.push(
      fieldIssue(
        'invalid_years',
        'years',
        `预测年数应为 ${step} 的倍数，在 ${step} 与 100 之间：${years}`,
        `The years ahead must be a multiple of ${step} between ${step} and 100: ${years}`,
      ),
    );
  }
  if (!(srb > 0 && srb < 1000)) {
    issues.push(
      fieldIssue(
        'invalid_srb',
        'sexRatioAtBirth',
        `出生性别比无效：${srb}`,
        `Invalid sex ratio at birth: ${srb}`,
      ),
    );
  }
  if (!(delta >= 0)) {
    issues.push(
      fieldIssue(
        'invalid_delta',
        'variantTfrDelta',
        '方案差值应为非负数',
        'The variant delta must be non-negative',
      ),
    );
  }
  const groupCount = input.population?.male?.length ?? 0;
  if (groupCount < 2) {
    issues.push(
      fieldIssue(
        'wrong_length',
        'population.male',
        '基年人口至少要有两个年龄组',
        'The base population needs at least two age groups',
      ),
    );
  }
  if (issues.length > 0) return { ok: false, issues };

  const openAge = (groupCount - 1) * step;
  const groups = uniformAgeGroups(step, openAge);
  for (const sex of ['male', 'female'] as const) {
    checkNumbers(input.population[sex], `population.${sex}`, groupCount, issues);
    if (input.netMigration)
      checkNumbers(input.netMigration[sex], `netMigration.${sex}`, groupCount, issues, true);
  }
  checkPath(input.assumptions?.tfr, 'assumptions.tfr', 0, 15, issues);
  checkPath(input.assumptions?.e0?.male, 'assumptions.e0.male', 1, 120, issues);
  checkPath(input.assumptions?.e0?.female, 'assumptions.e0.female', 1, 120, issues);
  checkPath(input.assumptions?.netMigrationScale, 'assumptions.netMigrationScale', -100, 100, issues);

  // Fertility: the base schedule, as a rate for each projection age group.
  const fertility = input.fertility ?? [];
  fertility.forEach((f, i) => {
    if (!Number.isFinite(f.asfr) || f.asfr < 0 || !Number.isInteger(f.start) || !(f.width >= 1)) {
      issues.push(
        fieldIssue(
          'invalid_number',
          `fertility.${i}`,
          `fertility.${i}：年龄组或生育率无效`,
          `fertility.${i}: invalid age group or rate`,
        ),
      );
    } else if (f.start < step || f.start + f.width > openAge) {
      issues.push(
        fieldIssue(
          'fertility_ages',
          `fertility.${i}`,
          `生育年龄组 ${formatAgeGroup(f)} 应在 ${step} 岁与开口组 ${openAge}+ 之间`,
          `Fertility age group ${formatAgeGroup(f)} must lie between age ${step} and the open group ${openAge}+`,
        ),
      );
    }
  });
  const baseTfr = sum(fertility.map((f) => f.width * f.asfr));
  if (baseTfr <= 0 && input.assumptions?.tfr) {
    issues.push(
      fieldIssue(
        'no_fertility_schedule',
        'fertility',
        '基年生育率全为 0，无法按总和生育率路径缩放',
        'The base fertility rates are all 0: there is no age pattern to scale to the TFR path',
      ),
    );
  }

  // Mortality: single-year projections need single-year rates; spread abridged ones if given.
  const mortality: Record<Sex, RateGroup[]> = {
    male: input.mortality?.male ?? [],
    female: input.mortality?.female ?? [],
  };
  const baseTables = {} as Record<Sex, LifeTable>;
  for (const sex of ['male', 'female'] as const) {
    if (step === 1 && mortality[sex].some((g) => g.width !== null && g.width > 1)) {
      mortality[sex] = expandRatesToSingleYears(mortality[sex]);
      if (sex === 'male') {
        flags.push({
          code: 'mortality_expanded',
          message: text(
            '分年龄死亡率按组内各岁相同展开为单岁',
            'The abridged death rates were spread over single years, constant within each group',
          ),
        });
      }
    }
    const table = buildLifeTableFromRates(mortality[sex], { sex });
    if (!table.ok) {
      issues.push(...table.issues.map((issue) => ({ ...issue, field: `mortality.${sex}.${issue.field}` })));
      continue;
    }
    baseTables[sex] = table.value;
    const boundaries = groups.map((g) => g.start);
    const missing = boundaries.filter((age) => tAt(table.value, age) === undefined);
    if (missing.length > 0) {
      issues.push(
        fieldIssue(
          'mortality_ages',
          `mortality.${sex}`,
          `死亡率的年龄组须在 ${missing.join('、')} 岁处分界（开口组不得低于 ${openAge}+）`,
          `The death rates need age groups that break at ages ${missing.join(', ')} (an open group at ${openAge}+ or above)`,
        ),
      );
    }
  }
  if (issues.length > 0) return { ok: false, issues };

  // ASFR for each projection group: the mean of the given rates over the group's single years.
  const asfrByGroup = groups.map((g) => {
    if (g.width === null) return 0;
    let total = 0;
    for (let age = g.start; age < g.start + g.width; age++) {
      const f = fertility.find((r) => age >= r.start && age < r.start + r.width);
      total += f?.asfr ?? 0;
    }
    return total / g.width;
  });

  const maleShareOfBirths = srb / (100 + srb);
  const stepsCount = years / step;
  const tfrDelta = variant === 'low' ? -delta : variant === 'high' ? delta : 0;
  const tfrPath = input.assumptions?.tfr ?? [{ year: input.baseYear, value: baseTfr }];
  const unreached: string[] = [];
  let clamped = false;

  const yearRow = (year: number, male: number[], female: number[]): ProjectionYear => {
    const structure = computeAgeStructure(
      groups.map((g, i) => ({ start: g.start, width: g.width, count: male[i]! + female[i]! })),
    );
    return {
      year,
      male,
      female,
      totalMale: sum(male),
      totalFemale: sum(female),
      total: sum(male) + sum(female),
      births: null,
      birthsMale: null,
      birthsFemale: null,
      deaths: null,
      netMigration: null,
      tfr: null,
      e0: null,
      ageStructure: structure.ok ? structure.value : null,
    };
  };

  const out: ProjectionYear[] = [
    yearRow(input.baseYear, [...input.population.male], [...input.population.female]),
  ];
  for (let s = 0; s < stepsCount; s++) {
    const from = out[out.length - 1]!;
    const startYear = from.year;
    const midYear = startYear + step / 2;
    const tfr = Math.max(0, valueOnPath(tfrPath, midYear) + tfrDelta);
    const tables = {} as Record<Sex, LifeTable>;
    for (const sex of ['male', 'female'] as const) {
      const path = input.assumptions?.e0?.[sex];
      if (!path) {
        tables[sex] = baseTables[sex];
        continue;
      }
      const target = valueOnPath(path, midYear);
      const scaled = scaleRatesToLifeExpectancy(mortality[sex], target, { sex });
      // The base schedule was checked above, so scaling cannot fail.
      const value = (scaled as { ok: true; value: { table: LifeTable; reached: boolean } }).value;
      if (!value.reached) unreached.push(`${sex} ${target.toFixed(1)} (${midYear})`);
      tables[sex] = value.table;
    }
    const scale = input.assumptions?.netMigrationScale
      ? valueOnPath(input.assumptions.netMigrationScale, midYear)
      : 1;
    const migrants = (sex: Sex) => groups.map((_, i) => (input.netMigration?.[sex][i] ?? 0) * step * scale);

    const next = {} as Record<Sex, number[]>;
    // Net migrants as applied: where out-migrants would empty a group below 0, only those there
    // leave — so the step's deaths (what is left of the balance) are never made up of them.
    let migration = 0;
    for (const sex of ['male', 'female'] as const) {
      const table = tables[sex];
      const m = migrants(sex);
      // Half the step's migrants join at the start and live the step with everyone else.
      const start = from[sex].map((n, i) => {
        const value = n + m[i]! / 2;
        if (value < 0) clamped = true;
        migration += Math.max(0, value) - n;
        return Math.max(0, value);
      });
      const end = new Array<number>(groupCount).fill(0);
      for (let i = 0; i < groupCount - 2; i++) {
        const x = groups[i]!.start;
        const survival =
          personYearsBetween(table, x + step, x + 2 * step)! / personYearsBetween(table, x, x + step)!;
        end[i + 1] = start[i]! * survival;
      }
      // Open group: everyone aged A − n and over at the start is A and over at the end: T_A / T_{A−n}.
      const openSurvival = tAt(table, openAge)! / tAt(table, openAge - step)!;
      end[groupCount - 1] = (start[groupCount - 2]! + start[groupCount - 1]!) * openSurvival;
      // The other half join at the end, at their age group.
      next[sex] = end.map((n, i) => {
        const value = n + m[i]! / 2;
        if (value < 0) clamped = true;
        migration += Math.max(0, value) - n;
        return Math.max(0, value);
      });
    }

    // Births over the step: n × Σ ASFR × average women (start and end of the step).
    const scaleFertility = baseTfr > 0 ? tfr / baseTfr : 0;
    const births =
      step * sum(asfrByGroup.map((f, i) => f * scaleFertility * ((from.female[i]! + next.female[i]!) / 2)));
    const birthsMale = births * maleShareOfBirths;
    const birthsFemale = births - birthsMale;
    for (const [sex, born] of [
      ['male', birthsMale],
      ['female', birthsFemale],
    ] as const) {
      const table = tables[sex];
      // Births of the step survive to ages 0 to n−1 at its end: nL0 / (n · l0).
      const survival = personYearsBetween(table, 0, step)! / (step * table.radix);
      next[sex][0] = next[sex][0]! + born * survival;
    }
    const row = yearRow(startYear + step, next.male, next.female);
    row.births = births;
    row.birthsMale = birthsMale;
    row.birthsFemale = birthsFemale;
    row.netMigration = migration;
    row.deaths = from.total + births + migration - row.total;
    row.tfr = baseTfr > 0 ? tfr : 0;
    row.e0 = { male: tables.male.e0, female: tables.female.e0 };
    out.push(row);
  }

  if (unreached.length > 0) {
    flags.push({
      code: 'e0_target_unreached',
      message: text(
        `以下预期寿命目标无法通过缩放死亡率达到，已取最接近值：${unreached.join('、')}`,
        `These life-expectancy targets cannot be reached by scaling the death rates; the nearest was used: ${unreached.join(', ')}`,
      ),
    });
  }
  if (clamped) {
    flags.push({
      code: 'negative_population',
      message: text(
        '净迁出超过了某些年龄组的人口，这些组按 0 计，净迁移只计实际迁出的人',
        'Net out-migration exceeded the population of some age groups; they were set to 0 and the net migration counts only those who were there to leave',
      ),
    });
  }
  return {
    ok: true,
    value: {
      variant,
      step,
      baseYear: input.baseYear,
      ages: groups.map(formatAgeGroup),
      sexRatioAtBirth: srb,
      base: { tfr: baseTfr, e0: { male: baseTables.male.e0, female: baseTables.female.e0 } },
      years: out,
      flags,
    },
  };
}

/** The low, medium and high variants of one projection (TFR − delta, as given, + delta). */
export function projectVariants(
  input: Omit<ProjectionInput, 'variant'>,
): Checked<Record<Variant, ProjectionResult>> {
  const medium = projectPopulation({ ...input, variant: 'medium' });
  if (!medium.ok) return medium;
  const low = projectPopulation({ ...input, variant: 'low' }) as { ok: true; value: ProjectionResult };
  const high = projectPopulation({ ...input, variant: 'high' }) as { ok: true; value: ProjectionResult };
  return { ok: true, value: { low: low.value, medium: medium.value, high: high.value } };
}
