import type { DivisionEntry } from './division-source.ts';

export interface NearMatch {
  code: string;
  name: string;
  /** "甘肃省 平凉市 华亭市" */
  path: string;
}

/** Levenshtein distance, small strings only. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = prev[j]!;
      prev[j] = Math.min(above + 1, prev[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return prev[b.length]!;
}

function commonPrefix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/**
 * Counties near what was typed: for digits, the codes closest by shared prefix then edit
 * distance (a typo in the last digits); for a name, the counties whose name contains it or is
 * one character off.
 */
export function findNearMatches(input: string, divisions: DivisionEntry[], limit = 5): NearMatch[] {
  const byCode = new Map(divisions.map((entry) => [entry.code, entry]));
  const pathOf = (code: string) =>
    [code.slice(0, 2), code.slice(0, 4), code]
      .map((prefix) => byCode.get(prefix)?.name)
      .filter((name) => name && name !== '市辖区')
      .join(' ');
  const counties = divisions.filter((entry) => entry.level === 'county');
  let ranked: { entry: DivisionEntry; score: number }[];
  if (/^\d+$/.test(input)) {
    ranked = counties
      .map((entry) => ({
        entry,
        score: -commonPrefix(input, entry.code) * 10 + editDistance(input, entry.code),
      }))
      .filter(({ entry }) => commonPrefix(input, entry.code) >= 2);
  } else {
    const bare = input.replace(/(市|县|区|旗)$/, '');
    ranked = counties
      .map((entry) => {
        const name = entry.name.replace(/(市|县|区|旗)$/, '');
        const contains = bare.length > 0 && (name.includes(bare) || bare.includes(name));
        return { entry, score: contains ? 0 : editDistance(bare, name) };
      })
      .filter(({ score }) => score <= 1);
  }
  return ranked
    .sort((a, b) => a.score - b.score || a.entry.code.localeCompare(b.entry.code))
    .slice(0, limit)
    .map(({ entry }) => ({ code: entry.code, name: entry.name, path: pathOf(entry.code) }));
}
