/** Shapes of the server's answers that the pages read (see src/server/routes/). */

/** Who is signed in (GET /api/auth/me, POST /api/auth/login): the server's own type. */
export type { Right } from '../../src/access/roles.ts';
export type { SessionUser } from '../../src/access/session-user.ts';
/** The unit picker's tree (GET /api/org-tree) and the loaded counties (GET /api/org-units): the server's own types. */
export type { CountyWithDataYear, OrgTreeUnit } from '../../src/org/org-units.ts';

/**
 * One indicator value as the API sends it (the server's type): an interval's bounds may be null
 * (no exposure), and for an aggregates-only caller a small cell's counts are null.
 */
export type IndicatorValue = SmallCellsSuppressed<IndicatorValueView>;

/** GET /api/indicators/:id (the indicator page, the dashboard's pyramid): small cells possibly suppressed. */
export type IndicatorResult = SmallCellsSuppressed<IndicatorAnswer>;

/** Family benefits and services (src/server/routes/benefits.ts, web-support.ts): the server's own types. */
export type {
  EntitlementListRow,
  ProgrammeVersion,
  ScreenCandidate,
  ScreenSummary,
} from '../../src/benefits/index.ts';
/** Birth registration completeness (GET /api/completeness): the server's own types. */
export type { CompletenessReport, CompletenessRow } from '../../src/completeness/birth-counts.ts';
/** GET /api/indicators: the catalogue, in the asked language. */
export type { CatalogueEntryView as CatalogueEntry } from '../../src/indicators/value-view.ts';

/** GET /api/indicators/values (the dashboard's batches): the server's own type, small cells possibly suppressed. */
import type { SmallCellsSuppressed } from '../../src/access/small-cells.ts';
import type {
  IndicatorAnswer,
  IndicatorValuesAnswer,
  IndicatorValueView,
} from '../../src/indicators/value-view.ts';
export type IndicatorBatch = SmallCellsSuppressed<IndicatorValuesAnswer>;
/** The linkage review queue (GET /api/feeds/review): the server's own types. */
export type { StoredExplanation } from '../../src/feeds/link-feed-batch.ts';
export type { ReviewItem } from '../../src/feeds/review.ts';
/** The work list (GET /api/tasks) and what each kind of task carries: the server's own types. */
export type {
  AuditTaskDetails,
  DataCheckTaskDetails,
  LinkageTaskDetails,
  MergeTaskDetails,
  TaskDetails,
  WorkTask,
} from '../../src/feeds/work-tasks.ts';
/** GET /api/indicators/:id/records (the drill-down): the server's own type. */
export type { DrillDownRecord } from '../../src/indicators/drill-down.ts';
/** GET /api/projection: the server's own types (small counts null for an aggregates-only caller). */
export type {
  ProjectionAnswer,
  ProjectionCellView,
  ProjectionFlagView,
  ProjectionYearView,
} from '../../src/indicators/projection-view.ts';
/** Data quality and field audits (src/server/routes/quality.ts): the server's own types. */
export type {
  AuditListRow,
  AuditView,
  DrawnAudit,
  LocalisedFlag,
  QualityRatesView,
} from '../../src/quality/index.ts';
/** The import API's report and quarantine rows: the server's own types (type-only imports). */
export type { ImportBatchSummary, ImportReport } from '../../src/registry/import/import-report.ts';
export type { QuarantinedRow } from '../../src/registry/import/quarantine.ts';
/** GET /api/households/:id — the server's own type (a type-only import: nothing of the server reaches the bundle). */
export type { HouseholdDetail } from '../../src/registry/queries/get-household.ts';
export type {
  PersonDetail,
  PersonVersionView as PersonVersion,
  PersonView,
} from '../../src/registry/queries/get-person.ts';
/**
 * The person views the API sends: the server's own types (type-only imports — nothing of the
 * server reaches the bundle), so a field the server renames breaks the build, not the page.
 */
export type { SearchHit } from '../../src/registry/queries/search-persons.ts';
/** Reports (GET /api/reports/runs, GET /api/activities): the server's own types. */
export type { Activity } from '../../src/reports/activities.ts';
export type { ReportRun } from '../../src/reports/generate.ts';
/** Health services (GET /api/services, POST /api/services/import): the server's own types. */
export type { ServiceImportReport } from '../../src/services/import-services.ts';
export type { ServiceRecordRow } from '../../src/services/list-services.ts';
export type { ServiceKindChoice } from '../../src/services/service-kinds.ts';
/** Targets (src/server/routes/targets.ts): the server's own types. */
export type {
  Bound,
  ProgressView,
  TargetIndicatorChoice,
  TargetItem,
  TargetSheet,
  TargetSheetSummary,
} from '../../src/targets/index.ts';
