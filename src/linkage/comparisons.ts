import { type Text, text } from '../domain/i18n.ts';
import { compareIdentifiers, jaroWinkler, levenshteinWithin, withinOneEdit } from './string-distance.ts';
import {
  countDerived,
  getDateFeatures,
  getDerivedKey,
  getNameFeatures,
  getPackedValues,
  type ValueKind,
  type ValueTable,
} from './value-tables.ts';

/**
 * Comparisons are data: a column read as one kind of value, and an ordered list of levels. The
 * first level whose test passes is the pair's level; a pair passing none is at "else"; a pair
 * with either value missing is at "null", which weighs nothing. Level codes are small integers:
 * 0 null, 1…n the listed levels, n + 1 else.
 */

/** The tests a level can make. */
export type LevelKind =
  | 'exact'
  | 'one-digit'
  | 'transposed'
  | 'same-pinyin'
  | 'edit-1'
  | 'surname'
  | 'day-month-swapped'
  | 'within-days'
  | 'same-year'
  | 'same-year-month'
  | 'prefix'
  | 'jaro-winkler'
  | 'levenshtein';

/** One level of a comparison: a test and its parameter (days, prefix length, threshold). */
export interface LevelSpec {
  kind: LevelKind;
  param?: number;
}

/** Which term frequency a level's weight is adjusted by, when the comparison asks for it. */
type TfKey = 'value' | 'pinyin' | 'surname';

interface LevelKindInfo {
  /** Value kinds the test works on; undefined for any. */
  valueKinds?: readonly ValueKind[];
  param?: 'days' | 'length' | 'similarity' | 'distance';
  tf?: TfKey;
  label(param: number | undefined): Text;
}

export const LEVEL_KINDS: Readonly<Record<LevelKind, LevelKindInfo>> = {
  exact: { tf: 'value', label: () => text('完全相同', 'exact') },
  'one-digit': {
    valueKinds: ['id', 'string'],
    label: () => text('差一位', 'one character off'),
  },
  transposed: {
    valueKinds: ['id', 'string'],
    label: () => text('相邻两位颠倒', 'two adjacent characters swapped'),
  },
  'same-pinyin': {
    valueKinds: ['name'],
    tf: 'pinyin',
    label: () => text('同音（拼音相同）', 'same pinyin (homophone)'),
  },
  'edit-1': {
    valueKinds: ['name'],
    label: () => text('错一个字（其余至少两字相同）', 'one character different (two or more the same)'),
  },
  surname: { valueKinds: ['name'], tf: 'surname', label: () => text('仅姓氏相同', 'surname only') },
  'day-month-swapped': {
    valueKinds: ['date'],
    label: () => text('月日颠倒', 'day and month swapped'),
  },
  'within-days': {
    valueKinds: ['date'],
    param: 'days',
    label: (days) => text(`相差 ${days} 天以内`, `within ${days} days`),
  },
  'same-year': { valueKinds: ['date'], label: () => text('同年', 'same year') },
  'same-year-month': { valueKinds: ['date'], label: () => text('同年同月', 'same year and month') },
  prefix: {
    valueKinds: ['place', 'string', 'id'],
    param: 'length',
    label: (length) =>
      length === 12
        ? text('同村（社区）', 'same village')
        : length === 9
          ? text('同乡镇（街道）', 'same township')
          : length === 6
            ? text('同县（区）', 'same county')
            : text(`前 ${length} 位相同`, `same first ${length} characters`),
  },
  'jaro-winkler': {
    param: 'similarity',
    label: (t) => text(`Jaro-Winkler 相似度 ≥ ${t}`, `Jaro-Winkler similarity ≥ ${t}`),
  },
  levenshtein: {
    param: 'distance',
    label: (d) => text(`编辑距离 ≤ ${d}`, `edit distance ≤ ${d}`),
  },
};

/** Short names for place levels. */
export const LEVEL_ALIASES: Readonly<Record<string, LevelSpec>> = {
  village: { kind: 'prefix', param: 12 },
  township: { kind: 'prefix', param: 9 },
  county: { kind: 'prefix', param: 6 },
};

/** The comparison types a configuration names: how the column is read and the levels by default. */
export type ComparisonType =
  | 'id-number'
  | 'han-name'
  | 'date'
  | 'place'
  | 'exact'
  | 'jaro-winkler'
  | 'levenshtein'
  | 'string';

