import { type FieldIssue, fieldIssue } from '../../domain/errors.ts';

/** An age interval [start, start + width); `width: null` is the open last group (start and over). */
export interface AgeGroup {
  start: number;
  width: number | null;
}

/** The label of an age group as people write it: "0", "1-4", "5-9", "85+". */
export function formatAgeGroup(group: AgeGroup): string {
  if (group.width === null) return `${group.start}+`;
  if (group.width === 1) return String(group.start);
  return `${group.start}-${group.start + group.width - 1}`;
}

/**
 * Reads an age label: "7" (one year), "1-4", "5–9", "15~19" (inclusive ends), "85+", "85岁及以上",
 * "85以上"; `undefined` when the label is not an age group.
 */
export function parseAgeGroup(label: string): AgeGroup | undefined {
  const value = label.trim().replace(/\s+/g, '').replace(/岁/g, '');
  let match = /^(\d+)$/.exec(value);
  if (match) return { start: Number(match[1]), width: 1 };
  match = /^(\d+)[-–—~～至](\d+)$/.exec(value);
  if (match) {
    const start = Number(match[1]);
    const end = Number(match[2]);
    return end >= start ? { start, width: end - start + 1 } : undefined;
  }
  match = /^(\d+)(\+|＋|及以上|以上|andover|andolder|plus)$/i.exec(value);
  if (match) return { start: Number(match[1]), width: null };
  return undefined;
}

/** The end of a closed group (exclusive); Infinity for the open group. */
export function ageGroupEnd(group: AgeGroup): number {
  return group.width === null ? Number.POSITIVE_INFINITY : group.start + group.width;
}

/** Standard abridged groups 0, 1–4, 5–9, …, openAge+ (openAge a multiple of 5). */
export function abridgedAgeGroups(openAge = 85): AgeGroup[] {
  const groups: AgeGroup[] = [
    { start: 0, width: 1 },
    { start: 1, width: 4 },
  ];
  for (let start = 5; start < openAge; start += 5) groups.push({ start, width: 5 });
  groups.push({ start: openAge, width: null });
  return groups;
}

/** Groups of equal width from 0 to openAge+: five-year 0–4, 5–9, … or single years. */
export function uniformAgeGroups(width: number, openAge: number): AgeGroup[] {
  const groups: AgeGroup[] = [];
  for (let start = 0; start < openAge; start += width) groups.push({ start, width });
  groups.push({ start: openAge, width: null });
  return groups;
}

export interface AgeGroupCheckOptions {
  /** The first group must start here (0 for a life table). */
  firstAge?: number;
  /** The last group must be open (85+). */
  requireOpen?: boolean;
  /** Open groups are not allowed (fertility groups are closed). */
  forbidOpen?: boolean;
  /** Where group i came from, for messages: a row number of a file, say. Defaults to the position. */
  where?: (index: number) => { field: string; zh: string; en: string };
}

/**
 * Checks that age groups are sorted, contiguous and non-overlapping, with the open group last.
 * Returns one issue per problem found; an empty list means the groups form one clean age scale.
 */
export function checkAgeGroups(groups: AgeGroup[], options: AgeGroupCheckOptions = {}): FieldIssue[] {
  const where =
    options.where ??
    ((index: number) => ({
      field: `groups.${index}.age`,
      zh: `第 ${index + 1} 组`,
      en: `group ${index + 1}`,
    }));
  const issues: FieldIssue[] = [];
  if (groups.length === 0) {
    return [fieldIssue('no_age_groups', 'age', '没有任何年龄组', 'There are no age groups')];
  }
  groups.forEach((group, index) => {
    const at = where(index);
    if (!Number.isInteger(group.start) || group.start < 0 || (group.width !== null && group.width < 1)) {
      issues.push(
        fieldIssue(
          'invalid_age_group',
          at.field,
          `${at.zh}：年龄组无效（${formatAgeGroup(group)}）`,
          `${at.en}: invalid age group (${formatAgeGroup(group)})`,
        ),
      );
    }
  });
  if (issues.length > 0) return issues;
  const first = groups[0]!;
  if (options.firstAge !== undefined && first.start !== options.firstAge) {
    const at = where(0);
    issues.push(
      fieldIssue(
        'first_age',
        at.field,
        `${at.zh}：年龄组应从 ${options.firstAge} 岁开始，实为 ${formatAgeGroup(first)}`,
        `${at.en}: the age groups must start at age ${options.firstAge}, not ${formatAgeGroup(first)}`,
      ),
    );
  }
  for (let i = 1; i < groups.length; i++) {
    const previous = groups[i - 1]!;
    const group = groups[i]!;
    const at = where(i);
    const end = ageGroupEnd(previous);
    if (group.start < end) {
      issues.push(
        fieldIssue(
          'overlapping_ages',
          at.field,
          `${at.zh}：年龄组 ${formatAgeGroup(group)} 与 ${formatAgeGroup(previous)} 重叠`,
          `${at.en}: age group ${formatAgeGroup(group)} overlaps ${formatAgeGroup(previous)}`,
        ),
      );
    } else if (group.start > end) {
      issues.push(
        fieldIssue(
          'age_gap',
          at.field,
          `${at.zh}：${formatAgeGroup(previous)} 与 ${formatAgeGroup(group)} 之间缺少 ${end}-${group.start - 1} 岁`,
          `${at.en}: ages ${end}-${group.start - 1} are missing between ${formatAgeGroup(previous)} and ${formatAgeGroup(group)}`,
        ),
      );
    }
  }
  const openIndex = groups.findIndex((g) => g.width === null);
  if (options.forbidOpen && openIndex >= 0) {
    const at = where(openIndex);
    issues.push(
      fieldIssue(
        'open_age_group',
        at.field,
        `${at.zh}：此处不能使用开口年龄组（${formatAgeGroup(groups[openIndex]!)}）`,
        `${at.en}: an open age group (${formatAgeGroup(groups[openIndex]!)}) is not allowed here`,
      ),
    );
  } else if (openIndex >= 0 && openIndex !== groups.length - 1) {
    const at = where(openIndex);
    issues.push(
      fieldIssue(
        'open_group_not_last',
        at.field,
        `${at.zh}：开口年龄组 ${formatAgeGroup(groups[openIndex]!)} 必须是最后一组`,
        `${at.en}: the open age group ${formatAgeGroup(groups[openIndex]!)} must be the last`,
      ),
    );
  } else if (options.requireOpen && openIndex < 0) {
    const at = where(groups.length - 1);
    issues.push(
      fieldIssue(
        'no_open_group',
        at.field,
        `最后一组应为开口年龄组（如 85+），实为 ${formatAgeGroup(groups[groups.length - 1]!)}`,
        `The last age group must be open (e.g. 85+), not ${formatAgeGroup(groups[groups.length - 1]!)}`,
      ),
    );
  }
  return issues;
}
