import { nameKeys, normaliseName } from '../domain/pinyin.ts';
import { normaliseResidentIdInput } from '../domain/resident-id.ts';
import { type PackedStrings, packStrings } from './string-distance.ts';

/**
 * Every value a comparison or blocking key needs is computed once per distinct value, not once per
 * record and never once per pair: a column is interned into integer value ids (−1 for missing),
 * and derived keys (pinyin, surname, year, area-code prefixes…) are arrays indexed by value id.
 * A million registry names hold a few hundred thousand distinct ones; a million birth dates
 * about thirty thousand.
 */

/** How a column's values are read. */
export type ValueKind = 'string' | 'name' | 'id' | 'date' | 'place';

/** One column of both sides, interned. In deduplication `right` is `left`. */
export interface ValueTable {
  kind: ValueKind;
  /** Value id of each left record; −1 when missing. */
  left: Int32Array;
  /** Value id of each right record; −1 when missing. */
  right: Int32Array;
  /** The canonical text of each value id. */
  values: string[];
  /** How many records hold each value id, over both sides (each record counted once). */
  counts: Int32Array;
  /** Records with a value, over both sides. */
  present: number;
  /** Values that could not be read as this kind and so count as missing (a date that is no date). */
  unreadable: number;
}

/** Values that mean "missing" unless the configuration says otherwise. */
export const DEFAULT_NULL_VALUES: readonly string[] = ['', 'NULL', 'null', 'NA', 'N/A', '-', '不详', '未知'];

const ID_FAST = /^\d{17}[\dX]$/;
const DATE_COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const DATE_SEPARATED = /^(\d{4})\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})\s*日?)?\s*月?$/;
const YEAR_ONLY = /^(\d{4})\s*年?$/;

/** Reads a date as 'YYYY-MM-DD' (or 'YYYY-MM', 'YYYY' when that is all there is); undefined when it is none. */
export function canonicalDate(text: string): string | undefined {
  let value = text;
  const cut = value.search(/[T ]\d{1,2}:/);
  if (cut > 0) value = value.slice(0, cut);
  let year: string | undefined;
  let month = 0;
  let day = 0;
  const compact = DATE_COMPACT.exec(value);
  const separated = compact ? null : DATE_SEPARATED.exec(value);
  const yearOnly = compact || separated ? null : YEAR_ONLY.exec(value);
  if (compact) {
    year = compact[1];
    month = Number(compact[2]);
    day = Number(compact[3]);
  } else if (separated) {
    year = separated[1];
    month = Number(separated[2]);
    day = separated[3] === undefined ? 0 : Number(separated[3]);
  } else if (yearOnly) {
    year = yearOnly[1];
  }
  if (year === undefined) return undefined;
  // A month up to 31 is kept: 1990-15-03 is 1990-03-15 with day and month swapped, worth a level.
  if (month > 31 || day > 31 || (month === 0 && day > 0)) return undefined;
  if (month === 0) return year;
  const mm = String(month).padStart(2, '0');
  return day === 0 ? `${year}-${mm}` : `${year}-${mm}-${String(day).padStart(2, '0')}`;
}

/** The canonical form of one value of a kind, or undefined when it counts as missing. */
export function canonicalValue(kind: ValueKind, raw: string): string | undefined {
  switch (kind) {
    case 'string':
      return raw;
    case 'name': {
      const name = normaliseName(raw);
      return name === '' ? undefined : name;
    }
    case 'id': {
      const id = ID_FAST.test(raw) ? raw : normaliseResidentIdInput(raw);
      return id === '' ? undefined : id;
    }
    case 'date':
      return canonicalDate(raw);
    case 'place': {
      const code = raw.replace(/\s+/g, '');
      return code === '' ? undefined : code;
    }
  }
}

/** Kinds whose values repeat, so that a cache by raw text saves reading the same text again. */
const CACHE_RAW: ReadonlySet<ValueKind> = new Set(['name', 'date', 'place', 'string']);

/**
 * Strings to dense ids: open addressing over an Int32Array, FNV-1a hashed. For a million distinct
 * ID numbers it takes less than half the time of a Map, whose table grows by rehashing objects.
 */
export class StringInterner {
  readonly values: string[] = [];
  private slots = new Int32Array(1 << 10).fill(-1);
  private mask = (1 << 10) - 1;

  /** The id of a string, or −1 when it has none yet. */
  get(value: string): number {
    let slot = hashString(value) & this.mask;
    while (true) {
      const id = this.slots[slot]!;
      if (id < 0 || this.values[id] === value) return id;
      slot = (slot + 1) & this.mask;
    }
  }

