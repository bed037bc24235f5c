/** Target sheets, progress, rankings, alerts and the year-end assessment: the public surface. */
export { type Assessment, assessUnits, type UnitAssessment } from './assessment.ts';
export { DEMO_TARGETS, type DemoSheetReport, demoItems, writeDemoTargetSheets } from './demo.ts';
export { DIRECTION_LABEL, formatAlert, formatBound, formatValue, STATUS_LABEL } from './format.ts';
export {
  computeProgress,
  expectedBound,
  localiseProgress,
  type Progress,
  type ProgressView,
} from './progress.ts';
export {
  type Bound,
  DEFAULT_SCORING_RULE,
  DEFAULT_STATUS_THRESHOLDS,
  rankBy,
  resolveSettings,
  scoreItems,
  shortfallOf,
  statusOf,
} from './rules.ts';
export { STATISTIC_TARGETS, targetScopeOf } from './scope.ts';
export { parseTargetSheet, type TargetItem } from './sheet.ts';
export {
  diffItems,
  findEffectiveSheet,
  findTargetSheet,
  getSheetUnit,
  getTargetSheet,
  listSheetVersions,
  listTargetSheets,
  setTargetSheet,
  splitTargetSheet,
  type TargetSheet,
  type TargetSheetSummary,
} from './sheet-store.ts';
export {
  findTargetIndicator,
  getTargetIndicator,
  listTargetIndicators,
  registerTargetIndicator,
  type TargetIndicator,
  type TargetIndicatorChoice,
  targetIndicatorChoice,
} from './target-indicators.ts';
export { type ProgressWindow, progressWindow } from './window.ts';
