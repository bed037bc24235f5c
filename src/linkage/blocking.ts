import {
  type DerivedKey,
  getDerivedKey,
  getNameFeatures,
  getValueKey,
  type ValueKind,
  type ValueTable,
} from './value-tables.ts';

/**
 * Blocking: which pairs are compared at all. Each rule is an equality join on a key made of one or
 * more column transforms (surname pinyin + birth year); rules are unioned. A pair is made by the
 * first rule whose key it shares, so a later rule skips pairs an earlier one made: a handful of
 * integer comparisons per pair instead of a set of a hundred million pair ids. Blocks larger than
 * a cap (a key shared by too many records, such as a placeholder date) are skipped and reported.
 */

/** How a column becomes part of a blocking key. */
export type BlockingTransform =
  | 'exact'
  | 'id'
  | 'name'
  | 'pinyin'
  | 'surname'
  | 'surname-pinyin'
  | 'given-pinyin'
  | 'initials'
  | 'date'
  | 'year'
  | 'year-month'
  | 'month-day'
  | 'prefix';

export const BLOCKING_TRANSFORMS: Readonly<
  Record<BlockingTransform, { valueKind: ValueKind; param?: 'length' }>
> = {
  exact: { valueKind: 'string' },
  id: { valueKind: 'id' },
  name: { valueKind: 'name' },
  pinyin: { valueKind: 'name' },
  surname: { valueKind: 'name' },
  'surname-pinyin': { valueKind: 'name' },
  'given-pinyin': { valueKind: 'name' },
  initials: { valueKind: 'name' },
  date: { valueKind: 'date' },
  year: { valueKind: 'date' },
  'year-month': { valueKind: 'date' },
  'month-day': { valueKind: 'date' },
  prefix: { valueKind: 'place', param: 'length' },
};

/** One part of a blocking key: a logical column and how it is transformed. */
export interface BlockingKeySpec {
  column: string;
  transform: BlockingTransform;
  param?: number;
}

/** One blocking rule: pairs sharing every part of the key are candidates. */
export interface BlockingRuleSpec {
  name: string;
  keys: BlockingKeySpec[];
}

/** A capped block, for the report. */
export interface CappedBlock {
  /** The key, as its parts' values joined by ' + '. */
  key: string;
  left: number;
  right: number;
  pairs: number;
}

/** What one rule did. */
export interface BlockingRuleReport {
  name: string;
  /** Pairs the rule makes by itself (capped blocks left out). */
  pairs: number;
  /** Pairs no earlier rule made: the rule's share of the candidates. */
  newPairs: number;
  /** Blocks (distinct keys present on both sides). */
  blocks: number;
  /** Pairs in the largest block that was kept. */
  largestBlockPairs: number;
  /** Blocks skipped for being larger than the cap, and the pairs they would have made. */
  cappedBlocks: number;
  cappedPairs: number;
  /** The largest capped blocks, at most ten. */
  largestCapped: CappedBlock[];
}

export interface BlockingReport {
  rules: BlockingRuleReport[];
  /** Distinct candidate pairs over all rules. */
  candidatePairs: number;
  /** All pairs there are: left × right, or n(n − 1)/2 in deduplication. */
  totalPairs: number;
  /** The block size cap, in pairs. */
  maxBlockPairs: number;
}

/** The keys of every record under every rule, and the blocks to probe. */
export interface Blocks {
  dedupe: boolean;
  leftSize: number;
  rightSize: number;
  rules: BlockingRuleSpec[];
  /** Per rule: each left / right record's key id, −1 when a part is missing. */
  leftKeys: Int32Array[];
  rightKeys: Int32Array[];
  /** Per rule: 1 for a key whose block is capped. */
  capped: Uint8Array[];
  /** Per rule: the left keys with capped keys replaced by −2, so equality alone says "joined". */
  joinKeys: Int32Array[];
  /** Per rule: right records by key (CSR: blockStart[key] … blockStart[key + 1] in blockMembers). */
  blockStart: Int32Array[];
  blockMembers: Int32Array[];
  /** Per rule: left records by key, the same way (the right ones again in deduplication). */
  leftStart: Int32Array[];
  leftMembers: Int32Array[];
  report: BlockingReport;
}

/** Reads tables by logical column and value kind. */
export type TableSource = (column: string, kind: ValueKind) => ValueTable;

