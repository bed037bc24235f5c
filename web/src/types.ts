/** Shapes of the server's answers that the pages read (see src/server/routes/). */

export interface OrgUnit {
  code: string;
  name: string;
  shortName?: string;
  level: 'province' | 'prefecture' | 'county' | 'township' | 'village';
  parentCode?: string | null;
  /** Counties (GET /api/org-units): the latest year with data, null when there is none. */
  latestDataYear?: number | null;
}

export interface OrgUnitFamily extends OrgUnit {
  ancestors: OrgUnit[];
  children: OrgUnit[];
  descendants: Record<string, number>;
}

export interface IndicatorValue {
  unit: string;
  group: Record<string, string>;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  interval: { lower: number; upper: number } | null;
  flags: { code: string; message: string }[];
  records: string;
}

export interface IndicatorResult {
  indicator: { id: string; name: string; unit: string };
  unit: string;
  period: { id: string; start: string; end: string; label: string };
  dataVersion: number;
  values: IndicatorValue[];
}

export interface CatalogueEntry {
  id: string;
  name: string;
  description: string;
  unit: string;
  disaggregations: string[];
  periodTypes: string[];
}

export interface SearchHit {
  id: number;
  name: string;
  namePinyin: string;
  sex: 'male' | 'female';
  birthDate: string;
  idNumber: string | null;
  orgCode: string | null;
  residenceType: string | null;
  status: string;
  match: string;
}

export interface PersonView {
  id: number;
  countyCode: string;
  idNumber: string | null;
  name: string;
  namePinyin: string;
  sex: 'male' | 'female';
  birthDate: string;
  ethnicity: string | null;
  hukouType: string | null;
  maritalStatus: string | null;
  phone: string | null;
  householdId: number | null;
  relationToHead: string | null;
  motherId: number | null;
  fatherId: number | null;
  birthOrder: number | null;
  deathDate: string | null;
  orgCode: string | null;
  residenceType: string | null;
  status: string;
  voidReason: string | null;
  version: number;
  updatedAt: string;
}

export interface PersonDetail {
  person: PersonView;
  household: {
    id: number;
    householdNo: string;
    orgCode: string;
    address: string | null;
    headPersonId: number | null;
  } | null;
  relatives: { relation: string; id: number; name: string; sex: string; birthDate: string; status: string }[];
  residence: {
    org_code: string;
    residence_type: string;
    valid_from: string;
    valid_to: string | null;
    voided: boolean;
  }[];
  unions: {
    partner_id: number | null;
    partner_name: string | null;
    start_date: string;
    end_date: string | null;
    end_reason: string | null;
  }[];
  events: {
    id: number;
    kind: string;
    event_date: string;
    report_date: string | null;
    org_code: string;
    source: string | null;
    voided: boolean;
  }[];
}

export interface PersonVersion {
  version: number;
  kind: string;
  changedAt: string;
  changedBy: string;
  reason: string | null;
  changes: Record<string, { old: unknown; new: unknown }>;
}

/** GET /api/households/:id — the server's own type (a type-only import: nothing of the server reaches the bundle). */
export type { HouseholdDetail } from '../../src/registry/queries/get-household.ts';
