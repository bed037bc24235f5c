import { sql } from 'kysely';
import type { Tx } from '../registry/context.ts';
import { EVENT_IS_RESIDENT_SQL } from '../registry/queries/event-residence.ts';
import { BASIS_TYPES } from '../registry/queries/population.ts';

/**
 * Coverage of voluntary family health services (service_record, migration 0013), counted for the
 * indicator cube by the unit and month where each denominator event counts, so the engine adds
 * them up for any unit and period like the registry's events. Each numerator is a subset of its
 * indicator's denominator (a person marrying, a marriage, a birth, a woman) — the same records,
 * counted in the same village and month — never a free count of services, so a rate can never
 * pass 100 %:
 *
 * - premarital_checked_persons: of the marrying_persons, those who had a premarital check
 *   themselves (a record with them as the person served) in the 365 days up to the marriage date;
 * - marrying_persons: the spouses of the marriages of the month that the registry has as persons
 *   — the event's person, and the spouse it names by person id (a spouse from elsewhere, recorded
 *   by name and ID number only, can have no service record here and is in neither count) — each
 *   counted where the marriage counts, so a marriage of two registry persons is two persons
 *   (婚前医学检查率 is per person in the official statistics: docs/services.md);
 * - prepregnancy_checked: marriages of the month where either spouse had a pre-pregnancy check
 *   within 365 days before or after the marriage date (couples married in the period: the
 *   official 目标人群覆盖率 counts couples);
 * - postpartum_visited: births of the resident population (常住人口, the rule of
 *   registry/queries/event-residence.ts, as the `births` count and the coverage denominator count
 *   them) of the month whose mother had a postpartum visit for that child within 28 days of the
 *   birth;
 * - newborn_screened: births of the resident population of the month whose child had a newborn
 *   screening;
 * - women_screened_35_64: the women of the denominator — resident women aged 35–64 at the end of
 *   the year, in the village where they live then — who had a cervical or breast screening in the
 *   year, each once, in the month of her first screening of the year.
 *
 * Every count is kept by sex (serviceIndex): the person's for the premarital counts, the child's
 * for births, female for the screened women; a couple's count (prepregnancy_checked) is kept under
 * the sex of the spouse the event names first, which means nothing: no indicator splits it by sex.
 *
 * A birth to an outflow migrant living elsewhere is in no denominator (the township's health
 * centre cannot visit her), so a visit or screening recorded for that child is in no numerator
 * either; marriages count every registered marriage on both sides (docs/services.md).
 */
export const SERVICE_COUNTS = [
  'premarital_checked_persons',
  'marrying_persons',
  'prepregnancy_checked',
  'postpartum_visited',
  'newborn_screened',
  'women_screened_35_64',
] as const;
export type ServiceCount = (typeof SERVICE_COUNTS)[number];

/** The size of a cube's service cell: each count by sex (male 0, female 1). */
export const SERVICE_CELL_SIZE = SERVICE_COUNTS.length * 2;

/** Where a count of one sex (0 male, 1 female) is kept in a cube's service cell. */
export function serviceIndex(count: number, sex: number): number {
  return count * 2 + sex;
}

/** Days from the birth within which a postpartum visit counts (DESIGN.md: visited within 28 days). */
export const POSTPARTUM_WINDOW_DAYS = 28;
/** Days before the marriage (or around it, for the pre-pregnancy check) within which a check counts. */
export const CHECK_WINDOW_DAYS = 365;