export const COMPARISON_TYPES: Readonly<
  Record<ComparisonType, { valueKind: ValueKind; levels: readonly string[]; tf: boolean }>
> = {
  'id-number': { valueKind: 'id', levels: ['exact', 'one-digit', 'transposed'], tf: false },
  'han-name': { valueKind: 'name', levels: ['exact', 'same-pinyin', 'edit-1', 'surname'], tf: true },
  date: {
    valueKind: 'date',
    levels: ['exact', 'day-month-swapped', 'within-days:30', 'same-year'],
    tf: false,
  },
  place: { valueKind: 'place', levels: ['village', 'township', 'county'], tf: false },
  exact: { valueKind: 'string', levels: ['exact'], tf: false },
  'jaro-winkler': {
    valueKind: 'string',
    levels: ['exact', 'jaro-winkler:0.95', 'jaro-winkler:0.88'],
    tf: false,
  },
  levenshtein: { valueKind: 'string', levels: ['exact', 'levenshtein:1', 'levenshtein:2'], tf: false },
  string: { valueKind: 'string', levels: ['exact'], tf: false },
};

/** A comparison as configured and checked. */
export interface ComparisonSpec {
  name: string;
  type: ComparisonType;
  /** The logical column (see LinkSettings.columns). */
  column: string;
  valueKind: ValueKind;
  levels: LevelSpec[];
  /** Adjust exact (and same-pinyin, surname) agreement by how common the value is. */
  tf: boolean;
  /** The smallest term frequency used, so one-off values (often typos) do not weigh without bound. */
  tfMinimumU: number;
  /**
   * m fixed by hand for some levels, by level code ('else': 0.001), held during training: what
   * the data cannot teach, such as that two valid, different ID numbers are two people even when
   * everything else about them agrees (twins).
   */
  fixedM: Record<string, number>;
}

/** What a level is called: a stable code for files and a label for people. */
export interface LevelInfo {
  code: string;
  label: Text;
}

/** The code of a level spec as written in configurations: 'exact', 'within-days:30', 'prefix:9'. */
export function levelCode(spec: LevelSpec): string {
  if (spec.kind === 'prefix') {
    const alias = Object.entries(LEVEL_ALIASES).find(([, s]) => s.param === spec.param);
    if (alias) return alias[0];
  }
  return spec.param === undefined ? spec.kind : `${spec.kind}:${spec.param}`;
}

/** All levels of a comparison in code order: null, the listed levels, else. */
export function describeLevels(spec: ComparisonSpec): LevelInfo[] {
  return [
    { code: 'null', label: text('缺失', 'missing') },
    ...spec.levels.map((level) => ({
      code: levelCode(level),
      label: LEVEL_KINDS[level.kind].label(level.param),
    })),
    { code: 'else', label: text('不同', 'different') },
  ];
}

/** Test opcodes of the kernel's switch. */
const OP: Readonly<Record<LevelKind, number>> = {
  exact: 0,
  'one-digit': 1,
  transposed: 2,
  'same-pinyin': 3,
  'edit-1': 4,
  surname: 5,
  'day-month-swapped': 6,
  'within-days': 7,
  'same-year': 8,
  'same-year-month': 9,
  prefix: 10,
  'jaro-winkler': 11,
  levenshtein: 12,
};

const EMPTY_I32 = new Int32Array(0);
const EMPTY_U16 = new Uint16Array(0);
/**
 * edit-1 needs a name of three characters or more: two two-character names one character apart
 * share only the surname (王伟, 王强), which is the surname level's business.
 */
const MIN_EDIT_LENGTH = 3;
/** A block's features are gathered when at least this many left records will read them. */
const GATHER_FROM_LEFTS = 4;
/** Columns with at most this many distinct values get a level matrix (2,048² bytes = 4 MiB). */
const MATRIX_VALUES = 2048;
/** A day number below any real one: NO_DAY never falls within range of anything. */
const REAL_DAY = -100_000_000;

/**
 * The right-hand value of a pair as the level tests see it: features by index, either of the whole
 * table (index = value id) or gathered for the current block (index = slot in the block).
 */
