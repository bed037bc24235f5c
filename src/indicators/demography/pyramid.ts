import { type AgeGroup, formatAgeGroup, uniformAgeGroups } from './age-groups.ts';

/** One bar pair of a population pyramid. */
export interface PyramidGroup {
  age: string;
  start: number;
  width: number | null;
  male: number;
  female: number;
  /** Shares of the whole population (both sexes), in %: the bars of a pyramid. */
  maleShare: number;
  femaleShare: number;
  /** Males per 100 females in the group; `null` without females. */
  sexRatio: number | null;
}

export interface Pyramid {
  groups: PyramidGroup[];
  totalMale: number;
  totalFemale: number;
  total: number;
}

/**
 * Population pyramid data: single-year counts by sex (index = age in completed years; the last
 * index may already be an open group) summed into groups of `width` years up to `openAge`+.
 */
export function buildPyramid(
  counts: { male: number[]; female: number[] },
  options: { width?: number; openAge?: number } = {},
): Pyramid {
  const width = options.width ?? 5;
  const openAge = options.openAge ?? 85;
  const groups = uniformAgeGroups(width, openAge);
  const sumIn = (values: number[], group: AgeGroup) =>
    values.reduce((sum, value, age) => {
      const inside = age >= group.start && (group.width === null || age < group.start + group.width);
      return inside ? sum + value : sum;
    }, 0);
  const totalMale = counts.male.reduce((a, b) => a + b, 0);
  const totalFemale = counts.female.reduce((a, b) => a + b, 0);
  const total = totalMale + totalFemale;
  return {
    groups: groups.map((group) => {
      const male = sumIn(counts.male, group);
      const female = sumIn(counts.female, group);
      return {
        age: formatAgeGroup(group),
        start: group.start,
        width: group.width,
        male,
        female,
        maleShare: total > 0 ? (100 * male) / total : 0,
        femaleShare: total > 0 ? (100 * female) / total : 0,
        sexRatio: female > 0 ? (100 * male) / female : null,
      };
    }),
    totalMale,
    totalFemale,
    total,
  };
}
