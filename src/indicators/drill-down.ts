import { sql } from 'kysely';
import type { EventKind } from '../db/schema.ts';
import { AppError } from '../domain/errors.ts';
import { type Text, text } from '../domain/i18n.ts';
import type { Period } from '../domain/period.ts';
import type { Tx } from '../registry/context.ts';
import { EVENT_IS_RESIDENT_SQL } from '../registry/queries/event-residence.ts';
import { BASIS_TYPES } from '../registry/queries/population.ts';
import type { IndicatorDefinition, Measure, MeasureFilter } from './catalogue.ts';
import { EVENT_AGE_SQL } from './cube.ts';

export interface DrillDownRecord {
  personId: number;
  name: string;
  sex: string;
  birthDate: string;
  orgCode: string;
  eventId: number | null;
  /** The event listed (birth, death, …); null for a person counted in a population. */
  eventKind: EventKind | null;
  eventDate: string | null;
  reportDate: string | null;
  /**
   * How the record counts in the figure's numerator: 1 added, −1 subtracted (a death in the
   * natural increase rate's births − deaths). The signs of the whole list add up to the numerator.
   */
  sign: 1 | -1;
}

function ageCondition(ageExpr: ReturnType<typeof sql>, filter: MeasureFilter | undefined) {
  if (!filter?.ages) return sql`true`;
  const [min, max] = filter.ages;
  return max === undefined ? sql`${ageExpr} >= ${min}` : sql`${ageExpr} BETWEEN ${min} AND ${max}`;
}

/**
 * The rows of one measure of the numerator, with the keys the list is ordered by: events by date
 * and id, persons of a population by village, name and id.
 */
function measureRows(measure: Measure, sign: 1 | -1, unit: string, period: Period) {
  if ('events' in measure) {
    const filter = measure.filter;
    // For a birth the mother's age, as the cube counts it (an unknown mother's is no fertility age).
    const age = sql.raw(EVENT_AGE_SQL);
    const resident = 'basis' in measure ? sql.raw(EVENT_IS_RESIDENT_SQL) : sql`true`;
    return sql`
      SELECT p.id AS "personId", p.name, p.sex, p.birth_date AS "birthDate", e.org_code AS "orgCode",
             e.id AS "eventId", e.kind::text AS "eventKind", e.event_date AS "eventDate",
             e.report_date AS "reportDate", ${sign}::int AS sign,
             e.event_date AS k1, ''::text AS k2, ''::text AS k3, e.id AS k4
        FROM vital_event e JOIN person p ON p.county_code = e.county_code AND p.id = e.person_id
        LEFT JOIN person mo ON e.kind = 'birth' AND mo.county_code = p.county_code AND mo.id = p.mother_id
       WHERE e.kind = ${measure.events} AND NOT e.voided AND p.status NOT IN ('voided', 'merged')
         AND e.org_code LIKE ${`${unit}%`} AND e.event_date BETWEEN ${period.start}::date AND ${period.end}::date
         AND ${filter?.sex ? sql`p.sex = ${filter.sex}` : sql`true`}
         -- An unknown birth order counts as a first birth, as the figures count it (cube.ts).
         AND ${filter?.order ? (filter.order === 3 ? sql`p.birth_order >= 3` : sql`coalesce(p.birth_order, 1) = ${filter.order}`) : sql`true`}
         AND ${ageCondition(age, filter)}
         AND ${resident}`;
  }
  if ('population' in measure || 'averagePopulation' in measure) {
    const basis = 'population' in measure ? measure.population : measure.averagePopulation;
    const date = period.end;
    const filter = measure.filter;
    const age = sql`extract(year FROM age(${date}::date, p.birth_date))`;
    return sql`
      SELECT p.id AS "personId", p.name, p.sex, p.birth_date AS "birthDate", s.org_code AS "orgCode",
             NULL::bigint AS "eventId", NULL::text AS "eventKind", NULL::date AS "eventDate",
             NULL::date AS "reportDate", ${sign}::int AS sign,
             NULL::date AS k1, s.org_code::text AS k2, p.name::text AS k3, p.id AS k4
        FROM residence_spell s JOIN person p ON p.county_code = s.county_code AND p.id = s.person_id
       WHERE s.org_code LIKE ${`${unit}%`} AND NOT s.voided AND p.status NOT IN ('voided', 'merged')
         AND s.residence_type IN (${sql.join(BASIS_TYPES[basis])})
         AND s.valid_from <= ${date}::date AND (s.valid_to IS NULL OR s.valid_to > ${date}::date)
         AND ${filter?.sex ? sql`p.sex = ${filter.sex}` : sql`true`}
         AND ${ageCondition(age, filter)}`;
  }
  if ('entered' in measure) {
    return sql`
      SELECT p.id AS "personId", p.name, p.sex, p.birth_date AS "birthDate", e.org_code AS "orgCode",
             e.id AS "eventId", e.kind::text AS "eventKind", e.event_date AS "eventDate",
             e.report_date AS "reportDate", ${sign}::int AS sign,
             e.report_date AS k1, ''::text AS k2, ''::text AS k3, e.id AS k4
        FROM vital_event e JOIN person p ON p.county_code = e.county_code AND p.id = e.person_id
       WHERE NOT e.voided AND e.org_code LIKE ${`${unit}%`} AND e.source <> 'import'
         AND e.report_date BETWEEN ${period.start}::date AND ${period.end}::date
         AND ${measure.entered === 'timely' ? sql`e.report_date - e.event_date <= 30` : sql`true`}`;
  }
  // Quality and service measures are refused before this (listNumeratorRecords).
  throw new Error(`no drill-down for this measure: ${JSON.stringify(measure)}`);
}