class Side {
  id: Int32Array = EMPTY_I32;
  pinyin: Int32Array = EMPTY_I32;
  surname: Int32Array = EMPTY_I32;
  points: Int32Array = EMPTY_I32;
  pointStart: Int32Array = EMPTY_I32;
  pointLength: Int32Array = EMPTY_I32;
  year: Int32Array = EMPTY_I32;
  month: Int32Array = EMPTY_I32;
  day: Int32Array = EMPTY_I32;
  dayNumber: Int32Array = EMPTY_I32;
  prefixes: Int32Array[] = [];
  units: Uint16Array = EMPTY_U16;
  unitStart: Int32Array = EMPTY_I32;
  unitLength: Int32Array = EMPTY_I32;
  values: string[] = [];
}

/** Grows a scratch array to hold n entries. */
function room(array: Int32Array, n: number): Int32Array {
  return array.length >= n ? array : new Int32Array(Math.max(n, array.length * 2));
}

/**
 * A comparison ready for the pair loop. One class for every comparison, its levels a list of
 * opcodes run through one switch, its features typed arrays: the loop stays monomorphic and
 * allocation-free, and V8 inlines it.
 *
 * Pairs are compared a block at a time: beginBlock gathers the features of the block's right
 * records into contiguous scratch arrays, so the inner loop over a block reads memory in order
 * instead of jumping about a million-record registry.
 */
export class PreparedComparison {
  readonly spec: ComparisonSpec;
  /** Levels including null and else. */
  readonly levelCount: number;
  /** Which levels are adjusted by term frequency. */
  readonly tfLevels: boolean[];
  /** Value id of each left / right record; −1 when missing. */
  readonly left: Int32Array;
  readonly right: Int32Array;

  private readonly ops: Uint8Array;
  private readonly params: Float64Array;
  /** The left value's features, by value id. */
  private readonly a: Side;
  /** The right values of the current block, by slot. */
  private readonly block: Side;
  private readonly uses: {
    name: boolean;
    points: boolean;
    date: boolean;
    prefix: boolean;
    units: boolean;
    strings: boolean;
  };
  private readonly frequencies: (Float64Array | undefined)[];
  private readonly tfFloor: number;
  /** For a column of few distinct values (sex, village): every pair's level, looked up, not computed. */
  private readonly matrix: Uint8Array | undefined;
  private readonly width: number;
  /** The last identifier comparison: one-digit and transposed both need it, once per pair. */
  private lastA = -1;
  private lastB = -1;
  private lastResult = 3;
  /** Whether the current block's features were gathered (else they are read by value id). */
  private gathered = false;
  /** Scratch for accumulate: the pairs still undecided, and identifier comparison results. */
  private pendingT = new Int32Array(1024);
  private pendingY = new Int32Array(1024);
  private identifierResult = new Uint8Array(1024);

