import { AppError } from '../domain/errors.ts';
import { type Text, text } from '../domain/i18n.ts';
import {
  type BlockingReport,
  buildBlocks,
  firstJoiningRule,
  type TableSource,
  visitBlocks,
} from './blocking.ts';
import { assignOneToOne, type Clusters, clusterPairs } from './clusters.ts';
import { describeLevels, type LevelInfo, type PreparedComparison, prepareComparison } from './comparisons.ts';
import type { Dataset } from './dataset.ts';
import {
  countRandomPairLevels,
  estimatePrior,
  expectationMaximisation,
  levelWeights,
  type PatternCounts,
  probabilityOfWeight,
  startingM,
  uFromCounts,
  weightOfProbability,
  withFixed,
} from './fellegi-sunter.ts';
import { type LinkSettings, resolveColumn } from './link-config.ts';
import { buildValueTable, type ValueKind, type ValueTable } from './value-tables.ts';

/**
 * linkRecords: one linkage run from records to scored, decided pairs. Steps: intern the columns
 * and derive keys once per distinct value; block (hash joins, rules unioned); sample random pairs
 * for u; compare every candidate pair into an integer level pattern; train m by EM on each
 * blocking rule's pairs, leaving out the comparisons that rule's key already fixes; estimate the
 * prior; score with term-frequency adjustments; decide by thresholds; assign one-to-one or cluster.
 * Everything on the pair path is typed arrays and integer codes.
 */

export type Decision = 'non-match' | 'review' | 'link';
/** Decision codes in the decision arrays: index → decision. */
export const DECISIONS: readonly Decision[] = ['non-match', 'review', 'link'];
export const DECISION_NON_MATCH = 0;
export const DECISION_REVIEW = 1;
export const DECISION_LINK = 2;

export type LinkPhase = 'prepare' | 'block' | 'sample' | 'compare' | 'train' | 'score';

export interface LinkProgress {
  phase: LinkPhase;
  done: number;
  total: number;
}

/** Trained parameters, JSON-ready: saved after one run, given to the next to skip training. */
export interface TrainedModel {
  /** λ: the probability that two records drawn at random are the same entity. */
  prior: number;
  comparisons: { name: string; levels: { code: string; m: number; u: number }[] }[];
}

export interface LinkOptions {
  /** Score with this model instead of training one. */
  model?: TrainedModel;
  /** Keep every candidate pair in `pairs`, not only those at or above the review threshold. */
  keepAll?: boolean;
  onProgress?: (progress: LinkProgress) => void;
}

/** One EM session: the pairs of one blocking rule, training the comparisons its key leaves free. */
export interface TrainingSession {
  rule: string;
  pairs: number;
  trained: string[];
  /** Share of matches among the rule's pairs. */
  lambda: number;
  expectedMatches: number;
  iterations: number;
  converged: boolean;
}

export interface TrainingReport {
  source: 'trained' | 'given';
  randomPairs: number;
  /** True when u came from every pair rather than a sample. */
  exhaustive: boolean;
  sessions: TrainingSession[];
  /** Comparisons every rule's key touches: trained on all candidate pairs together instead. */
  pooled: string[];
  prior: number;
  priorSource: 'estimated' | 'configured' | 'given';
  /** Matches the model expects among all pairs. */
  expectedMatches: number;
}

/** Every pair blocking made. */
export interface CandidatePairs {
  count: number;
  left: Int32Array;
  right: Int32Array;
  /** Index of the pair's level pattern (see LinkResult.levelOf). */
  pattern: Int32Array;
  /** The blocking rule that made the pair. */
  rule: Uint8Array;
}

/** The pairs kept: at or above the review threshold (or all, with keepAll), best weight first. */
export interface ScoredPairs {
  count: number;
  left: Int32Array;
  right: Int32Array;
  /** Index into the candidates. */
  candidate: Int32Array;
  weight: Float64Array;
  probability: Float64Array;
  /** DECISIONS codes, after one-to-one assignment. */
  decision: Uint8Array;
  /** 1 where one-to-one assignment gave the record to a better pair. */
  superseded: Uint8Array;
}

