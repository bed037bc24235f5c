import { type Checked, fieldIssue } from '../../domain/errors.ts';
import { type AgeGroup, ageGroupEnd, checkAgeGroups, formatAgeGroup } from './age-groups.ts';

/** A count of persons in one age group. */
export interface AgeCount extends AgeGroup {
  count: number;
}

/** Age structure and dependency ratios (DESIGN.md): ratios per 100 persons aged 15–64, shares in %. */
export interface AgeStructure {
  total: number;
  age0to14: number;
  age15to64: number;
  age15to59: number;
  age60plus: number;
  age65plus: number;
  /** 0–14 / 15–64 × 100; `null` when nobody is 15–64. */
  childDependencyRatio: number | null;
  /** 65+ / 15–64 × 100. */
  oldAgeDependencyRatio: number | null;
  /** child + old-age. */
  totalDependencyRatio: number | null;
  /** Shares of the total population, %; `null` for an empty population. */
  shares: {
    age0to14: number | null;
    age15to59: number | null;
    age60plus: number | null;
    age65plus: number | null;
  };
}

/** Dependency ratios and age-structure shares from counts by age group (which must break at 15, 60 and 65). */
export function computeAgeStructure(groups: AgeCount[]): Checked<AgeStructure> {
  const issues = checkAgeGroups(groups, { firstAge: 0 });
  for (const boundary of [15, 60, 65]) {
    const straddling = groups.find((g) => g.start < boundary && ageGroupEnd(g) > boundary);
    if (straddling) {
      issues.push(
        fieldIssue(
          'age_boundary',
          'age',
          `年龄组 ${formatAgeGroup(straddling)} 跨越 ${boundary} 岁，无法计算年龄结构`,
          `Age group ${formatAgeGroup(straddling)} straddles age ${boundary}: the age structure needs a break there`,
        ),
      );
    }
  }
  const last = groups[groups.length - 1];
  if (last && last.width !== null && ageGroupEnd(last) < 65) {
    issues.push(
      fieldIssue(
        'age_range',
        'age',
        '年龄组未覆盖 65 岁及以上',
        'The age groups do not reach age 65 and over',
      ),
    );
  }
  if (issues.length > 0) return { ok: false, issues };
  const sum = (from: number, to: number) =>
    groups.filter((g) => g.start >= from && ageGroupEnd(g) <= to).reduce((total, g) => total + g.count, 0);
  const inf = Number.POSITIVE_INFINITY;
  const total = sum(0, inf);
  const age0to14 = sum(0, 15);
  const age15to64 = sum(15, 65);
  const age15to59 = sum(15, 60);
  const age60plus = sum(60, inf);
  const age65plus = sum(65, inf);
  const ratio = (n: number) => (age15to64 > 0 ? (100 * n) / age15to64 : null);
  const share = (n: number) => (total > 0 ? (100 * n) / total : null);
  const child = ratio(age0to14);
  const old = ratio(age65plus);
  return {
    ok: true,
    value: {
      total,
      age0to14,
      age15to64,
      age15to59,
      age60plus,
      age65plus,
      childDependencyRatio: child,
      oldAgeDependencyRatio: old,
      totalDependencyRatio: child === null || old === null ? null : child + old,
      shares: {
        age0to14: share(age0to14),
        age15to59: share(age15to59),
        age60plus: share(age60plus),
        age65plus: share(age65plus),
      },
    },
  };
}

/** The same from single-year counts (index = age; the last index is taken as an open group). */
export function computeAgeStructureFromSingleYears(counts: number[]): Checked<AgeStructure> {
  return computeAgeStructure(
    counts.map((count, age) => ({ start: age, width: age === counts.length - 1 ? null : 1, count })),
  );
}