  constructor(spec: ComparisonSpec, table: ValueTable, options: PrepareOptions = {}) {
    this.spec = spec;
    this.levelCount = spec.levels.length + 2;
    this.left = table.left;
    this.right = table.right;
    this.ops = Uint8Array.from(spec.levels.map((level) => OP[level.kind]));
    this.params = Float64Array.from(spec.levels.map((level) => level.param ?? 0));
    const kinds = new Set(spec.levels.map((level) => level.kind));
    this.uses = {
      name: kinds.has('same-pinyin') || kinds.has('surname'),
      points: kinds.has('edit-1'),
      date: spec.levels.some((level) => LEVEL_KINDS[level.kind].valueKinds?.includes('date') === true),
      prefix: kinds.has('prefix'),
      units: kinds.has('one-digit') || kinds.has('transposed'),
      strings: kinds.has('jaro-winkler') || kinds.has('levenshtein'),
    };
    const a = new Side();
    const n = table.values.length;
    a.id = new Int32Array(n);
    for (let v = 0; v < n; v++) a.id[v] = v;
    if (this.uses.name || this.uses.points) {
      const name = getNameFeatures(table);
      a.pinyin = name.pinyin.ids;
      a.surname = name.surname.ids;
      a.points = name.points;
      a.pointStart = name.start;
      a.pointLength = name.length;
    }
    if (this.uses.date) {
      const date = getDateFeatures(table);
      a.year = date.year;
      a.month = date.month;
      a.day = date.day;
      a.dayNumber = date.dayNumber;
    }
    a.prefixes = spec.levels.map((level) => {
      if (level.kind !== 'prefix') return EMPTY_I32;
      const length = level.param ?? 0;
      return getDerivedKey(table, `prefix:${length}`, (value) =>
        value.length >= length ? value.slice(0, length) : undefined,
      ).ids;
    });
    if (this.uses.units) {
      const packed = getPackedValues(table);
      a.units = packed.units;
      a.unitStart = packed.start;
      a.unitLength = packed.length;
    }
    a.values = table.values;
    this.a = a;
    const block = new Side();
    block.prefixes = a.prefixes.map(() => EMPTY_I32);
    this.block = block;
    this.tfLevels = [
      false,
      ...spec.levels.map((l) => spec.tf && LEVEL_KINDS[l.kind].tf !== undefined),
      false,
    ];
    this.frequencies = this.tfLevels.map((on, l) =>
      on ? frequencyByValue(table, LEVEL_KINDS[spec.levels[l - 1]!.kind].tf!) : undefined,
    );
    this.tfFloor = spec.tfMinimumU;
    this.width = n;
    if (n > 0 && n <= (options.matrixValues ?? MATRIX_VALUES)) {
      const matrix = new Uint8Array(n * n);
      for (let x = 0; x < n; x++) for (let y = 0; y < n; y++) matrix[x * n + y] = this.levelOfValues(x, a, y);
      this.matrix = matrix;
    }
  }

  /** The level of a (left record, right record) pair. */
  level(i: number, j: number): number {
    const x = this.left[i]!;
    const y = this.right[j]!;
    if (x < 0 || y < 0) return 0;
    if (this.matrix) return this.matrix[x * this.width + y]!;
    this.lastA = -1;
    return this.levelOfValues(x, this.a, y);
  }

  /** Levels of many pairs: out[t] = level(lefts[t], rights[t]), one comparison at a time. */
  levels(lefts: Int32Array, rights: Int32Array, count: number, out: Uint8Array): void {
    const left = this.left;
    const right = this.right;
    const matrix = this.matrix;
    const width = this.width;
    const a = this.a;
    this.lastA = -1;
    for (let t = 0; t < count; t++) {
      const x = left[lefts[t]!]!;
      const y = right[rights[t]!]!;
      if (x < 0 || y < 0) out[t] = 0;
      else if (matrix) out[t] = matrix[x * width + y]!;
      else out[t] = this.levelOfValues(x, a, y);
    }
  }