/** One comparison's part in a pair's weight. */
export interface ComparisonExplanation {
  name: string;
  /** Level code: 0 null, 1… the listed levels, last else. */
  level: number;
  code: string;
  label: Text;
  m: number;
  u: number;
  /** log2(m / u); 0 for a missing value. */
  weight: number;
  /** log2(u / term frequency) when the level is adjusted for how common the value is, else 0. */
  tfWeight: number;
}

/** Why a pair scored what it did. */
export interface PairExplanation {
  leftIndex: number;
  rightIndex: number;
  leftId: string;
  rightId: string;
  /** The blocking rule that would make the pair, or null when blocking never compares it. */
  rule: string | null;
  /** log2 of the prior odds λ / (1 − λ). */
  priorWeight: number;
  comparisons: ComparisonExplanation[];
  /** priorWeight + Σ (weight + tfWeight). */
  weight: number;
  probability: number;
  /** By thresholds alone (one-to-one assignment not applied). */
  decision: Decision;
}

/** A comparison's trained parameters. */
export interface ComparisonModel {
  name: string;
  levels: LevelInfo[];
  m: Float64Array;
  u: Float64Array;
  /** log2(m / u) per level. */
  weights: Float64Array;
  /** Levels whose weight is adjusted by term frequency. */
  tf: boolean[];
}

export interface LinkResult {
  mode: 'link' | 'dedupe';
  leftSize: number;
  rightSize: number;
  blocking: BlockingReport;
  training: TrainingReport;
  comparisons: ComparisonModel[];
  model: TrainedModel;
  candidates: CandidatePairs;
  pairs: ScoredPairs;
  /** Decisions over all candidate pairs (non-match counts the candidates not kept too). */
  decisions: { link: number; review: number; nonMatch: number; superseded: number };
  /** Connected components of the link pairs. */
  clusters: Clusters;
  /** Values that could not be read (a date that is no date) and so counted as missing. */
  unreadable: { column: string; kind: ValueKind; count: number }[];
  /** Milliseconds per phase. */
  timings: Record<LinkPhase, number>;
  /** Level of comparison k in a candidate pair. */
  levelOf(candidate: number, comparison: number): number;
  /** Weight of comparison k in a candidate pair: log2(m / u) plus any term-frequency adjustment. */
  weightOf(candidate: number, comparison: number): number;
  /** Explains any pair of records, candidate or not. */
  explain(leftIndex: number, rightIndex: number): PairExplanation;
}

/** Tables shared by comparisons and blocking keys: one per (logical column, value kind). */
function createTables(
  left: Dataset,
  right: Dataset | undefined,
  settings: LinkSettings,
): { source: TableSource; built: Map<string, { column: string; table: ValueTable }> } {
  const built = new Map<string, { column: string; table: ValueTable }>();
  const nulls = new Set(settings.nullValues);
  const source: TableSource = (column, kind) => {
    const key = `${kind}\u0000${column}`;
    const cached = built.get(key);
    if (cached) return cached.table;
    const names = resolveColumn(settings, column);
    const leftValues = left.columns.get(names.left);
    const rightValues = right === undefined ? undefined : right.columns.get(names.right);
    if (!leftValues || (right !== undefined && !rightValues)) {
      const missing = !leftValues ? names.left : names.right;
      throw new AppError(
        'invalid_input',
        text(`记录中没有列“${missing}”`, `The records have no column "${missing}"`),
        {
          field: column,
        },
      );
    }
    const table = buildValueTable(kind, leftValues, rightValues, nulls);
    built.set(key, { column, table });
    return table;
  };
  return { source, built };
}

