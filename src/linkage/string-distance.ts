/**
 * String distances for comparisons, written for the pair loop: they allocate nothing per call
 * (scratch buffers are reused) and stop as soon as the answer is known.
 */

let matchedA = new Uint8Array(64);
let matchedB = new Uint8Array(64);

/** Jaro–Winkler similarity in [0, 1] (prefix scale 0.1, prefix up to 4), on UTF-16 code units. */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  if (la > matchedA.length || lb > matchedB.length) {
    const size = Math.max(la, lb) * 2;
    matchedA = new Uint8Array(size);
    matchedB = new Uint8Array(size);
  }
  matchedA.fill(0, 0, la);
  matchedB.fill(0, 0, lb);
  const window = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const from = Math.max(0, i - window);
    const to = Math.min(lb - 1, i + window);
    const code = a.charCodeAt(i);
    for (let j = from; j <= to; j++) {
      if (matchedB[j] === 0 && b.charCodeAt(j) === code) {
        matchedA[i] = 1;
        matchedB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (matchedA[i] === 0) continue;
    while (matchedB[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions++;
    k++;
  }
  const jaro = (matches / la + matches / lb + (matches - transpositions / 2) / matches) / 3;
  let prefix = 0;
  const limit = Math.min(4, la, lb);
  while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

let row0 = new Int32Array(64);
let row1 = new Int32Array(64);

/**
 * Levenshtein distance between two strings if it is at most `max`, else `max + 1`. The common
 * prefix and suffix are skipped and the work stops at the first row whose minimum exceeds `max`.
 */
export function levenshteinWithin(a: string, b: string, max: number): number {
  if (a === b) return 0;
  let la = a.length;
  let lb = b.length;
  if (Math.abs(la - lb) > max) return max + 1;
  let start = 0;
  while (start < la && start < lb && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  while (la > start && lb > start && a.charCodeAt(la - 1) === b.charCodeAt(lb - 1)) {
    la--;
    lb--;
  }
  const n = la - start;
  const m = lb - start;
  if (n === 0 || m === 0) return Math.min(n + m, max + 1);
  if (m + 1 > row0.length) {
    row0 = new Int32Array((m + 1) * 2);
    row1 = new Int32Array((m + 1) * 2);
  }
  let previous = row0;
  let current = row1;
  for (let j = 0; j <= m; j++) previous[j] = j;
  for (let i = 1; i <= n; i++) {
    current[0] = i;
    let rowMin = i;
    const code = a.charCodeAt(start + i - 1);
    for (let j = 1; j <= m; j++) {
      let value = previous[j - 1]! + (b.charCodeAt(start + j - 1) === code ? 0 : 1);
      const up = previous[j]! + 1;
      if (up < value) value = up;
      const left = current[j - 1]! + 1;
      if (left < value) value = left;
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > max) return max + 1;
    const swap = previous;
    previous = current;
    current = swap;
  }
  return Math.min(previous[m]!, max + 1);
}

/**
 * True when two sequences of code points are at most one edit apart (insert, delete or replace
 * one element). Used for Han names, where one wrong character is the common typo.
 */
export function withinOneEdit(
  aPoints: Int32Array,
  aStart: number,
  aLength: number,
  bPoints: Int32Array,
  bStart: number,
  bLength: number,
): boolean {
  const diff = aLength - bLength;
  if (diff > 1 || diff < -1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < aLength && j < bLength) {
    if (aPoints[aStart + i] === bPoints[bStart + j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (diff > 0) i++;
    else if (diff < 0) j++;
    else {
      i++;
      j++;
    }
  }
  return edits + (aLength - i) + (bLength - j) <= 1;
}

/**
 * How two packed strings differ, for identifiers: 0 when equal, 1 when one character differs, 2
 * when two adjacent characters are swapped, 3 otherwise (also when lengths differ). The strings
 * are runs of code-unit arrays, so a million ID numbers are one block of memory.
 */
export function compareIdentifiers(
  aUnits: Uint16Array,
  aStart: number,
  aLength: number,
  bUnits: Uint16Array,
  bStart: number,
  bLength: number,
): 0 | 1 | 2 | 3 {
  if (aLength !== bLength) return 3;
  let first = -1;
  let second = -1;
  for (let i = 0; i < aLength; i++) {
    if (aUnits[aStart + i] === bUnits[bStart + i]) continue;
    if (first < 0) first = i;
    else if (second < 0) second = i;
    else return 3;
  }
  if (first < 0) return 0;
  if (second < 0) return 1;
  if (
    second === first + 1 &&
    aUnits[aStart + first] === bUnits[bStart + second] &&
    aUnits[aStart + second] === bUnits[bStart + first]
  ) {
    return 2;
  }
  return 3;
}

/** Strings packed into one array of UTF-16 code units: value v is units[start[v] … start[v] + length[v]). */
export interface PackedStrings {
  units: Uint16Array;
  start: Int32Array;
  length: Int32Array;
}

/** Packs strings into one code-unit array. */
export function packStrings(values: readonly string[]): PackedStrings {
  let total = 0;
  for (const value of values) total += value.length;
  const units = new Uint16Array(total);
  const start = new Int32Array(values.length);
  const length = new Int32Array(values.length);
  let offset = 0;
  for (let v = 0; v < values.length; v++) {
    const value = values[v]!;
    start[v] = offset;
    length[v] = value.length;
    for (let i = 0; i < value.length; i++) units[offset++] = value.charCodeAt(i);
  }
  return { units, start, length };
}