  /**
   * Starts a block: its right records are members[start … end), and `lefts` left records will be
   * compared with them. Their value ids are always gathered; their features only when enough left
   * records will read them to pay for the copying.
   */
  beginBlock(members: Int32Array, start: number, end: number, lefts: number): void {
    const n = end - start;
    const block = this.block;
    const a = this.a;
    const right = this.right;
    block.id = room(block.id, n);
    const ids = block.id;
    for (let s = 0; s < n; s++) ids[s] = right[members[start + s]!]!;
    this.gathered = lefts >= GATHER_FROM_LEFTS && this.matrix === undefined;
    if (!this.gathered) return;
    // Missing values (−1) are never compared; their slots are filled with 0 to stay in range.
    if (this.uses.name) {
      block.pinyin = room(block.pinyin, n);
      block.surname = room(block.surname, n);
      for (let s = 0; s < n; s++) {
        const v = ids[s]!;
        block.pinyin[s] = v < 0 ? -1 : a.pinyin[v]!;
        block.surname[s] = v < 0 ? -1 : a.surname[v]!;
      }
    }
    if (this.uses.date) {
      block.year = room(block.year, n);
      block.month = room(block.month, n);
      block.day = room(block.day, n);
      block.dayNumber = room(block.dayNumber, n);
      for (let s = 0; s < n; s++) {
        const v = Math.max(0, ids[s]!);
        block.year[s] = a.year[v]!;
        block.month[s] = a.month[v]!;
        block.day[s] = a.day[v]!;
        block.dayNumber[s] = a.dayNumber[v]!;
      }
    }
    if (this.uses.prefix) {
      for (let l = 0; l < a.prefixes.length; l++) {
        const prefix = a.prefixes[l]!;
        if (prefix.length === 0) continue;
        const gathered = room(block.prefixes[l]!, n);
        for (let s = 0; s < n; s++) gathered[s] = ids[s]! < 0 ? -1 : prefix[ids[s]!]!;
        block.prefixes[l] = gathered;
      }
    }
    if (this.uses.points) {
      block.pointStart = room(block.pointStart, n);
      block.pointLength = room(block.pointLength, n);
      let total = 0;
      for (let s = 0; s < n; s++) if (ids[s]! >= 0) total += a.pointLength[ids[s]!]!;
      block.points = room(block.points, total);
      let offset = 0;
      for (let s = 0; s < n; s++) {
        const v = ids[s]!;
        block.pointStart[s] = offset;
        const length = v < 0 ? 0 : a.pointLength[v]!;
        block.pointLength[s] = length;
        const from = v < 0 ? 0 : a.pointStart[v]!;
        for (let c = 0; c < length; c++) block.points[offset + c] = a.points[from + c]!;
        offset += length;
      }
    }
    if (this.uses.units) {
      block.unitStart = room(block.unitStart, n);
      block.unitLength = room(block.unitLength, n);
      let total = 0;
      for (let s = 0; s < n; s++) if (ids[s]! >= 0) total += a.unitLength[ids[s]!]!;
      if (block.units.length < total) block.units = new Uint16Array(Math.max(total, block.units.length * 2));
      let offset = 0;
      for (let s = 0; s < n; s++) {
        const v = ids[s]!;
        block.unitStart[s] = offset;
        const length = v < 0 ? 0 : a.unitLength[v]!;
        block.unitLength[s] = length;
        const from = v < 0 ? 0 : a.unitStart[v]!;
        for (let c = 0; c < length; c++) block.units[offset + c] = a.units[from + c]!;
        offset += length;
      }
    }
    if (this.uses.strings) {
      if (block.values.length < n) block.values = new Array<string>(n);
      for (let s = 0; s < n; s++) block.values[s] = ids[s]! < 0 ? '' : a.values[ids[s]!]!;
    }
  }

