import type { ColumnType, Generated } from 'kysely';

/** Tables of family services, programmes, entitlements and payments (src/services/, src/benefits/); the SQL in ../migrations/0013_family_services.sql (and 0026 for service_record's void) is the source of truth. */

export type ServiceKind =
  | 'prepregnancy_check'
  | 'premarital_check'
  | 'prenatal_visit'
  | 'postpartum_visit'
  | 'newborn_screening'
  | 'cervical_screening'
  | 'breast_screening'
  | 'contraceptive_supplies'
  | 'counselling';

export interface ServiceRecordTable {
  county_code: string;
  id: Generated<number>;
  kind: ServiceKind;
  person_id: number;
  related_person_id: number | null;
  service_date: string;
  provider: string;
  outcome_code: string;
  consent: boolean;
  quantity: number | null;
  org_code: string;
  source: string;
  import_key: string | null;
  entered_by: string;
  entered_at: Generated<string>;
  voided: Generated<boolean>;
  void_reason: string | null;
  /** Who voided it and when (migration 0026; NULL on records voided before it). */
  voided_by: string | null;
  voided_at: string | null;
}

export interface PersonFactTable {
  county_code: string;
  id: Generated<number>;
  person_id: number;
  kind: 'disability';
  grade: number | null;
  certificate_no: string | null;
  valid_from: string;
  valid_to: string | null;
  recorded_by: string;
  recorded_at: Generated<string>;
  voided: Generated<boolean>;
}

export interface ProgrammeVersionTable {
  programme_id: string;
  effective_from: string;
  definition: ColumnType<Record<string, unknown>, string, string>;
  created_by: string;
  created_at: Generated<string>;
}

export type EntitlementStatus = 'applied' | 'reviewed' | 'approved' | 'rejected' | 'stopped';

export interface EntitlementTable {
  county_code: string;
  id: Generated<number>;
  programme_id: string;
  person_id: number;
  payee_person_id: number | null;
  payee_name: string;
  payee_id_number: string | null;
  bank_account: string | null;
  org_code: string;
  status: Generated<EntitlementStatus>;
  start_date: string;
  end_date: string | null;
  stop_reason: string | null;
  applied_by: string;
  applied_at: Generated<string>;
  reviewed_by: string | null;
  reviewed_at: string | null;
  decided_by: string | null;
  decided_at: string | null;
  decision_note: string | null;
  version: Generated<number>;
}

export interface PaymentBatchTable {
  county_code: string;
  id: Generated<number>;
  programme_id: string;
  period: string;
  kind: Generated<'regular' | 'correction'>;
  line_count: number;
  total_fen: number;
  created_by: string;
  created_at: Generated<string>;
  note: string | null;
}

export interface PaymentLineTable {
  county_code: string;
  id: Generated<number>;
  batch_id: number;
  entitlement_id: number;
  period: string;
  period_start: string;
  kind: 'payment' | 'reversal';
  attempt: Generated<number>;
  reverses_line_id: number | null;
  amount_fen: number;
  months: number | null;
  payee_name: string;
  payee_id_number: string | null;
  bank_account: string | null;
  org_code: string;
  reason: string | null;
  created_at: Generated<string>;
}

export interface BenefitTables {
  service_record: ServiceRecordTable;
  person_fact: PersonFactTable;
  programme_version: ProgrammeVersionTable;
  entitlement: EntitlementTable;
  payment_batch: PaymentBatchTable;
  payment_line: PaymentLineTable;
}