/** Dense ids for level-pattern codes, and each pattern's pair count overall and per rule. */
class PatternIndex {
  readonly codes: number[] = [];
  /** Pairs per pattern. */
  all = new Float64Array(1024);
  /** Pairs per pattern and rule: byRule[p × rules + r]. */
  byRule: Float64Array;
  private readonly rules: number;
  private readonly dense: Int32Array | undefined;
  private readonly sparse: Map<number, number> | undefined;

  constructor(space: number, rules: number) {
    if (space <= 1 << 24) this.dense = new Int32Array(space).fill(-1);
    else this.sparse = new Map();
    this.rules = rules;
    this.byRule = new Float64Array(1024 * rules);
  }

  indexOf(code: number): number {
    const index = this.dense ? this.dense[code]! : (this.sparse!.get(code) ?? -1);
    return index >= 0 ? index : this.add(code);
  }

  private add(code: number): number {
    const index = this.codes.length;
    this.codes.push(code);
    if (index >= this.all.length) {
      const all = new Float64Array(this.all.length * 2);
      all.set(this.all);
      this.all = all;
      const byRule = new Float64Array(this.byRule.length * 2);
      byRule.set(this.byRule);
      this.byRule = byRule;
    }
    if (this.dense) this.dense[code] = index;
    else this.sparse!.set(code, index);
    return index;
  }

  /** Pair counts per pattern for one rule. */
  countsOfRule(rule: number): Float64Array {
    const counts = new Float64Array(this.codes.length);
    for (let p = 0; p < counts.length; p++) counts[p] = this.byRule[p * this.rules + rule]!;
    return counts;
  }
}

/** Rounds of (train m and λ, correct u for the matches among random pairs). */
const TRAINING_ROUNDS = 3;