  /**
   * For a left record i and the selected block slots sel[0 … n): codes[t] += level × stride.
   * Level by level over the pairs still undecided, each test in its own tight loop: the switch
   * runs once per level, not once per pair.
   */
  accumulate(i: number, sel: Int32Array, n: number, codes: Int32Array, stride: number): void {
    const x = this.left[i]!;
    if (x < 0) return; // null level: code 0 adds nothing
    const ids = this.block.id;
    const matrix = this.matrix;
    if (matrix) {
      const row = x * this.width;
      for (let t = 0; t < n; t++) {
        const y = ids[sel[t]!]!;
        if (y >= 0) codes[t]! += matrix[row + y]! * stride;
      }
      return;
    }
    if (this.pendingT.length < n) {
      this.pendingT = new Int32Array(n * 2);
      this.pendingY = new Int32Array(n * 2);
      this.identifierResult = new Uint8Array(n * 2);
    }
    const pendingT = this.pendingT;
    const pendingY = this.pendingY;
    const gathered = this.gathered;
    const b = gathered ? this.block : this.a;
    let m = 0;
    for (let t = 0; t < n; t++) {
      const s = sel[t]!;
      const y = ids[s]!;
      if (y < 0) continue;
      pendingT[m] = t;
      pendingY[m] = gathered ? s : y;
      m++;
    }
    const a = this.a;
    const ops = this.ops;
    const count = ops.length;
    let identifiers = false;
    for (let l = 0; l < count && m > 0; l++) {
      const add = (l + 1) * stride;
      let kept = 0;
      switch (ops[l]) {
        case 0: {
          const id = b.id;
          for (let q = 0; q < m; q++) {
            const y = pendingY[q]!;
            if (x === id[y]) codes[pendingT[q]!]! += add;
            else {
              pendingT[kept] = pendingT[q]!;
              pendingY[kept++] = y;
            }
          }
          break;
        }
        case 1:
        case 2: {
          const result = this.identifierResult;
          if (!identifiers) {
            // One comparison serves both identifier levels.
            identifiers = true;
            const start = a.unitStart[x]!;
            const length = a.unitLength[x]!;
            for (let q = 0; q < m; q++) {
              const y = pendingY[q]!;
              result[q] = compareIdentifiers(
                a.units,
                start,
                length,
                b.units,
                b.unitStart[y]!,
                b.unitLength[y]!,
              );
            }
          }
          const want = ops[l]!;
          for (let q = 0; q < m; q++) {
            if (result[q] === want) codes[pendingT[q]!]! += add;
            else {
              pendingT[kept] = pendingT[q]!;
              pendingY[kept] = pendingY[q]!;
              result[kept++] = result[q]!;
            }
          }
          break;
        }
        case 3:
        case 5: {
          const mine = (ops[l] === 3 ? a.pinyin : a.surname)[x]!;
          const theirs = ops[l] === 3 ? b.pinyin : b.surname;
          for (let q = 0; q < m; q++) {
            const y = pendingY[q]!;
            if (mine >= 0 && mine === theirs[y]) codes[pendingT[q]!]! += add;
            else {
              pendingT[kept] = pendingT[q]!;
              pendingY[kept++] = y;
            }
          }
          break;
        }
        case 4: {
          const start = a.pointStart[x]!;
          const length = a.pointLength[x]!;
          for (let q = 0; q < m; q++) {
            const y = pendingY[q]!;
            const other = b.pointLength[y]!;
            if (
              (length >= MIN_EDIT_LENGTH || other >= MIN_EDIT_LENGTH) &&
              withinOneEdit(a.points, start, length, b.points, b.pointStart[y]!, other)
            ) {
              codes[pendingT[q]!]! += add;
            } else {
              pendingT[kept] = pendingT[q]!;
              pendingY[kept++] = y;
            }
          }
          break;
        }
        case 6: {
          const year = a.year[x]!;
          const month = a.month[x]!;
          const day = a.day[x]!;
          const possible = month !== day && day > 0;
          for (let q = 0; q < m; q++) {
            const y = pendingY[q]!;
            if (possible && year === b.year[y] && month === b.day[y] && day === b.month[y])
              codes[pendingT[q]!]! += add;
            else {
              pendingT[kept] = pendingT[q]!;
              pendingY[kept++] = y;
            }
          }
          break;
        }
        case 7: {
          const p = a.dayNumber[x]!;
          const days = this.params[l]!;
          const dayNumber = b.dayNumber;
          for (let q = 0; q < m; q++) {
            const y = pendingY[q]!;
            const d = dayNumber[y]!;
            if (p > REAL_DAY && d > REAL_DAY && Math.abs(p - d) <= days) codes[pendingT[q]!]! += add;
            else {
              pendingT[kept] = pendingT[q]!;
              pendingY[kept++] = y;
            }
          }
          break;
        }
        case 8:
        case 9: {
          const year = a.year[x]!;
          const month = ops[l] === 9 ? a.month[x]! : -1;
          const years = b.year;
          const months = b.month;
          for (let q = 0; q < m; q++) {
            const y = pendingY[q]!;
            if (year === years[y] && (month < 0 || (month > 0 && month === months[y])))
              codes[pendingT[q]!]! += add;
            else {
              pendingT[kept] = pendingT[q]!;
              pendingY[kept++] = y;
            }
          }
          break;
        }
        default: {
          // Prefixes and string similarities: the scalar test.
          for (let q = 0; q < m; q++) {
            const y = pendingY[q]!;
            if (this.passes(l, x, b, y)) codes[pendingT[q]!]! += add;
            else {
              pendingT[kept] = pendingT[q]!;
              pendingY[kept++] = y;
            }
          }
        }
      }
      m = kept;
      // Other tests compact the pending list without the identifier results: recompute if needed.
      if (ops[l] !== 1 && ops[l] !== 2) identifiers = false;
    }
    const otherwise = (count + 1) * stride;
    for (let q = 0; q < m; q++) codes[pendingT[q]!]! += otherwise;
  }

  /** The smallest term frequency a value can have at a level (floored): bounds the largest adjustment. */
  minimumFrequency(level: number): number {
    const byValue = this.frequencies[level];
    if (!byValue) return 1;
    let min = 1;
    for (let v = 0; v < byValue.length; v++) if (byValue[v]! > 0 && byValue[v]! < min) min = byValue[v]!;
    return Math.max(min, this.tfFloor);
  }

