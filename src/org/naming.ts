import type { OrgLevel } from '../domain/org-code.ts';

/** What kind of unit a name denotes; community vs village is the urban/rural split. */
export function classifyUnit(name: string, level: OrgLevel): string {
  if (level === 'township') {
    if (name.endsWith('街道') || name.endsWith('街道办事处')) return 'street';
    if (name.endsWith('镇')) return 'town';
    if (name.endsWith('乡') || name.endsWith('苏木')) return 'township';
    return 'township-other';
  }
  if (level === 'village') {
    if (/(社区|居民委员会|居委会|居委)/.test(name)) return 'community';
    return 'village';
  }
  return level;
}

/** The name as people say it: "东华社区居委会" → "东华社区", "西关村委会" → "西关村". */
export function shortenName(name: string): string {
  return name
    .replace(/(社区)?居民委员会$/, '社区')
    .replace(/(社区)?居委会$/, '社区')
    .replace(/村民委员会$/, '村')
    .replace(/村委会$/, '村')
    .replace(/委员会$/, '')
    .replace(/办事处$/, '');
}
