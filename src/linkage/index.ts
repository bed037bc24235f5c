/**
 * Record linkage engine: Fellegi–Sunter with EM-trained m, u from random pairs, term-frequency
 * adjustment, and blocking as hash joins. Pure: no HTTP, no database, no files. See docs/linkage.md.
 */
export type { BlockingReport, BlockingRuleReport, BlockingRuleSpec, CappedBlock } from './blocking.ts';
export { assignOneToOne, type Clusters, clusterPairs, UnionFind } from './clusters.ts';
export {
  COMPARISON_TYPES,
  type ComparisonSpec,
  type ComparisonType,
  describeLevels,
  type LevelInfo,
  type LevelSpec,
} from './comparisons.ts';
export { CsvParser, datasetCsvChunks, formatCsvRow, parseCsv } from './csv.ts';
export { type Dataset, datasetFromRecords, getRecord, type LinkRecord } from './dataset.ts';
export { evaluateLinkage, type LinkageQuality } from './evaluate.ts';
export { expectationMaximisation, probabilityOfWeight, weightOfProbability } from './fellegi-sunter.ts';
export { type LinkConfig, type LinkSettings, parseLinkConfig } from './link-config.ts';
export {
  type ComparisonExplanation,
  DECISIONS,
  type Decision,
  type LinkOptions,
  type LinkResult,
  linkRecords,
  type PairExplanation,
  type ScoredPairs,
  type TrainedModel,
} from './link-records.ts';
export { generateLinkageData, SYNTHETIC_CONFIG } from './synthetic-records.ts';