/** Links two datasets, or deduplicates one when right is undefined. */
export function linkRecords(
  left: Dataset,
  right: Dataset | undefined,
  settings: LinkSettings,
  options: LinkOptions = {},
): LinkResult {
  const dedupe = right === undefined;
  const rightData = right ?? left;
  const sizes = { left: left.ids.length, right: rightData.ids.length, dedupe };
  const progress = options.onProgress ?? (() => {});
  const timings: Record<LinkPhase, number> = {
    prepare: 0,
    block: 0,
    sample: 0,
    compare: 0,
    train: 0,
    score: 0,
  };
  let clock = performance.now();
  const lap = (phase: LinkPhase) => {
    const now = performance.now();
    timings[phase] += now - clock;
    clock = now;
  };

  // Prepare: interned columns and derived keys, once per distinct value.
  progress({ phase: 'prepare', done: 0, total: settings.comparisons.length });
  const { source: tables, built } = createTables(left, right, settings);
  const prepared: PreparedComparison[] = settings.comparisons.map((spec, k) => {
    const comparison = prepareComparison(spec, tables(spec.column, spec.valueKind));
    progress({ phase: 'prepare', done: k + 1, total: settings.comparisons.length });
    return comparison;
  });
  const K = prepared.length;
  const levelCounts = prepared.map((c) => c.levelCount);
  const strides: number[] = [];
  let space = 1;
  for (const count of levelCounts) {
    strides.push(space);
    space *= count;
  }
  lap('prepare');

  // Block.
  progress({ phase: 'block', done: 0, total: 1 });
  const blocks = buildBlocks(settings.blocking, tables, sizes, settings.training.maxBlockPairs);
  // The pairs each rule makes, summed, bound the distinct candidates from above (a pair two rules
  // make counts twice): enough to allocate for, and to refuse a run before comparing anything.
  const pairBound = blocks.report.rules.reduce((sum, rule) => sum + rule.pairs, 0);
  progress({ phase: 'block', done: 1, total: 1 });
  if (pairBound > settings.training.maxCandidatePairs) {
    throw new AppError(
      'invalid_config',
      text(
        `分块规则共产生 ${pairBound} 个记录对，超过上限 ${settings.training.maxCandidatePairs}；请收紧分块规则或提高 training.maxCandidatePairs`,
        `The blocking rules make ${pairBound} pairs, more than the limit of ${settings.training.maxCandidatePairs}; tighten the blocking rules or raise training.maxCandidatePairs`,
      ),
      { field: 'blocking', details: { blocking: blocks.report } },
    );
  }
  lap('block');

  // u from random pairs (unless a model is given).
  let u: Float64Array[];
  let randomPairs = 0;
  let exhaustive = false;
  let randomCounts: Float64Array[] = [];
  if (options.model) {
    u = modelArrays(options.model, prepared, 'u');
  } else {
    progress({ phase: 'sample', done: 0, total: 1 });
    const sampled = countRandomPairLevels(
      prepared,
      sizes,
      settings.training.randomPairs,
      settings.training.seed,
    );
    randomCounts = sampled.counts;
    u = randomCounts.map((counts) => uFromCounts(counts));
    randomPairs = sampled.pairs;
    exhaustive = sampled.exhaustive;
    progress({ phase: 'sample', done: 1, total: 1 });
  }
  lap('sample');

  // Compare every candidate pair into a level pattern, a block at a time.
  const patterns = new PatternIndex(space, settings.blocking.length);
  const ruleCount = settings.blocking.length;
  let candidateLeft = new Int32Array(pairBound);
  let candidateRight = new Int32Array(pairBound);
  let candidatePattern = new Int32Array(pairBound);
  let candidateRule = new Uint8Array(pairBound);
  const newPairs = new Float64Array(ruleCount);
  let n = 0;
  let codes = new Int32Array(1024);
  let blockRule = 0;
  let blockMembers: Int32Array = new Int32Array(0);
  let blockStart = 0;
  let nextReport = 0;
  progress({ phase: 'compare', done: 0, total: pairBound });
  visitBlocks(blocks, {
    beginBlock(rule, members, start, end, lefts) {
      blockRule = rule;
      blockMembers = members;
      blockStart = start;
      for (let k = 0; k < K; k++) prepared[k]!.beginBlock(members, start, end, lefts);
    },
    pairs(i, sel, masks, count) {
      if (count > codes.length) codes = new Int32Array(count * 2);
      codes.fill(0, 0, count);
      for (let k = 0; k < K; k++) prepared[k]!.accumulate(i, sel, count, codes, strides[k]!);
      let all = patterns.all;
      let byRule = patterns.byRule;
      for (let t = 0; t < count; t++) {
        const p = patterns.indexOf(codes[t]!);
        if (p >= all.length) {
          all = patterns.all;
          byRule = patterns.byRule;
        }
        candidateLeft[n] = i;
        candidateRight[n] = blockMembers[blockStart + sel[t]!]!;
        candidatePattern[n] = p;
        candidateRule[n] = blockRule;
        n++;
        all[p]!++;
        const mask = masks[t]!;
        const base = p * ruleCount;
        if ((mask & (mask - 1)) === 0) byRule[base + blockRule]!++;
        else
          for (let bits = mask; bits !== 0; bits &= bits - 1) byRule[base + 31 - Math.clz32(bits & -bits)]!++;
      }
      newPairs[blockRule]! += count;
      if (n >= nextReport) {
        progress({ phase: 'compare', done: n, total: pairBound });
        nextReport = n + 1_000_000;
      }
    },
  });
  const candidateCount = n;
  candidateLeft = candidateLeft.subarray(0, n);
  candidateRight = candidateRight.subarray(0, n);
  candidatePattern = candidatePattern.subarray(0, n);
  candidateRule = candidateRule.subarray(0, n);
  for (const [r, rule] of blocks.report.rules.entries()) rule.newPairs = newPairs[r]!;
  blocks.report.candidatePairs = candidateCount;
  progress({ phase: 'compare', done: pairBound, total: pairBound });
  lap('compare');

  // Train.
  progress({ phase: 'train', done: 0, total: 1 });
  const P = patterns.codes.length;
  const patternLevels = prepared.map((_, k) => {
    const levels = new Uint8Array(P);
    for (let p = 0; p < P; p++) levels[p] = Math.floor(patterns.codes[p]! / strides[k]!) % levelCounts[k]!;
    return levels;
  });
  const allCounts = patterns.all.slice(0, P);
  const sessions: TrainingSession[] = [];
  const pooled: string[] = [];
  const totalPairs = blocks.report.totalPairs;
  let m: Float64Array[] = [];
  let weights: Float64Array[] = [];
  const patternWeights = new Float64Array(P);
  let prior = 0;
  let priorSource: TrainingReport['priorSource'] = 'estimated';
  let expectedMatches: number;
  const weigh = () => {
    weights = prepared.map((_, k) => levelWeights(m[k]!, u[k]!));
    for (let p = 0; p < P; p++) {
      let w = 0;
      for (let k = 0; k < K; k++) w += weights[k]![patternLevels[k]![p]!]!;
      patternWeights[p] = w;
    }
  };
  if (options.model) {
    m = modelArrays(options.model, prepared, 'm');
    prior = options.model.prior;
    priorSource = 'given';
    weigh();
  } else {
    // Train m and λ with u from random pairs; take the matches among the random pairs out of u;
    // train again. The second correction changes u by little, the third by nothing visible.
    for (let round = 0; round < TRAINING_ROUNDS; round++) {
      sessions.length = 0;
      pooled.length = 0;
      m = trainM(
        prepared,
        settings,
        patternLevels,
        (r) => patterns.countsOfRule(r),
        allCounts,
        u,
        sessions,
        pooled,
      );
      weigh();
      if (settings.training.priorMatchProbability !== undefined) {
        prior = settings.training.priorMatchProbability;
        priorSource = 'configured';
      } else {
        prior = estimatePrior(patternWeights, allCounts, totalPairs).prior;
      }
      if (round === TRAINING_ROUNDS - 1) break;
      u = randomCounts.map((counts, k) => uFromCounts(counts, prior, m[k]));
    }
  }
  const priorWeight = Math.log2(prior / (1 - prior));
  expectedMatches = 0;
  for (let p = 0; p < P; p++)
    expectedMatches += allCounts[p]! * probabilityOfWeight(priorWeight + patternWeights[p]!);
  progress({ phase: 'train', done: 1, total: 1 });
  lap('train');

  // Score: pattern weight plus term-frequency adjustments, then thresholds. A pattern whose weight
  // stays under the review threshold even with the largest adjustment its levels could get is
  // decided without looking up a single frequency: most of the candidates.
  const tfComparisons = prepared.map((c, k) => (c.tfLevels.some(Boolean) ? k : -1)).filter((k) => k >= 0);
  const tfLog = prepared.map((c, k) => c.tfLevels.map((on, l) => (on ? Math.log2(u[k]![l]!) : 0)));
  const tfMaxBoost = prepared.map((c, k) =>
    c.tfLevels.map((on, l) => (on ? Math.max(0, tfLog[k]![l]! - Math.log2(c.minimumFrequency(l))) : 0)),
  );
  const autoLinkWeight = weightOfProbability(settings.thresholds.autoLink);
  const reviewWeight = weightOfProbability(settings.thresholds.review);
  const keepAll = options.keepAll ?? false;
  const patternNeedsTf = new Uint8Array(P);
  const patternHopeless = new Uint8Array(P);
  for (let p = 0; p < P; p++) {
    let boost = 0;
    for (const k of tfComparisons) {
      const l = patternLevels[k]![p]!;
      if (prepared[k]!.tfLevels[l]) {
        patternNeedsTf[p] = 1;
        boost += tfMaxBoost[k]![l]!;
      }
    }
    patternHopeless[p] = !keepAll && priorWeight + patternWeights[p]! + boost < reviewWeight ? 1 : 0;
  }
  let keptIndex = new Int32Array(1 << 16);
  let keptWeight = new Float64Array(1 << 16);
  let kept = 0;
  progress({ phase: 'score', done: 0, total: candidateCount });
  for (let c = 0; c < candidateCount; c++) {
    const p = candidatePattern[c]!;
    if (patternHopeless[p] === 1) continue;
    let w = priorWeight + patternWeights[p]!;
    if (patternNeedsTf[p] === 1) {
      for (const k of tfComparisons) {
        const l = patternLevels[k]![p]!;
        if (!prepared[k]!.tfLevels[l]) continue;
        const frequency = prepared[k]!.termFrequency(l, candidateLeft[c]!, candidateRight[c]!);
        if (frequency > 0) w += tfLog[k]![l]! - Math.log2(frequency);
      }
    }
    if (!keepAll && w < reviewWeight) continue;
    if (kept === keptIndex.length) {
      const index = new Int32Array(kept * 2);
      index.set(keptIndex);
      keptIndex = index;
      const weight = new Float64Array(kept * 2);
      weight.set(keptWeight);
      keptWeight = weight;
    }
    keptIndex[kept] = c;
    keptWeight[kept] = w;
    kept++;
  }
  const byWeight = new Int32Array(kept);
  for (let q = 0; q < kept; q++) byWeight[q] = q;
  byWeight.sort((a, b) => keptWeight[b]! - keptWeight[a]! || a - b);
  const order = new Int32Array(kept);
  for (let q = 0; q < kept; q++) order[q] = keptIndex[byWeight[q]!]!;
  const pairs: ScoredPairs = {
    count: kept,
    left: new Int32Array(kept),
    right: new Int32Array(kept),
    candidate: order,
    weight: new Float64Array(kept),
    probability: new Float64Array(kept),
    decision: new Uint8Array(kept),
    superseded: new Uint8Array(kept),
  };
  for (let q = 0; q < kept; q++) {
    const c = order[q]!;
    const w = keptWeight[byWeight[q]!]!;
    pairs.left[q] = candidateLeft[c]!;
    pairs.right[q] = candidateRight[c]!;
    pairs.weight[q] = w;
    pairs.probability[q] = probabilityOfWeight(w);
    pairs.decision[q] =
      w >= autoLinkWeight ? DECISION_LINK : w >= reviewWeight ? DECISION_REVIEW : DECISION_NON_MATCH;
  }
  if (!dedupe && settings.oneToOne) {
    const superseded = assignOneToOne(
      pairs.left,
      pairs.right,
      pairs.weight,
      (q) => pairs.decision[q]! !== DECISION_NON_MATCH,
      sizes,
    );
    for (let q = 0; q < kept; q++) {
      if (superseded[q]) {
        pairs.superseded[q] = 1;
        pairs.decision[q] = DECISION_NON_MATCH;
      }
    }
  }
  const decisions = { link: 0, review: 0, nonMatch: 0, superseded: 0 };
  for (let q = 0; q < kept; q++) {
    const d = pairs.decision[q]!;
    if (d === DECISION_LINK) decisions.link++;
    else if (d === DECISION_REVIEW) decisions.review++;
    if (pairs.superseded[q]) decisions.superseded++;
  }
  decisions.nonMatch = candidateCount - decisions.link - decisions.review;
  const clusters = clusterPairs(pairs.left, pairs.right, (q) => pairs.decision[q] === DECISION_LINK, sizes);
  progress({ phase: 'score', done: candidateCount, total: candidateCount });
  lap('score');

  const comparisons: ComparisonModel[] = prepared.map((c, k) => ({
    name: c.spec.name,
    levels: describeLevels(c.spec),
    m: m[k]!,
    u: u[k]!,
    weights: weights[k]!,
    tf: c.tfLevels,
  }));
  const model: TrainedModel = {
    prior,
    comparisons: comparisons.map((c) => ({
      name: c.name,
      levels: c.levels.slice(1).map((level, l) => ({ code: level.code, m: c.m[l + 1]!, u: c.u[l + 1]! })),
    })),
  };
  const unreadable = [...built.values()]
    .filter(({ table }) => table.unreadable > 0)
    .map(({ column, table }) => ({ column, kind: table.kind, count: table.unreadable }));

  const explain = (i: number, j: number): PairExplanation => {
    const parts: ComparisonExplanation[] = [];
    let total = priorWeight;
    for (let k = 0; k < K; k++) {
      const c = prepared[k]!;
      const l = c.level(i, j);
      const level = comparisons[k]!.levels[l]!;
      const frequency = c.tfLevels[l] ? c.termFrequency(l, i, j) : 0;
      const tfWeight = frequency > 0 ? tfLog[k]![l]! - Math.log2(frequency) : 0;
      const weight = l === 0 ? 0 : weights[k]![l]!;
      total += weight + tfWeight;
      parts.push({
        name: c.spec.name,
        level: l,
        code: level.code,
        label: level.label,
        m: m[k]![l]!,
        u: u[k]![l]!,
        weight,
        tfWeight,
      });
    }
    const r = firstJoiningRule(blocks, i, j);
    const rule = r < 0 ? null : blocks.rules[r]!.name;
    return {
      leftIndex: i,
      rightIndex: j,
      leftId: left.ids[i]!,
      rightId: rightData.ids[j]!,
      rule,
      priorWeight,
      comparisons: parts,
      weight: total,
      probability: probabilityOfWeight(total),
      decision:
        DECISIONS[total >= autoLinkWeight ? DECISION_LINK : total >= reviewWeight ? DECISION_REVIEW : 0]!,
    };
  };

  return {
    mode: dedupe ? 'dedupe' : 'link',
    leftSize: sizes.left,
    rightSize: sizes.right,
    blocking: blocks.report,
    training: {
      source: options.model ? 'given' : 'trained',
      randomPairs,
      exhaustive,
      sessions,
      pooled,
      prior,
      priorSource,
      expectedMatches,
    },
    comparisons,
    model,
    candidates: {
      count: candidateCount,
      left: candidateLeft,
      right: candidateRight,
      pattern: candidatePattern,
      rule: candidateRule,
    },
    pairs,
    decisions,
    clusters,
    unreadable,
    timings,
    levelOf: (candidate, k) => patternLevels[k]![candidatePattern[candidate]!]!,
    weightOf: (candidate, k) => {
      const l = patternLevels[k]![candidatePattern[candidate]!]!;
      if (l === 0) return 0;
      let w = weights[k]![l]!;
      if (prepared[k]!.tfLevels[l]) {
        const frequency = prepared[k]!.termFrequency(
          l,
          candidateLeft[candidate]!,
          candidateRight[candidate]!,
        );
        if (frequency > 0) w += tfLog[k]![l]! - Math.log2(frequency);
      }
      return w;
    },
    explain,
  };
}

