import { sql } from 'kysely';
import { AppError } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import type { Period } from '../domain/period.ts';
import type { Tx } from '../registry/context.ts';
import { EVENT_IS_RESIDENT_SQL } from '../registry/queries/event-residence.ts';
import { BASIS_TYPES } from '../registry/queries/population.ts';
import type { IndicatorDefinition, MeasureFilter } from './catalogue.ts';
import { EVENT_AGE_SQL } from './cube.ts';

export interface DrillDownRecord {
  personId: number;
  name: string;
  sex: string;
  birthDate: string;
  orgCode: string;
  eventId: number | null;
  eventDate: string | null;
  reportDate: string | null;
}

function ageCondition(ageExpr: ReturnType<typeof sql>, filter: MeasureFilter | undefined) {
  if (!filter?.ages) return sql`true`;
  const [min, max] = filter.ages;
  return max === undefined ? sql`${ageExpr} >= ${min}` : sql`${ageExpr} BETWEEN ${min} AND ${max}`;
}

/**
 * The records behind an indicator's numerator for a unit and period: the events counted, or the
 * persons counted for a population figure. (Who may see them is the access-control layer's call.)
 * Events are picked by the cube's own rules (cube.ts, registry/queries/event-residence.ts): the
 * resident basis, the mother's age for births, birth order — so the list adds up to the numerator.
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
  const measure = definition.numerator;
  if ('quality' in measure) {
    // The data-quality rates count department records and audit sheets: their lists are in src/quality.
    throw new AppError(
      'invalid_input',
      text(
        '数据质量指标没有逐条下钻，请看数据质量页面',
        'Data-quality rates have no record drill-down here: see the quality pages',
      ),
      { field: 'indicator' },
    );
  }
  if ('services' in measure) {
    // Who received a health service is sensitive health data (DESIGN.md): never listed through
    // the indicator routes; health-service roles see records under /api/services.
    throw new AppError(
      'forbidden',
      text(
        '服务覆盖率只提供统计数字，不提供逐人名单（个人服务记录仅限卫生服务人员查看）',
        'Service coverage figures have no person-level drill-down (service records are for health-service roles only)',
      ),
      { field: 'indicator' },
    );
  }
  let rows: DrillDownRecord[];
  if ('events' in measure) {
    const filter = measure.filter;
    // For a birth the mother's age, as the cube counts it (an unknown mother's is no fertility age).
    const age = sql.raw(EVENT_AGE_SQL);
    const resident = 'basis' in measure ? sql.raw(EVENT_IS_RESIDENT_SQL) : sql`true`;
    const result = await sql<DrillDownRecord>`
      SELECT p.id AS "personId", p.name, p.sex, p.birth_date AS "birthDate", e.org_code AS "orgCode",
             e.id AS "eventId", e.event_date AS "eventDate", e.report_date AS "reportDate"
        FROM vital_event e JOIN person p ON p.county_code = e.county_code AND p.id = e.person_id
        LEFT JOIN person mo ON e.kind = 'birth' AND mo.county_code = p.county_code AND mo.id = p.mother_id
       WHERE e.kind = ${measure.events} AND NOT e.voided AND p.status NOT IN ('voided', 'merged')
         AND e.org_code LIKE ${`${unit}%`} AND e.event_date BETWEEN ${period.start}::date AND ${period.end}::date
         AND ${filter?.sex ? sql`p.sex = ${filter.sex}` : sql`true`}
         -- An unknown birth order counts as a first birth, as the figures count it (cube.ts).
         AND ${filter?.order ? (filter.order === 3 ? sql`p.birth_order >= 3` : sql`coalesce(p.birth_order, 1) = ${filter.order}`) : sql`true`}
         AND ${ageCondition(age, filter)}
         AND ${resident}
       ORDER BY e.event_date, e.id LIMIT ${limit + 1} OFFSET ${offset}`.execute(db);
    rows = result.rows;
  } else if ('population' in measure || 'averagePopulation' in measure) {
    const basis = 'population' in measure ? measure.population : measure.averagePopulation;
    const date = period.end;
    const filter = measure.filter;
    const age = sql`extract(year FROM age(${date}::date, p.birth_date))`;
    const result = await sql<DrillDownRecord>`
      SELECT p.id AS "personId", p.name, p.sex, p.birth_date AS "birthDate", s.org_code AS "orgCode",
             NULL::bigint AS "eventId", NULL::date AS "eventDate", NULL::date AS "reportDate"
        FROM residence_spell s JOIN person p ON p.county_code = s.county_code AND p.id = s.person_id
       WHERE s.org_code LIKE ${`${unit}%`} AND NOT s.voided AND p.status NOT IN ('voided', 'merged')
         AND s.residence_type IN (${sql.join(BASIS_TYPES[basis])})
         AND s.valid_from <= ${date}::date AND (s.valid_to IS NULL OR s.valid_to > ${date}::date)
         AND ${filter?.sex ? sql`p.sex = ${filter.sex}` : sql`true`}
         AND ${ageCondition(age, filter)}
       ORDER BY s.org_code, p.name, p.id LIMIT ${limit + 1} OFFSET ${offset}`.execute(db);
    rows = result.rows;
  } else {
    const result = await sql<DrillDownRecord>`
      SELECT p.id AS "personId", p.name, p.sex, p.birth_date AS "birthDate", e.org_code AS "orgCode",
             e.id AS "eventId", e.event_date AS "eventDate", e.report_date AS "reportDate"
        FROM vital_event e JOIN person p ON p.county_code = e.county_code AND p.id = e.person_id
       WHERE NOT e.voided AND e.org_code LIKE ${`${unit}%`} AND e.source <> 'import'
         AND e.report_date BETWEEN ${period.start}::date AND ${period.end}::date
         AND ${measure.entered === 'timely' ? sql`e.report_date - e.event_date <= 30` : sql`true`}
       ORDER BY e.report_date, e.id LIMIT ${limit + 1} OFFSET ${offset}`.execute(db);
    rows = result.rows;
  }
  return { items: rows.slice(0, limit), hasMore: rows.length > limit };
}
