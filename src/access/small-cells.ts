/**
 * Small-cell suppression for callers who see aggregates only (src/server/access.ts applies it to
 * the answers of aggregates.read routes), and the type of an answer after it, so the types the
 * web app reads say which counts may come back null.
 */

/** Small cells (< 5) suppressed for callers who see aggregates only. */
export const SMALL_CELL = 5;
const COUNT_KEY_LIST = [
  'value',
  'numerator',
  'denominator',
  'count',
  'births',
  'deaths',
  'population',
  // Moves in and out of a unit, and net migration built on them (the projection's inputs).
  'moveIns',
  'moveOuts',
  'netPerYear',
  'netMigration',
] as const;
const COUNT_KEYS = new Set<string>(COUNT_KEY_LIST);

/**
 * Suppresses counts below SMALL_CELL (and the rates built on them) in an aggregate payload: any
 * object with a numerator or count under 5 — or a net count over -5, such as two more moving out
 * than in — loses its value, numerator, denominator and interval and says `suppressed: true`.
 */
export function suppressSmallCells(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(suppressSmallCells);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const small = COUNT_KEY_LIST.some((k) => {
    if (k === 'value' || k === 'denominator') return false;
    const v = obj[k];
    return typeof v === 'number' && v !== 0 && Math.abs(v) < SMALL_CELL;
  });
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(obj)) {
    if (small && (COUNT_KEYS.has(key) || key === 'interval')) out[key] = null;
    else out[key] = suppressSmallCells(v);
  }
  if (small) out.suppressed = true;
  return out;
}

type CountKey = (typeof COUNT_KEY_LIST)[number];

/** The keys of T that make an object a small cell: a count other than value or denominator, held as a number. */
type SmallnessKeys<T> = {
  [K in keyof T]: K extends Exclude<CountKey, 'value' | 'denominator'>
    ? T[K] extends number | null | undefined
      ? K
      : never
    : never;
}[keyof T];

/**
 * What suppressSmallCells may make of a payload of type T: in an object holding a count (a
 * numerator, births, population… as a number), every count and the interval may be null, and the
 * object may say `suppressed: true`; other objects are as they were. The answer type of an
 * aggregates.read route is this of what its handler returns.
 */
export type SmallCellsSuppressed<T> = T extends readonly (infer U)[]
  ? SmallCellsSuppressed<U>[]
  : T extends object
    ? [SmallnessKeys<T>] extends [never]
      ? { [K in keyof T]: SmallCellsSuppressed<T[K]> }
      : {
          [K in keyof T]: K extends CountKey | 'interval'
            ? SmallCellsSuppressed<T[K]> | null
            : SmallCellsSuppressed<T[K]>;
        } & { suppressed?: boolean }
    : T;