/** The derived key of one transform over a table. */
export function transformKey(table: ValueTable, spec: BlockingKeySpec): DerivedKey {
  switch (spec.transform) {
    case 'exact':
    case 'id':
    case 'name':
    case 'date':
      return getValueKey(table);
    case 'pinyin':
      return getNameFeatures(table).pinyin;
    case 'surname':
      return getNameFeatures(table).surname;
    case 'surname-pinyin':
      return getNameFeatures(table).surnamePinyin;
    case 'given-pinyin':
      return getNameFeatures(table).givenPinyin;
    case 'initials':
      return getNameFeatures(table).initials;
    case 'year':
      return getDerivedKey(table, 'year', (value) => value.slice(0, 4));
    case 'year-month':
      return getDerivedKey(table, 'year-month', (value) =>
        value.length >= 7 ? value.slice(0, 7) : undefined,
      );
    case 'month-day':
      return getDerivedKey(table, 'month-day', (value) => (value.length >= 10 ? value.slice(5) : undefined));
    case 'prefix': {
      const length = spec.param ?? 0;
      return getDerivedKey(table, `prefix:${length}`, (value) =>
        value.length >= length ? value.slice(0, length) : undefined,
      );
    }
  }
}

/** Per-record part ids of one key part on one side. */
function partIds(table: ValueTable, key: DerivedKey, side: 'left' | 'right'): Int32Array {
  const values = side === 'left' ? table.left : table.right;
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out[i] = v < 0 ? -1 : key.ids[v]!;
  }
  return out;
}

/**
 * Combines key parts into one dense key id per record, shared by both sides: the first part's
 * ids, then each further part folded in through a map from (key so far, part) to a new id.
 */
function combineParts(
  leftParts: Int32Array[],
  rightParts: Int32Array[],
  cardinalities: number[],
  dedupe: boolean,
) {
  let left = leftParts[0]!;
  let right = dedupe ? left : rightParts[0]!;
  let cardinality = cardinalities[0]!;
  for (let p = 1; p < leftParts.length; p++) {
    const dictionary = new Map<number, number>();
    const partCardinality = cardinalities[p]!;
    const fold = (keys: Int32Array, part: Int32Array): Int32Array => {
      const out = new Int32Array(keys.length);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        const x = part[i]!;
        if (k < 0 || x < 0) {
          out[i] = -1;
          continue;
        }
        const packed = k * partCardinality + x;
        let id = dictionary.get(packed);
        if (id === undefined) {
          id = dictionary.size;
          dictionary.set(packed, id);
        }
        out[i] = id;
      }
      return out;
    };
    left = fold(left, leftParts[p]!);
    right = dedupe ? left : fold(right, rightParts[p]!);
    cardinality = dictionary.size;
  }
  return { left, right, cardinality };
}

/** Pairs a block of a and b records makes. */
function blockPairs(leftCount: number, rightCount: number, dedupe: boolean): number {
  return dedupe ? (leftCount * (leftCount - 1)) / 2 : leftCount * rightCount;
}

/**
 * Computes every record's key under every rule, the blocks, and what each rule makes. `newPairs`
 * and `candidatePairs` are filled in by countCandidatePairs.
 */
