import { invalidInput } from '../domain/errors.ts';
import {
  type Dataset,
  DECISIONS,
  type LinkResult,
  type LinkSettings,
  linkRecords,
  type PairExplanation,
  parseLinkConfig,
  type TrainedModel,
} from '../linkage/index.ts';

/**
 * Finding registry records that are one person twice: the linkage engine in dedupe mode over the
 * live persons of a unit. Pure: records in, suspected pairs with their explanations out.
 */

/** The person columns the finder reads. */
export const PERSON_COLUMNS = ['id_number', 'name', 'sex', 'birth_date', 'village'] as const;

/**
 * The dedupe configuration: the comparisons of the feed linkage, blocking on ID number, birth date
 * + sex, surname pinyin + birth year, given-name pinyin + birth month, name pinyin + township.
 * The m probabilities are fixed (EM cannot learn them from a registry full of families). A
 * different ID number is common on a duplicate — one person entered twice under two valid
 * numbers (一人多号) is a known registry defect — so "else" keeps m 0.2 rather than ruling the
 * pair out: what tells twins (two numbers, one birth date, one village) from a duplicate is the
 * name, which for twins agrees on the surname only.
 */
export const DEDUPE_CONFIG = {
  id: 'id',
  comparisons: [
    { name: 'id_number', type: 'id-number', column: 'id_number', m: { else: 0.2 } },
    {
      name: 'name',
      type: 'han-name',
      column: 'name',
      tf: true,
      m: { exact: 0.5, 'same-pinyin': 0.3, 'edit-1': 0.15, surname: 0.04 },
    },
    {
      name: 'birth_date',
      type: 'date',
      column: 'birth_date',
      levels: ['exact', 'day-month-swapped', 'within-days:10', 'same-year'],
      m: { exact: 0.6, 'day-month-swapped': 0.05, 'within-days:10': 0.2, 'same-year': 0.1 },
    },
    { name: 'sex', type: 'exact', column: 'sex', m: { exact: 0.99 } },
    {
      name: 'village',
      type: 'place',
      column: 'village',
      m: { village: 0.5, township: 0.3, county: 0.19 },
    },
  ],
  blocking: [
    { name: 'id', on: ['id_number:id'] },
    { name: 'birth date + sex', on: ['birth_date:date', 'sex'] },
    { name: 'surname pinyin + birth year', on: ['name:surname-pinyin', 'birth_date:year'] },
    { name: 'given-name pinyin + birth month', on: ['name:given-pinyin', 'birth_date:year-month'] },
    { name: 'name pinyin + township', on: ['name:pinyin', 'village:prefix:9'] },
  ],
  thresholds: { autoLink: 0.95, review: 0.5 },
  oneToOne: false,
} as const;

/**
 * The lowest probability at which a pair is listed as a possible duplicate for a person to look
 * at (below the suggestion threshold). Measured on five synthetic counties' truth (docs/dedupe.md):
 * from 0.5 to 0.95, 192 of 228 pairs are one person, and every tenth of that band has more true
 * pairs than false (the lowest, 0.5–0.6, 21 of 37); 0.4–0.5 is a coin toss (14 of 27), 0.3–0.4
 * is 34 of 89 and below 0.3 one in four and falling — listing those would bury the true pairs.
 */
export const POSSIBLE_FROM = DEDUPE_CONFIG.thresholds.review;

/** The parsed default settings (they are constant, so a failure is a programming error). */
export function dedupeSettings(overrides: { minProbability?: number } = {}): LinkSettings {
  const parsed = parseLinkConfig(
    {
      ...DEDUPE_CONFIG,
      thresholds: {
        autoLink: overrides.minProbability ?? DEDUPE_CONFIG.thresholds.autoLink,
        review: Math.min(overrides.minProbability ?? POSSIBLE_FROM, POSSIBLE_FROM),
      },
    },
    { left: ['id', ...PERSON_COLUMNS] },
  );
  if (!parsed.ok) throw invalidInput(parsed.issues);
  return parsed.value;
}

/** A suspected duplicate: two record indexes (lower first), how sure, and why. */
export interface DuplicatePair {
  left: number;
  right: number;
  leftId: string;
  rightId: string;
  weight: number;
  probability: number;
  explanation: PairExplanation;
}

export interface FindDuplicatesResult {
  /** Pairs at or above the suggestion threshold (the auto-link probability), best first. */
  pairs: DuplicatePair[];
  /** Possible duplicates: pairs from POSSIBLE_FROM up to the suggestion threshold, best first. */
  possible: DuplicatePair[];
  blocking: LinkResult['blocking'];
  training: LinkResult['training'];
  model: TrainedModel;
  timings: LinkResult['timings'];
}

/** Scores every candidate pair of the records against each other and returns the suspected duplicates. */
export function findDuplicates(
  records: Dataset,
  options: { minProbability?: number; model?: TrainedModel } = {},
): FindDuplicatesResult {
  const settings = dedupeSettings(options);
  const result = linkRecords(records, undefined, settings, options.model ? { model: options.model } : {});
  const pairs: DuplicatePair[] = [];
  const possible: DuplicatePair[] = [];
  for (let k = 0; k < result.pairs.count; k++) {
    const decision = DECISIONS[result.pairs.decision[k]!];
    if (decision === 'non-match') continue;
    const a = result.pairs.left[k]!;
    const b = result.pairs.right[k]!;
    const [left, right] = a < b ? [a, b] : [b, a];
    (decision === 'link' ? pairs : possible).push({
      left,
      right,
      leftId: records.ids[left]!,
      rightId: records.ids[right]!,
      weight: result.pairs.weight[k]!,
      probability: result.pairs.probability[k]!,
      explanation: result.explain(left, right),
    });
  }
  // Best first, then by record: the order tasks are written in is the order of their ids.
  const rank = (x: DuplicatePair, y: DuplicatePair) =>
    y.probability - x.probability || x.left - y.left || x.right - y.right;
  return {
    pairs: pairs.sort(rank),
    possible: possible.sort(rank),
    blocking: result.blocking,
    training: result.training,
    model: result.model,
    timings: result.timings,
  };
}