/**
 * Trains m. Splink's way, adapted. A rule's pairs all agree on the rule's key, so they say nothing
 * about how often matches agree on those columns: each rule's pairs train only the comparisons on
 * other columns, with the share of matches λ_r free. Two departures, both for families:
 * - u is re-estimated inside each session. The non-matches of a block are not random pairs:
 *   in a surname + birth-year block, cousins and twins share a village far more often than two
 *   people drawn at random, and with u held at the random-pair value EM credits that to matches.
 *   (Scoring still uses the random-pair u: it is the u of the pairs a record could be confused with.)
 * - A comparison's m is the median over the rules that trained it, not the mean: a rule whose
 *   free comparisons cannot tell twins from one person (surname + birth year leaves only ID
 *   number, sex and village) would otherwise drag m(ID number differs) up to the twin rate.
 * A comparison that every rule's key touches is trained on all candidate pairs together.
 */
function trainM(
  prepared: PreparedComparison[],
  settings: LinkSettings,
  patternLevels: Uint8Array[],
  countsOfRule: (rule: number) => Float64Array,
  allCounts: Float64Array,
  u: Float64Array[],
  sessions: TrainingSession[],
  pooled: string[],
): Float64Array[] {
  const K = prepared.length;
  const levelCounts = prepared.map((c) => c.levelCount);
  const fixedM = prepared.map((c) => fixedMOf(c));
  const estimates: Float64Array[][] = prepared.map(() => []);
  const emOptions = {
    maxIterations: settings.training.maxIterations,
    tolerance: settings.training.tolerance,
  };
  for (const [r, rule] of settings.blocking.entries()) {
    const columns = new Set(rule.keys.map((key) => key.column));
    const active = prepared.map((c) => !columns.has(c.spec.column));
    const counts = countsOfRule(r);
    let pairs = 0;
    for (const c of counts) pairs += c;
    if (pairs === 0 || !active.some(Boolean)) continue;
    const em = expectationMaximisation(
      { levels: patternLevels, counts },
      { levelCounts, u, active, estimateU: true, fixedM, ...emOptions },
    );
    sessions.push({
      rule: rule.name,
      pairs,
      trained: prepared.filter((_, k) => active[k]).map((c) => c.spec.name),
      lambda: em.lambda,
      expectedMatches: em.expectedMatches,
      iterations: em.iterations,
      converged: em.converged,
    });
    // A rule whose pairs hold (almost) no matches cannot say what matches look like.
    if (em.expectedMatches < 1) continue;
    for (let k = 0; k < K; k++) {
      if (!active[k]) continue;
      estimates[k]!.push(em.m[k]!);
    }
  }
  const untrained = prepared.map((_, k) => estimates[k]!.length === 0);
  let pooledM: Float64Array[] | undefined;
  if (untrained.some(Boolean)) {
    const patterns: PatternCounts = { levels: patternLevels, counts: allCounts };
    pooledM = expectationMaximisation(patterns, { levelCounts, u, fixedM, ...emOptions }).m;
    for (let k = 0; k < K; k++) if (untrained[k]) pooled.push(prepared[k]!.spec.name);
  }
  return prepared.map((c, k) => {
    if (untrained[k]) return pooledM?.[k] ?? withFixed(startingM(c.levelCount), fixedM[k]);
    const values = new Float64Array(levelCounts[k]!);
    let total = 0;
    for (let l = 1; l < levelCounts[k]!; l++) {
      const sorted = estimates[k]!.map((e) => e[l]!).sort((x, y) => x - y);
      const mid = sorted.length >> 1;
      values[l] = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
      total += values[l]!;
    }
    for (let l = 1; l < levelCounts[k]!; l++) values[l]! /= total;
    return withFixed(values, fixedM[k]);
  });
}