export function buildBlocks(
  rules: BlockingRuleSpec[],
  tables: TableSource,
  sizes: { left: number; right: number; dedupe: boolean },
  maxBlockPairs: number,
): Blocks {
  const { dedupe } = sizes;
  const leftKeys: Int32Array[] = [];
  const rightKeys: Int32Array[] = [];
  const capped: Uint8Array[] = [];
  const joinKeys: Int32Array[] = [];
  const blockStart: Int32Array[] = [];
  const blockMembers: Int32Array[] = [];
  const leftStart: Int32Array[] = [];
  const leftMembers: Int32Array[] = [];
  const reports: BlockingRuleReport[] = [];
  for (const rule of rules) {
    const leftParts: Int32Array[] = [];
    const rightParts: Int32Array[] = [];
    const cardinalities: number[] = [];
    const describers: ((i: number, side: 'left' | 'right') => string)[] = [];
    for (const part of rule.keys) {
      const table = tables(part.column, BLOCKING_TRANSFORMS[part.transform].valueKind);
      const key = transformKey(table, part);
      cardinalities.push(key.keys.length);
      leftParts.push(partIds(table, key, 'left'));
      rightParts.push(dedupe ? leftParts.at(-1)! : partIds(table, key, 'right'));
      describers.push((i, side) => {
        const v = (side === 'left' ? table.left : table.right)[i]!;
        return v < 0 ? '' : (key.keys[key.ids[v]!] ?? '');
      });
    }
    const { left, right, cardinality } = combineParts(leftParts, rightParts, cardinalities, dedupe);
    const leftCount = new Float64Array(cardinality);
    const rightCount = new Int32Array(cardinality);
    const example = new Int32Array(cardinality).fill(-1);
    for (let i = 0; i < left.length; i++) if (left[i]! >= 0) leftCount[left[i]!]!++;
    for (let j = 0; j < right.length; j++) {
      const k = right[j]!;
      if (k < 0) continue;
      rightCount[k]!++;
      if (example[k]! < 0) example[k] = j;
    }
    if (dedupe) leftCount.set(rightCount);
    const isCapped = new Uint8Array(cardinality);
    let pairs = 0;
    let blocks = 0;
    let largest = 0;
    let cappedBlocks = 0;
    let cappedPairs = 0;
    const cappedList: CappedBlock[] = [];
    for (let k = 0; k < cardinality; k++) {
      const made = blockPairs(leftCount[k]!, rightCount[k]!, dedupe);
      if (made === 0) continue;
      if (made > maxBlockPairs) {
        isCapped[k] = 1;
        cappedBlocks++;
        cappedPairs += made;
        const j = example[k]!;
        cappedList.push({
          key: describers.map((describe) => describe(j, 'right')).join(' + '),
          left: leftCount[k]!,
          right: rightCount[k]!,
          pairs: made,
        });
        continue;
      }
      blocks++;
      pairs += made;
      if (made > largest) largest = made;
    }
    cappedList.sort((a, b) => b.pairs - a.pairs);
    const rightIndex = groupByKey(right, cardinality);
    const leftIndex = dedupe ? rightIndex : groupByKey(left, cardinality);
    // −2 never equals a right key (−1 when missing), so equality alone means "this rule joins them".
    const join = Int32Array.from(left);
    for (let i = 0; i < join.length; i++) if (join[i]! < 0 || isCapped[join[i]!] === 1) join[i] = -2;
    leftKeys.push(left);
    rightKeys.push(right);
    capped.push(isCapped);
    joinKeys.push(join);
    blockStart.push(rightIndex.start);
    blockMembers.push(rightIndex.members);
    leftStart.push(leftIndex.start);
    leftMembers.push(leftIndex.members);
    reports.push({
      name: rule.name,
      pairs,
      newPairs: 0,
      blocks,
      largestBlockPairs: largest,
      cappedBlocks,
      cappedPairs,
      largestCapped: cappedList.slice(0, 10),
    });
  }
  return {
    dedupe,
    leftSize: sizes.left,
    rightSize: sizes.right,
    rules,
    leftKeys,
    rightKeys,
    capped,
    joinKeys,
    blockStart,
    blockMembers,
    leftStart,
    leftMembers,
    report: {
      rules: reports,
      candidatePairs: 0,
      totalPairs: blockPairs(sizes.left, sizes.right, dedupe),
      maxBlockPairs,
    },
  };
}

/** Records by key, in index order (a counting sort): members[start[key] … start[key + 1]). */
function groupByKey(keys: Int32Array, cardinality: number): { start: Int32Array; members: Int32Array } {
  const start = new Int32Array(cardinality + 1);
  for (let i = 0; i < keys.length; i++) if (keys[i]! >= 0) start[keys[i]! + 1]!++;
  for (let k = 0; k < cardinality; k++) start[k + 1]! += start[k]!;
  const fill = start.slice(0, cardinality);
  const members = new Int32Array(start[cardinality]!);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (k >= 0) members[fill[k]!++] = i;
  }
  return { start, members };
}

/** Receives candidate pairs a block at a time. */
export interface BlockPairSink {
  /**
   * A block of rule r begins: its right records are members[start … end) (slot s is
   * members[start + s]), and `lefts` left records will be paired with them.
   */
  beginBlock(rule: number, members: Int32Array, start: number, end: number, lefts: number): void;
  /**
   * Left record i against the block's right records at slots sel[0 … n); masks[t] has a bit for
   * every rule whose key pair t shares (the block's own rule included), for training per rule.
   */
  pairs(i: number, sel: Int32Array, masks: Int32Array, n: number): void;
}

