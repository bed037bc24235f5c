import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { AppError } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import type { AccuracyEstimate } from './audit-estimate.ts';
import { estimateAuditAccuracy } from './audit-results.ts';
import type { LocalisedFlag } from './rates.ts';

export interface AuditSummary {
  id: number;
  countyCode: string;
  unitCode: string;
  year: number;
  seed: string;
  householdsRequested: number;
  frameHouseholds: number;
  framePersons: number;
  frameDigest: string;
  fields: string[];
  status: 'drawn' | 'surveyed';
  drawnAt: string;
  drawnBy: string;
  resultsAt: string | null;
  strata: { code: string; name: string; frame: number; sample: number; surveyed: number }[];
  sampledHouseholds: number;
  sampledPersons: number;
  surveyedHouseholds: number;
  discrepancies: number;
  estimate: AccuracyEstimate;
}

/** GET /api/audits/:id: the summary with the estimate's flags in the asked language. */
export type AuditView = Omit<AuditSummary, 'estimate'> & {
  estimate: Omit<AccuracyEstimate, 'flags'> & { flags: LocalisedFlag[] };
};

/** A row of GET /api/audits. */
export type AuditListRow = Awaited<ReturnType<typeof listAudits>>[number];

/** An audit with its design, progress and accuracy estimate. */
export async function getAudit(db: Kysely<Schema>, auditId: number): Promise<AuditSummary> {
  const audit = await db.selectFrom('field_audit').selectAll().where('id', '=', auditId).executeTakeFirst();
  if (!audit) {
    throw new AppError('not_found', text(`没有编号为 ${auditId} 的抽查`, `No audit ${auditId}`), {
      field: 'audit',
    });
  }
  const strata = await db
    .selectFrom('field_audit_stratum as s')
    .innerJoin('org_unit as o', 'o.code', 's.stratum_code')
    .leftJoin('field_audit_household as h', (join) =>
      join
        .onRef('h.county_code', '=', 's.county_code')
        .onRef('h.audit_id', '=', 's.audit_id')
        .onRef('h.stratum_code', '=', 's.stratum_code'),
    )
    .select(({ fn }) => [
      's.stratum_code',
      'o.name',
      's.frame_households',
      's.sample_households',
      fn.count<number>('h.surveyed_on').as('surveyed'),
    ])
    .where('s.county_code', '=', audit.county_code)
    .where('s.audit_id', '=', auditId)
    .groupBy(['s.stratum_code', 'o.name', 's.frame_households', 's.sample_households'])
    .orderBy('s.stratum_code')
    .execute();
  const persons = await db
    .selectFrom('field_audit_person')
    .select(({ fn }) => [fn.countAll<number>().as('n')])
    .where('county_code', '=', audit.county_code)
    .where('audit_id', '=', auditId)
    .where('person_id', 'is not', null)
    .executeTakeFirstOrThrow();
  const tasks = await db
    .selectFrom('work_task')
    .select(({ fn }) => [fn.countAll<number>().as('n')])
    .where('county_code', '=', audit.county_code)
    .where('kind', '=', 'audit_discrepancy')
    .where('source_ref', 'like', `audit:${auditId}:%`)
    .executeTakeFirstOrThrow();
  return {
    id: audit.id,
    countyCode: audit.county_code,
    unitCode: audit.unit_code,
    year: audit.year,
    seed: audit.seed,
    householdsRequested: audit.households_requested,
    frameHouseholds: audit.frame_households,
    framePersons: audit.frame_persons,
    frameDigest: audit.frame_digest,
    fields: audit.fields,
    status: audit.status,
    drawnAt: audit.drawn_at,
    drawnBy: audit.drawn_by,
    resultsAt: audit.results_at,
    strata: strata.map((s) => ({
      code: s.stratum_code,
      name: s.name,
      frame: s.frame_households,
      sample: s.sample_households,
      surveyed: Number(s.surveyed),
    })),
    sampledHouseholds: strata.reduce((a, s) => a + s.sample_households, 0),
    sampledPersons: Number(persons.n),
    surveyedHouseholds: strata.reduce((a, s) => a + Number(s.surveyed), 0),
    discrepancies: Number(tasks.n),
    estimate: await estimateAuditAccuracy(db, auditId),
  };
}

/** The audits of a unit's subtree, newest first (every draw, kept). */
export async function listAudits(db: Kysely<Schema>, unit: string) {
  return db
    .selectFrom('field_audit')
    .select([
      'id',
      'unit_code',
      'year',
      'seed',
      'households_requested',
      'frame_households',
      'status',
      'drawn_at',
      'drawn_by',
    ])
    .where('unit_code', 'like', `${unit}%`)
    .orderBy('id', 'desc')
    .execute();
}

/** The households drawn by an audit, in stratum and draw order (for reproducing a draw). */
export async function listAuditHouseholds(db: Kysely<Schema>, auditId: number) {
  return db
    .selectFrom('field_audit_household as a')
    .innerJoin('household as h', (join) =>
      join.onRef('h.county_code', '=', 'a.county_code').onRef('h.id', '=', 'a.household_id'),
    )
    .select([
      'a.household_id as householdId',
      'h.household_no as householdNo',
      'a.stratum_code as stratum',
      'a.org_code as orgCode',
      'a.draw_rank as rank',
      'a.surveyed_on as surveyedOn',
      'a.fields_checked as fieldsChecked',
      'a.fields_correct as fieldsCorrect',
    ])
    .where('a.audit_id', '=', auditId)
    .orderBy('a.stratum_code')
    .orderBy('a.draw_rank')
    .execute();
}