/** The measures a figure's numerator is made of, each with the sign it counts with. */
function numeratorTerms(definition: IndicatorDefinition): { measure: Measure; sign: 1 | -1 }[] {
  return [
    { measure: definition.numerator, sign: 1 },
    ...(definition.add ? [{ measure: definition.add, sign: 1 as const }] : []),
    ...(definition.subtract ? [{ measure: definition.subtract, sign: -1 as const }] : []),
  ];
}

/** Why an indicator has no record list: the error GET /api/indicators/:id/records answers with. */
export interface RecordsRefusal {
  code: 'forbidden' | 'invalid_input';
  message: Text;
}

/**
 * Why an indicator's numerator has no record list, or undefined when it has one: the one rule
 * that both `listNumeratorRecords` (which refuses with it) and every link to a list
 * (`recordsPath`: the API's values, the reports' traces) follow, so no link leads to a refusal.
 * Who may list a unit's records is the other half (RecordsAccess), the same for every indicator.
 */
export function findRecordsRefusal(definition: IndicatorDefinition): RecordsRefusal | undefined {
  const measures = numeratorTerms(definition).map((term) => term.measure);
  if (measures.some((measure) => 'quality' in measure)) {
    // The data-quality rates count department records and audit sheets: their lists are in src/quality.
    return {
      code: 'invalid_input',
      message: text(
        '数据质量指标没有逐条下钻，请看数据质量页面',
        'Data-quality rates have no record drill-down here: see the quality pages',
      ),
    };
  }
  if (measures.some((measure) => 'services' in measure)) {
    // Who received a health service is sensitive health data (DESIGN.md): never listed through
    // the indicator routes; health-service roles see records under /api/services.
    return {
      code: 'forbidden',
      message: text(
        '服务覆盖率只提供统计数字，不提供逐人名单（个人服务记录仅限卫生服务人员查看）',
        'Service coverage figures have no person-level drill-down (service records are for health-service roles only)',
      ),
    };
  }
  return undefined;
}

/**
 * Whether the caller may list the records behind a figure of a unit. The server gives it: the
 * drill-down route's own access rule (mayListRecords in src/server/access.ts), so a link is given
 * exactly where following it is allowed.
 */
export type RecordsAccess = (unit: string) => boolean;

/** Why a caller who sees a unit's figures but may not list its person records gets no list. */
export const RECORDS_NOT_PERMITTED: RecordsRefusal = {
  code: 'forbidden',
  message: text(
    '您可以查看此单位的统计数字，但无权查看其中的逐人名单',
    'You may see this unit’s figures but not the person records behind them',
  ),
};

/**
 * Why this caller has no record list for an indicator at a unit: the indicator's own refusal
 * (findRecordsRefusal), else the access rule's (RECORDS_NOT_PERMITTED); undefined when they have.
 */
export function findRecordsRefusalFor(
  definition: IndicatorDefinition,
  unit: string,
  mayList: RecordsAccess,
): RecordsRefusal | undefined {
  return findRecordsRefusal(definition) ?? (mayList(unit) ? undefined : RECORDS_NOT_PERMITTED);
}

/**
 * The API path of the records behind a figure (GET /api/indicators/:id/records), or null where
 * the indicator has none or the caller may not list that unit's records (findRecordsRefusalFor
 * says why).
 */
export function recordsPath(
  definition: IndicatorDefinition,
  unit: string,
  period: string,
  mayList: RecordsAccess,
): string | null {
  if (findRecordsRefusalFor(definition, unit, mayList)) return null;
  return `/api/indicators/${definition.id}/records?unit=${unit}&period=${period}`;
}

/**
 * The records behind an indicator's numerator for a unit and period: the events counted, or the
 * persons counted for a population figure. (Who may see them is the access-control layer's call.)
 * Events are picked by the cube's own rules (cube.ts, registry/queries/event-residence.ts): the
 * resident basis, the mother's age for births, birth order — so the list adds up to the numerator.
 * A figure whose numerator adds or subtracts another measure lists the records of each, marked by
 * `sign` (the natural increase rate: its births with 1, its deaths with −1; the total dependency
 * ratio: the persons 0–14 and 65+), in one list ordered by date (events) or village and name.
 */
export async function listNumeratorRecords(
  db: Tx,
  definition: IndicatorDefinition,
  unit: string,
  period: Period,
  options: { limit?: number; offset?: number } = {},
): Promise<{ items: DrillDownRecord[]; hasMore: boolean }> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
  const offset = Math.max(options.offset ?? 0, 0);
  const refusal = findRecordsRefusal(definition);
  if (refusal) throw new AppError(refusal.code, refusal.message, { field: 'indicator' });
  const parts = numeratorTerms(definition).map(({ measure, sign }) =>
    measureRows(measure, sign, unit, period),
  );
  const result = await sql<DrillDownRecord>`
    SELECT "personId", name, sex, "birthDate", "orgCode", "eventId", "eventKind", "eventDate",
           "reportDate", sign
      FROM (${sql.join(parts, sql` UNION ALL `)}) records
     ORDER BY k1, k2, k3, k4
     LIMIT ${limit + 1} OFFSET ${offset}`.execute(db);
  const rows = result.rows;
  return { items: rows.slice(0, limit), hasMore: rows.length > limit };
}