/** A comparison's fixed m by level (NaN where free), or undefined when none is fixed. */
function fixedMOf(comparison: PreparedComparison): Float64Array | undefined {
  const fixed = comparison.spec.fixedM;
  if (Object.keys(fixed).length === 0) return undefined;
  return Float64Array.from(describeLevels(comparison.spec), (level, l) =>
    l > 0 && level.code in fixed ? fixed[level.code]! : Number.NaN,
  );
}

/** m or u arrays from a saved model, checked against the comparisons. */
function modelArrays(model: TrainedModel, prepared: PreparedComparison[], which: 'm' | 'u'): Float64Array[] {
  return prepared.map((c) => {
    const saved = model.comparisons.find((s) => s.name === c.spec.name);
    const codes = describeLevels(c.spec)
      .slice(1)
      .map((level) => level.code);
    if (
      !saved ||
      saved.levels.length !== codes.length ||
      saved.levels.some((level, l) => level.code !== codes[l])
    ) {
      throw new AppError(
        'invalid_input',
        text(
          `模型与配置不符：比较“${c.spec.name}”的级别应为 ${codes.join(', ')}`,
          `The model does not fit the configuration: the comparison "${c.spec.name}" should have the levels ${codes.join(', ')}`,
        ),
        { field: `model.comparisons.${c.spec.name}` },
      );
    }
    const values = new Float64Array(c.levelCount);
    for (let l = 1; l < c.levelCount; l++) values[l] = saved.levels[l - 1]![which];
    return values;
  });
}