let selected = new Int32Array(1024);
let selectedMasks = new Int32Array(1024);
const gathered: Int32Array[] = [];

/**
 * Visits every candidate pair once, rule by rule and block by block. A pair in rule r's block is
 * left out when an earlier rule's (uncapped) key also joins it: that rule made it already. The
 * other rules' right keys are gathered per block, so the check reads memory in order.
 */
export function visitBlocks(blocks: Blocks, sink: BlockPairSink): void {
  const { rightKeys, joinKeys, capped, blockStart, blockMembers, leftStart, leftMembers, dedupe } = blocks;
  const ruleCount = rightKeys.length;
  const leftKey = new Int32Array(ruleCount);
  for (let r = 0; r < ruleCount; r++) {
    const starts = blockStart[r]!;
    const members = blockMembers[r]!;
    const lStarts = leftStart[r]!;
    const lMembers = leftMembers[r]!;
    const isCapped = capped[r]!;
    const cardinality = starts.length - 1;
    for (let key = 0; key < cardinality; key++) {
      const begin = starts[key]!;
      const end = starts[key + 1]!;
      const lBegin = lStarts[key]!;
      const lEnd = lStarts[key + 1]!;
      if (end === begin || lEnd === lBegin || isCapped[key] === 1) continue;
      if (dedupe && end - begin < 2) continue;
      const n = end - begin;
      if (n > selected.length) {
        selected = new Int32Array(n * 2);
        selectedMasks = new Int32Array(n * 2);
      }
      while (gathered.length < ruleCount) gathered.push(new Int32Array(1024));
      for (let q = 0; q < ruleCount; q++) {
        if (q === r) continue;
        if (gathered[q]!.length < n) gathered[q] = new Int32Array(n * 2);
        const keys = rightKeys[q]!;
        const into = gathered[q]!;
        for (let s = 0; s < n; s++) into[s] = keys[members[begin + s]!]!;
      }
      sink.beginBlock(r, members, begin, end, lEnd - lBegin);
      for (let p = lBegin; p < lEnd; p++) {
        const i = lMembers[p]!;
        for (let q = 0; q < ruleCount; q++) leftKey[q] = joinKeys[q]![i]!;
        let count = 0;
        // In deduplication the left members are the right ones: pair each with those after it.
        const first = dedupe ? p - lBegin + 1 : 0;
        for (let s = first; s < n; s++) {
          let earlier = false;
          for (let q = 0; q < r; q++) {
            if (leftKey[q] === gathered[q]![s]) {
              earlier = true;
              break;
            }
          }
          if (earlier) continue;
          let mask = 1 << r;
          for (let q = r + 1; q < ruleCount; q++) if (leftKey[q] === gathered[q]![s]) mask |= 1 << q;
          selected[count] = s;
          selectedMasks[count] = mask;
          count++;
        }
        if (count > 0) sink.pairs(i, selected, selectedMasks, count);
      }
    }
  }
}

/** Counts the distinct candidate pairs and each rule's new pairs (fills the report). */
export function countCandidatePairs(blocks: Blocks): number {
  const perRule = new Float64Array(blocks.rules.length);
  let rule = 0;
  visitBlocks(blocks, {
    beginBlock(r) {
      rule = r;
    },
    pairs(_i, _sel, _masks, n) {
      perRule[rule]! += n;
    },
  });
  let total = 0;
  for (const [r, report] of blocks.report.rules.entries()) {
    report.newPairs = perRule[r]!;
    total += perRule[r]!;
  }
  blocks.report.candidatePairs = total;
  return total;
}

/** The first rule whose (uncapped) key a pair shares — the rule that makes it — or −1 when none does. */
export function firstJoiningRule(blocks: Blocks, i: number, j: number): number {
  if (blocks.dedupe && i === j) return -1;
  for (let r = 0; r < blocks.rules.length; r++) {
    const key = blocks.joinKeys[r]![i]!;
    if (key === blocks.rightKeys[r]![j]) return r;
  }
  return -1;
}