/** Rows (village, month, count index, sex index, n) for one root unit and year. */
export async function countServices(db: Tx, root: string, year: number) {
  const prefix = `${root}%`;
  // Service records are looked up by person, wherever the service was recorded: a woman screened
  // before she moved within the county counts where she lives at the end of the year.
  const counties = `${root.slice(0, 6)}%`;
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  // Completed years on 31 December (the difference of the years), as the cube's population counts them.
  const ageAtYearEnd = `(${year} - extract(year FROM p.birth_date)::int)`;
  // s: the sex index (0 male, 1 female) each row is kept under.
  const result = await sql<{ org_code: string; m: number; k: number; s: number; n: number }>`
    WITH ev AS (
      SELECT e.county_code, e.org_code, extract(month FROM e.event_date)::int AS m, e.kind,
             e.person_id, e.other_person_id, e.event_date, (p.sex = 'female')::int AS s
        FROM vital_event e
        JOIN person p ON p.county_code = e.county_code AND p.id = e.person_id
       WHERE e.org_code LIKE ${prefix} AND NOT e.voided AND p.status NOT IN ('voided', 'merged')
         AND e.kind IN ('marriage', 'birth') AND e.event_date BETWEEN ${from}::date AND ${to}::date
         -- Births of the resident population only, by the rule the cube's resident births follow.
         AND (e.kind <> 'birth' OR ${sql.raw(EVENT_IS_RESIDENT_SQL)})
    ),
    -- The persons marrying: each marriage's person, and its spouse when the event names one the
    -- registry has (by person id, in whichever county; a spouse from elsewhere has only a name and
    -- ID number on the event, and no service record can be theirs), both where the marriage counts.
    spouse AS (
      SELECT ev.org_code, ev.m, ev.event_date, ev.county_code, ev.person_id, ev.s
        FROM ev WHERE ev.kind = 'marriage'
      UNION ALL
      SELECT ev.org_code, ev.m, ev.event_date, o.county_code, o.id, (o.sex = 'female')::int
        FROM ev JOIN person o ON o.id = ev.other_person_id
       WHERE ev.kind = 'marriage' AND o.status NOT IN ('voided', 'merged')
    ),
    first_screening AS (
      SELECT r.county_code, r.person_id, min(r.service_date) AS service_date
        FROM service_record r
       WHERE r.county_code LIKE ${counties} AND NOT r.voided
         AND r.kind IN ('cervical_screening', 'breast_screening')
         AND r.service_date BETWEEN ${from}::date AND ${to}::date
       GROUP BY 1, 2
    )
    -- A person checked is one with a premarital check of their own (a record with them as the
    -- person served) in the window: a record naming them as the related person says whom the
    -- other was checked with, not that they were.
    SELECT org_code, m, 0 AS k, s, count(*)::int AS n FROM spouse
     WHERE EXISTS (
       SELECT 1 FROM service_record r
        WHERE r.county_code = spouse.county_code AND r.person_id = spouse.person_id
          AND r.kind = 'premarital_check' AND NOT r.voided
          AND r.service_date BETWEEN spouse.event_date - ${CHECK_WINDOW_DAYS}::int AND spouse.event_date)
     GROUP BY 1, 2, 4
    UNION ALL
    SELECT org_code, m, 1, s, count(*)::int FROM spouse GROUP BY 1, 2, 4
    UNION ALL
    SELECT org_code, m, 2, s, count(*)::int FROM ev
     WHERE kind = 'marriage' AND EXISTS (
       SELECT 1 FROM service_record r
        WHERE r.county_code = ev.county_code AND r.kind = 'prepregnancy_check' AND NOT r.voided
          AND (r.person_id = ev.person_id OR r.person_id = ev.other_person_id)
          AND r.service_date BETWEEN ev.event_date - ${CHECK_WINDOW_DAYS}::int
                                 AND ev.event_date + ${CHECK_WINDOW_DAYS}::int)
     GROUP BY 1, 2, 4
    UNION ALL
    SELECT org_code, m, 3, s, count(*)::int FROM ev
     WHERE kind = 'birth' AND EXISTS (
       SELECT 1 FROM service_record r
        WHERE r.county_code = ev.county_code AND r.kind = 'postpartum_visit' AND NOT r.voided
          AND r.related_person_id = ev.person_id
          AND r.service_date BETWEEN ev.event_date AND ev.event_date + ${POSTPARTUM_WINDOW_DAYS}::int)
     GROUP BY 1, 2, 4
    UNION ALL
    SELECT org_code, m, 4, s, count(*)::int FROM ev
     WHERE kind = 'birth' AND EXISTS (
       SELECT 1 FROM service_record r
        WHERE r.county_code = ev.county_code AND r.kind = 'newborn_screening' AND NOT r.voided
          AND r.person_id = ev.person_id)
     GROUP BY 1, 2, 4
    UNION ALL
    -- The denominator's women (resident, 35–64, by the spell in force at the end of the year, as
    -- the cube counts the population) who were screened in the year.
    SELECT s.org_code, extract(month FROM f.service_date)::int, 5, 1, count(*)::int
      FROM first_screening f
      JOIN person p ON p.county_code = f.county_code AND p.id = f.person_id
      JOIN residence_spell s ON s.county_code = f.county_code AND s.person_id = f.person_id
     WHERE s.org_code LIKE ${prefix} AND NOT s.voided AND p.status NOT IN ('voided', 'merged')
       AND p.sex = 'female' AND s.residence_type IN (${sql.join(BASIS_TYPES.resident)})
       AND s.valid_from <= ${to}::date AND (s.valid_to IS NULL OR s.valid_to > ${to}::date)
       AND ${sql.raw(ageAtYearEnd)} BETWEEN 35 AND 64
     GROUP BY 1, 2`.execute(db);
  return result.rows;
}
