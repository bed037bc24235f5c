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
  /** A task as stored (what describe-task reads); the API's answer is WorkTask below. */
  WorkTask as WorkTaskRow,
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
  PersonView,
} from '../../src/registry/queries/get-person.ts';
/**
 * The person views the API sends: the server's own types (type-only imports — nothing of the
 * server reaches the bundle), so a field the server renames breaks the build, not the page.
 */
export type { SearchHit } from '../../src/registry/queries/search-persons.ts';
/** Reports (GET /api/reports/runs, GET /api/activities): the server's own types. */
export type { Activity } from '../../src/reports/activities.ts';
/** Health services (GET /api/services, POST /api/services/import): the server's own types. */
export type { ServiceImportReport } from '../../src/services/import-services.ts';
export type { ServiceKindChoice } from '../../src/services/service-kinds.ts';
/** Targets (src/server/routes/targets.ts): the server's own types. */
export type {
  Bound,
  ProgressView,
  TargetIndicatorChoice,
  TargetItem,
  TargetSheetSummary,
} from '../../src/targets/index.ts';

/**
 * Answers that name who did something carry, beside each actor field, its name for people
 * (src/access/actor-names.ts): `changedBy` → `changedByName`, `voided_by` → `voided_by_name`.
 */
import type { ActorNamed } from '../../src/access/actor-names.ts';
import type { WorkTask as StoredTask } from '../../src/feeds/work-tasks.ts';
import type { AuditListRow as AuditListRecord } from '../../src/quality/index.ts';
import type { PersonVersionView } from '../../src/registry/queries/get-person.ts';
import type { ReportRun as ReportRunRecord } from '../../src/reports/generate.ts';
import type { ServiceRecordRow as ServiceRecord } from '../../src/services/list-services.ts';
import type { TargetSheet as TargetSheetVersion } from '../../src/targets/index.ts';

/** GET /api/persons/:id/history: one version, with who changed it by name. */
export type PersonVersion = ActorNamed<PersonVersionView, 'changedBy', 'Name'>;
/** GET /api/tasks: one task, with who raised and who closed it by name. */
export type WorkTask = ActorNamed<StoredTask, 'createdBy' | 'resolvedBy', 'Name'>;
/** GET /api/reports/runs: one recorded report, with who made it by name. */
export type ReportRun = ActorNamed<ReportRunRecord, 'createdBy', 'Name'>;
/** GET /api/services: one record, with who entered and who voided it by name. */
export type ServiceRecordRow = ActorNamed<ServiceRecord, 'entered_by' | 'voided_by', '_name'>;
/** GET /api/targets/sheets/:unit/:year (and its versions): with who wrote the version by name. */
export type TargetSheet = ActorNamed<TargetSheetVersion, 'createdBy', 'Name'>;
/** GET /api/audits: one audit, with who drew it by name. */
export type AuditListRow = ActorNamed<AuditListRecord, 'drawn_by', '_name'>;