  /** The id of a string, given one if it has none. */
  intern(value: string): number {
    let slot = hashString(value) & this.mask;
    while (true) {
      const id = this.slots[slot]!;
      if (id < 0) break;
      if (this.values[id] === value) return id;
      slot = (slot + 1) & this.mask;
    }
    const id = this.values.length;
    this.values.push(value);
    this.slots[slot] = id;
    if (this.values.length * 2 > this.slots.length) this.grow();
    return id;
  }

  private grow() {
    const size = this.slots.length * 2;
    this.slots = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    for (let id = 0; id < this.values.length; id++) {
      let slot = hashString(this.values[id]!) & this.mask;
      while (this.slots[slot]! >= 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = id;
    }
  }
}

function hashString(value: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // Mix the high bits down: the low bits of FNV alone cluster for strings differing at the end.
  hash ^= hash >>> 15;
  return hash >>> 0;
}

/** Interns one column of each side into value ids. */
export function buildValueTable(
  kind: ValueKind,
  leftValues: readonly (string | null)[],
  rightValues: readonly (string | null)[] | undefined,
  nullValues: ReadonlySet<string>,
): ValueTable {
  const ids = new StringInterner();
  const raws = CACHE_RAW.has(kind) ? new Map<string, number>() : undefined;
  const values = ids.values;
  const counts: number[] = [];
  let present = 0;
  let unreadable = 0;
  const intern = (column: readonly (string | null)[]): Int32Array => {
    const out = new Int32Array(column.length);
    for (let i = 0; i < column.length; i++) {
      const raw = column[i];
      if (raw === null || raw === undefined) {
        out[i] = -1;
        continue;
      }
      let id: number | undefined;
      if (raws) {
        id = raws.get(raw);
      } else if (kind === 'id' && ID_FAST.test(raw)) {
        // An ID number already in canonical form (nearly all of them) needs no reading, and no
        // raw-text cache: the numbers are unique, so the cache would only double the memory.
        id = ids.intern(raw);
        if (id === counts.length) counts.push(0);
      }
      if (id === undefined) {
        const trimmed = raw.trim();
        const canonical = nullValues.has(trimmed) ? undefined : canonicalValue(kind, trimmed);
        if (canonical === undefined) {
          id = trimmed === '' || nullValues.has(trimmed) ? -1 : -2;
        } else {
          id = ids.intern(canonical);
          if (id === counts.length) counts.push(0);
        }
        raws?.set(raw, id);
      }
      if (id === -2) {
        unreadable++;
        id = -1;
      }
      out[i] = id;
      if (id >= 0) {
        counts[id]!++;
        present++;
      }
    }
    return out;
  };
  const left = intern(leftValues);
  const right = rightValues === undefined ? left : intern(rightValues);
  return { kind, left, right, values, counts: Int32Array.from(counts), present, unreadable };
}

/** Interns derived strings into dense ids: one id array over value ids, −1 where there is none. */
function internDerived(table: ValueTable, derive: (value: string, id: number) => string | undefined) {
  const dictionary = new Map<string, number>();
  const keys: string[] = [];
  const ids = new Int32Array(table.values.length);
  for (let v = 0; v < table.values.length; v++) {
    const key = derive(table.values[v]!, v);
    if (key === undefined || key === '') {
      ids[v] = -1;
      continue;
    }
    let id = dictionary.get(key);
    if (id === undefined) {
      id = keys.length;
      dictionary.set(key, id);
      keys.push(key);
    }
    ids[v] = id;
  }
  return { ids, keys };
}

/** A derived key of each value id (−1 for none) and the text of each key. */
export interface DerivedKey {
  ids: Int32Array;
  keys: string[];
}

/** Name keys by value id: pinyin, surname and the code points of the name for edit distance. */
export interface NameFeatures {
  pinyin: DerivedKey;
  surname: DerivedKey;
  surnamePinyin: DerivedKey;
  givenPinyin: DerivedKey;
  initials: DerivedKey;
  /** Code points of all names, one after another; value v is points[start[v] … start[v] + length[v]). */
  points: Int32Array;
  start: Int32Array;
  length: Int32Array;
}

/** Parsed dates by value id: year, month, day (0 when absent), and days since 1970 when a real date. */
export interface DateFeatures {
  year: Int32Array;
  month: Int32Array;
  day: Int32Array;
  /** Days since 1970-01-01, or NO_DAY when not a real calendar date. */
  dayNumber: Int32Array;
}

/** Marks a date that is not a real calendar day (1990-15-03, 1990-03). */
export const NO_DAY = -0x7fffffff;

const nameMemo = new WeakMap<ValueTable, NameFeatures>();
const packedMemo = new WeakMap<ValueTable, PackedStrings>();

/** A table's values packed into one code-unit array, for character-by-character comparisons. */
export function getPackedValues(table: ValueTable): PackedStrings {
  let packed = packedMemo.get(table);
  if (!packed) {
    packed = packStrings(table.values);
    packedMemo.set(table, packed);
  }
  return packed;
}
const dateMemo = new WeakMap<ValueTable, DateFeatures>();
const derivedMemo = new WeakMap<ValueTable, Map<string, DerivedKey>>();

/** The pinyin and surname keys of a name table, computed once per distinct name. */
export function getNameFeatures(table: ValueTable): NameFeatures {
  let features = nameMemo.get(table);
  if (features) return features;
  const n = table.values.length;
  const keys = table.values.map((name) => nameKeys(name));
  const start = new Int32Array(n);
  const length = new Int32Array(n);
  let total = 0;
  for (let v = 0; v < n; v++) total += table.values[v]!.length;
  const points = new Int32Array(total);
  let offset = 0;
  for (let v = 0; v < n; v++) {
    start[v] = offset;
    for (const char of keys[v]!.han) points[offset++] = char.codePointAt(0)!;
    length[v] = offset - start[v]!;
  }
  features = {
    pinyin: internDerived(table, (_, v) => keys[v]!.pinyinJoined),
    surname: internDerived(table, (_, v) => keys[v]!.surname),
    // Surname syllables come first, one per surname character (复姓 two).
    surnamePinyin: internDerived(table, (_, v) => {
      const k = keys[v]!;
      return k.surname === '' ? undefined : k.syllables.slice(0, Array.from(k.surname).length).join('');
    }),
    givenPinyin: internDerived(table, (_, v) => {
      const k = keys[v]!;
      return k.syllables.slice(Array.from(k.surname).length).join('');
    }),
    initials: internDerived(table, (_, v) => keys[v]!.initials),
    points,
    start,
    length,
  };
  nameMemo.set(table, features);
  return features;
}

/** The parsed parts of a date table. */
export function getDateFeatures(table: ValueTable): DateFeatures {
  let features = dateMemo.get(table);
  if (features) return features;
  const n = table.values.length;
  const year = new Int32Array(n);
  const month = new Int32Array(n);
  const day = new Int32Array(n);
  const dayNumber = new Int32Array(n).fill(NO_DAY);
  for (let v = 0; v < n; v++) {
    const text = table.values[v]!;
    const y = Number(text.slice(0, 4));
    const m = text.length >= 7 ? Number(text.slice(5, 7)) : 0;
    const d = text.length >= 10 ? Number(text.slice(8, 10)) : 0;
    year[v] = y;
    month[v] = m;
    day[v] = d;
    if (m >= 1 && m <= 12 && d >= 1) {
      const ms = Date.UTC(y, m - 1, d);
      const date = new Date(ms);
      if (date.getUTCMonth() === m - 1 && date.getUTCDate() === d) dayNumber[v] = Math.round(ms / 86_400_000);
    }
  }
  features = { year, month, day, dayNumber };
  dateMemo.set(table, features);
  return features;
}

/** A derived key of a table by name (memoised), e.g. 'prefix:9' or 'year'. */
export function getDerivedKey(
  table: ValueTable,
  name: string,
  derive: (value: string, id: number) => string | undefined,
): DerivedKey {
  let byName = derivedMemo.get(table);
  if (!byName) {
    byName = new Map();
    derivedMemo.set(table, byName);
  }
  let key = byName.get(name);
  if (!key) {
    key = internDerived(table, derive);
    byName.set(name, key);
  }
  return key;
}

/** The values themselves as a derived key: value id v is key v. */
export function getValueKey(table: ValueTable): DerivedKey {
  let byName = derivedMemo.get(table);
  if (!byName) {
    byName = new Map();
    derivedMemo.set(table, byName);
  }
  let key = byName.get('');
  if (!key) {
    const ids = new Int32Array(table.values.length);
    for (let v = 0; v < ids.length; v++) ids[v] = v;
    key = { ids, keys: table.values };
    byName.set('', key);
  }
  return key;
}

/** Records holding each derived key, over both sides: the term frequencies of the key. */
export function countDerived(table: ValueTable, key: DerivedKey): Int32Array {
  const counts = new Int32Array(key.keys.length);
  for (let v = 0; v < table.values.length; v++) {
    const id = key.ids[v]!;
    if (id >= 0) counts[id]! += table.counts[v]!;
  }
  return counts;
}