  /** Term frequency of a pair's value at a level (the larger side's, floored), or 0 when the level is not adjusted. */
  termFrequency(level: number, i: number, j: number): number {
    const byValue = this.frequencies[level];
    if (!byValue) return 0;
    const x = this.left[i]!;
    const y = this.right[j]!;
    if (x < 0 || y < 0) return 0;
    return Math.max(byValue[x]!, byValue[y]!, this.tfFloor);
  }

  /** The level of left value x against the right value at index y of side b (both present). */
  private levelOfValues(x: number, b: Side, y: number): number {
    const count = this.ops.length;
    for (let l = 0; l < count; l++) if (this.passes(l, x, b, y)) return l + 1;
    return count + 1;
  }

  /** Whether the pair passes level l's test. */
  private passes(l: number, x: number, b: Side, y: number): boolean {
    const a = this.a;
    switch (this.ops[l]) {
      case 0:
        return x === b.id[y];
      case 1:
      case 2: {
        if (x !== this.lastA || y !== this.lastB) {
          this.lastA = x;
          this.lastB = y;
          this.lastResult = compareIdentifiers(
            a.units,
            a.unitStart[x]!,
            a.unitLength[x]!,
            b.units,
            b.unitStart[y]!,
            b.unitLength[y]!,
          );
        }
        return this.lastResult === this.ops[l];
      }
      case 3:
        return a.pinyin[x]! >= 0 && a.pinyin[x] === b.pinyin[y];
      case 4:
        return (
          (a.pointLength[x]! >= MIN_EDIT_LENGTH || b.pointLength[y]! >= MIN_EDIT_LENGTH) &&
          withinOneEdit(
            a.points,
            a.pointStart[x]!,
            a.pointLength[x]!,
            b.points,
            b.pointStart[y]!,
            b.pointLength[y]!,
          )
        );
      case 5:
        return a.surname[x]! >= 0 && a.surname[x] === b.surname[y];
      case 6: {
        const month = a.month[x]!;
        const day = a.day[x]!;
        return (
          a.year[x] === b.year[y] && month === b.day[y] && day === b.month[y] && month !== day && day > 0
        );
      }
      case 7: {
        const p = a.dayNumber[x]!;
        const q = b.dayNumber[y]!;
        return p > REAL_DAY && q > REAL_DAY && Math.abs(p - q) <= this.params[l]!;
      }
      case 8:
        return a.year[x] === b.year[y];
      case 9:
        return a.year[x] === b.year[y] && a.month[x]! > 0 && a.month[x] === b.month[y];
      case 10: {
        const prefix = a.prefixes[l]![x]!;
        return prefix >= 0 && prefix === b.prefixes[l]![y];
      }
      case 11:
        return jaroWinkler(a.values[x]!, b.values[y]!) >= this.params[l]!;
      case 12:
        return levenshteinWithin(a.values[x]!, b.values[y]!, this.params[l]!) <= this.params[l]!;
      default:
        return false;
    }
  }
}

/** Frequencies by value id: the share of records holding the value's key. */
function frequencyByValue(table: ValueTable, key: TfKey): Float64Array {
  const frequencies = new Float64Array(table.values.length);
  const total = Math.max(1, table.present);
  const derived =
    key === 'value'
      ? undefined
      : key === 'pinyin'
        ? getNameFeatures(table).pinyin
        : getNameFeatures(table).surname;
  if (derived === undefined) {
    for (let v = 0; v < table.values.length; v++) frequencies[v] = table.counts[v]! / total;
    return frequencies;
  }
  const counts = countDerived(table, derived);
  for (let v = 0; v < table.values.length; v++) {
    const id = derived.ids[v]!;
    frequencies[v] = id >= 0 ? counts[id]! / total : 0;
  }
  return frequencies;
}

export interface PrepareOptions {
  /** Columns with at most this many distinct values get a level matrix (default 2,048; 0 for none). */
  matrixValues?: number;
}

/** Prepares a comparison over the interned column it reads. */
export function prepareComparison(
  spec: ComparisonSpec,
  table: ValueTable,
  options: PrepareOptions = {},
): PreparedComparison {
  return new PreparedComparison(spec, table, options);
}
