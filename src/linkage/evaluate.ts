import { DECISION_LINK, DECISION_REVIEW, type LinkResult } from './link-records.ts';

/**
 * Linkage quality against known truth: a column holding the true entity of each record. Pairwise,
 * as Splink and the literature report it: a true pair is two records of the same entity (one from
 * each file when linking two files).
 */

export interface LinkageQuality {
  /** Pairs of records that truly are the same entity. */
  truePairs: number;
  /** True pairs that blocking made into candidates. */
  truePairsInBlocks: number;
  /** truePairsInBlocks / truePairs: the best recall any threshold could reach. */
  blockingRecall: number;
  /** Pairs decided "link" (after one-to-one assignment). */
  linked: number;
  truePositives: number;
  precision: number;
  recall: number;
  f1: number;
  /** Pairs in the review band, and how many of them are true. */
  review: number;
  reviewTrue: number;
  /** A few mistakes to look at: [left index, right index]. */
  falsePositives: [number, number][];
  falseNegatives: [number, number][];
}

/** Compares a run's decisions with the truth. Records with a missing truth value belong to no entity. */
export function evaluateLinkage(
  result: LinkResult,
  truthLeft: readonly (string | null)[],
  truthRight?: readonly (string | null)[],
  examples = 20,
): LinkageQuality {
  const dedupe = result.mode === 'dedupe';
  const ids = new Map<string, number>();
  const intern = (values: readonly (string | null)[]) => {
    const out = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (value === null || value === undefined || value === '') {
        out[i] = -1;
        continue;
      }
      let id = ids.get(value);
      if (id === undefined) {
        id = ids.size;
        ids.set(value, id);
      }
      out[i] = id;
    }
    return out;
  };
  const left = intern(truthLeft);
  const right = dedupe || truthRight === undefined ? left : intern(truthRight);
  const leftCount = new Float64Array(ids.size);
  const rightCount = new Float64Array(ids.size);
  for (const t of left) if (t >= 0) leftCount[t]!++;
  if (!dedupe) for (const t of right) if (t >= 0) rightCount[t]!++;
  let truePairs = 0;
  for (let t = 0; t < ids.size; t++) {
    truePairs += dedupe ? (leftCount[t]! * (leftCount[t]! - 1)) / 2 : leftCount[t]! * rightCount[t]!;
  }
  const same = (i: number, j: number) => left[i]! >= 0 && left[i] === right[j];

  const { candidates, pairs } = result;
  let truePairsInBlocks = 0;
  for (let c = 0; c < candidates.count; c++)
    if (same(candidates.left[c]!, candidates.right[c]!)) truePairsInBlocks++;

  let linked = 0;
  let truePositives = 0;
  let review = 0;
  let reviewTrue = 0;
  const falsePositives: [number, number][] = [];
  const linkedTrue = new Set<number>();
  for (let q = 0; q < pairs.count; q++) {
    const i = pairs.left[q]!;
    const j = pairs.right[q]!;
    const decision = pairs.decision[q];
    if (decision === DECISION_LINK) {
      linked++;
      if (same(i, j)) {
        truePositives++;
        linkedTrue.add(pairs.candidate[q]!);
      } else if (falsePositives.length < examples) falsePositives.push([i, j]);
    } else if (decision === DECISION_REVIEW) {
      review++;
      if (same(i, j)) reviewTrue++;
    }
  }
  const falseNegatives: [number, number][] = [];
  for (let c = 0; c < candidates.count && falseNegatives.length < examples; c++) {
    if (same(candidates.left[c]!, candidates.right[c]!) && !linkedTrue.has(c)) {
      falseNegatives.push([candidates.left[c]!, candidates.right[c]!]);
    }
  }
  const precision = linked === 0 ? 1 : truePositives / linked;
  const recall = truePairs === 0 ? 1 : truePositives / truePairs;
  return {
    truePairs,
    truePairsInBlocks,
    blockingRecall: truePairs === 0 ? 1 : truePairsInBlocks / truePairs,
    linked,
    truePositives,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    review,
    reviewTrue,
    falsePositives,
    falseNegatives,
  };
}
