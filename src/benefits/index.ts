/** Family support: programmes as data, the eligibility screen, applications, re-verification and payments. */
export {
  applyForBenefit,
  checkRulesFor,
  decideEntitlement,
  decideMany,
  type EntitlementListRow,
  enrolFromScreen,
  listEntitlements,
  recordDisability,
} from './entitlements.ts';
export {
  exportBankCsv,
  formatYuan,
  getBatch,
  listLedger,
  reversePayment,
  runPaymentBatch,
  spendingSummary,
} from './payments.ts';
export {
  DEFAULT_PROGRAMMES,
  ensureDefaultProgrammes,
  getProgrammeVersion,
  listProgrammes,
  type ProgrammeDefinition,
  type ProgrammeVersion,
  type Rule,
  setProgrammeVersion,
} from './programme.ts';
export { reverifyEntitlements } from './reverify.ts';
export { type ScreenCandidate, type ScreenSummary, screenEligible } from './screen.ts';
