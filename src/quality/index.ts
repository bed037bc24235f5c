/** Data quality: the four rates, validation findings and field audits (docs/quality.md). */

export { REQUIRED_PERSON_FIELDS } from '../indicators/quality-cube.ts';
export { allocateSample, type DrawnAudit, drawAudit, registrySnapshotSql } from './audit-draw.ts';
export { type AccuracyEstimate, estimateAccuracy } from './audit-estimate.ts';
export { AUDIT_FIELD_IDS, AUDIT_FIELDS, type AuditFieldId, compareField } from './audit-fields.ts';
export {
  type AuditListRow,
  type AuditSummary,
  type AuditView,
  getAudit,
  listAuditHouseholds,
  listAudits,
} from './audit-queries.ts';
export { type AuditResultsReport, estimateAuditAccuracy, importAuditResults } from './audit-results.ts';
export { loadAuditSheetData, writeAuditSheet } from './audit-sheet.ts';
export {
  computeQualityRates,
  countMissingFields,
  type LocalisedFlag,
  QUALITY_RATE_IDS,
  type QualityRates,
  type QualityRatesView,
} from './rates.ts';
export { type Finding, runValidation, VALIDATION_RULES, VALIDATION_SETTINGS } from './validation.ts';
