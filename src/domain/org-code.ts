import { type FieldIssue, fieldIssue } from './errors.ts';

/**
 * Organisation-unit codes (GB/T 2260 and the statistical division codes) are prefix-hierarchical:
 * 2 digits province, 4 prefecture, 6 county, 9 township/street, 12 village/community.
 * A subtree is exactly the set of codes that start with the unit's code.
 */
export const ORG_LEVELS = ['province', 'prefecture', 'county', 'township', 'village'] as const;
export type OrgLevel = (typeof ORG_LEVELS)[number];

const LENGTH_BY_LEVEL: Record<OrgLevel, number> = {
  province: 2,
  prefecture: 4,
  county: 6,
  township: 9,
  village: 12,
};

/** The level a code of this length denotes, or undefined if no level has that length. */
export function findOrgLevel(code: string): OrgLevel | undefined {
  return ORG_LEVELS.find((level) => LENGTH_BY_LEVEL[level] === code.length);
}

/** Number of digits in a code of the level. */
export function codeLength(level: OrgLevel): number {
  return LENGTH_BY_LEVEL[level];
}

/** The parent's code (province has none). */
export function parentCode(code: string): string | undefined {
  const level = findOrgLevel(code);
  const index = level ? ORG_LEVELS.indexOf(level) : -1;
  if (index <= 0) return undefined;
  return code.slice(0, LENGTH_BY_LEVEL[ORG_LEVELS[index - 1]!]);
}

/** The codes of every ancestor, province first. */
export function ancestorCodes(code: string): string[] {
  const out: string[] = [];
  for (let parent = parentCode(code); parent; parent = parentCode(parent)) out.unshift(parent);
  return out;
}

/** True when `code` is `root` or lies below it. */
export function isInSubtree(code: string, root: string): boolean {
  return code.startsWith(root);
}

/**
 * Normalises what people type: strips spaces, and the zero padding of the 6/12-digit forms
 * ("620000" is the province 62, "620800" the prefecture 6208, "620881100000" the township 620881100).
 */
export function normaliseOrgCode(input: string): string {
  const digits = input.replace(/\s+/g, '');
  if (/^\d{12}$/.test(digits)) {
    if (digits.endsWith('000000')) return normaliseOrgCode(digits.slice(0, 6));
    if (digits.endsWith('000')) return digits.slice(0, 9);
    return digits;
  }
  if (/^\d{6}$/.test(digits)) {
    if (digits.endsWith('0000')) return digits.slice(0, 2);
    if (digits.endsWith('00')) return digits.slice(0, 4);
  }
  return digits;
}

/** Checks the shape of a code (digits, a known length); says nothing about whether the unit exists. */
export function checkOrgCode(input: string, field = 'code'): FieldIssue | undefined {
  const code = normaliseOrgCode(input);
  if (!/^\d+$/.test(code)) {
    return fieldIssue(
      'org_code_not_digits',
      field,
      `单位代码只能是数字：${input}`,
      `A unit code has digits only: ${input}`,
    );
  }
  if (!findOrgLevel(code)) {
    return fieldIssue(
      'org_code_length',
      field,
      `单位代码应为 2、4、6、9 或 12 位数字，收到 ${code.length} 位：${input}`,
      `A unit code has 2, 4, 6, 9 or 12 digits, got ${code.length}: ${input}`,
    );
  }
  return undefined;
}

/** The county a code lies in (its first six digits), if it is at county level or below. */
export function countyOf(code: string): string | undefined {
  return code.length >= 6 ? code.slice(0, 6) : undefined;
}
