import { sql } from 'kysely';
import type { Tx } from '../registry/context.ts';

/**
 * Coverage of voluntary family health services (service_record, migration 0013), counted for the
 * indicator cube by the unit and month where each denominator event counts, so the engine adds
 * them up for any unit and period like the registry's events. Each numerator is a subset of a
 * registry denominator (a marriage, a birth, a woman), never a free count of services:
 *
 * - premarital_checked: marriages of the month where either spouse had a premarital check in the
 *   365 days up to the marriage date;
 * - prepregnancy_checked: marriages of the month where either spouse had a pre-pregnancy check
 *   within 365 days before or after the marriage date (couples married in the period);
 * - postpartum_visited: births of the month whose mother had a postpartum visit for that child
 *   within 28 days of the birth;
 * - newborn_screened: births of the month whose child had a newborn screening;
 * - women_screened_35_64: women aged 35–64 on the day screened for cervical or breast cancer,
 *   counted once a year in the month of their first screening, where they lived then.
 */
export const SERVICE_COUNTS = [
  'premarital_checked',
  'prepregnancy_checked',
  'postpartum_visited',
  'newborn_screened',
  'women_screened_35_64',
] as const;
export type ServiceCount = (typeof SERVICE_COUNTS)[number];

/** Days from the birth within which a postpartum visit counts (DESIGN.md: visited within 28 days). */
export const POSTPARTUM_WINDOW_DAYS = 28;
/** Days around the marriage within which a couple's check counts. */
export const CHECK_WINDOW_DAYS = 365;

/** Rows (village, month, count index, n) for one root unit and year. */
export async function countServices(db: Tx, root: string, year: number) {
  const prefix = `${root}%`;
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  const ageAt = `(extract(year FROM s.service_date)::int - extract(year FROM p.birth_date)::int - (to_char(s.service_date, 'MMDD') < to_char(p.birth_date, 'MMDD'))::int)`;
  const result = await sql<{ org_code: string; m: number; k: number; n: number }>`
    WITH ev AS (
      SELECT e.county_code, e.org_code, extract(month FROM e.event_date)::int AS m, e.kind,
             e.person_id, e.other_person_id, e.event_date
        FROM vital_event e
        JOIN person p ON p.county_code = e.county_code AND p.id = e.person_id
       WHERE e.org_code LIKE ${prefix} AND NOT e.voided AND p.status NOT IN ('voided', 'merged')
         AND e.kind IN ('marriage', 'birth') AND e.event_date BETWEEN ${from}::date AND ${to}::date
    )
    SELECT org_code, m, 0 AS k, count(*)::int AS n FROM ev
     WHERE kind = 'marriage' AND EXISTS (
       SELECT 1 FROM service_record s
        WHERE s.county_code = ev.county_code AND s.kind = 'premarital_check' AND NOT s.voided
          AND (s.person_id = ev.person_id OR s.person_id = ev.other_person_id)
          AND s.service_date BETWEEN ev.event_date - ${CHECK_WINDOW_DAYS}::int AND ev.event_date)
     GROUP BY 1, 2
    UNION ALL
    SELECT org_code, m, 1, count(*)::int FROM ev
     WHERE kind = 'marriage' AND EXISTS (
       SELECT 1 FROM service_record s
        WHERE s.county_code = ev.county_code AND s.kind = 'prepregnancy_check' AND NOT s.voided
          AND (s.person_id = ev.person_id OR s.person_id = ev.other_person_id)
          AND s.service_date BETWEEN ev.event_date - ${CHECK_WINDOW_DAYS}::int
                                 AND ev.event_date + ${CHECK_WINDOW_DAYS}::int)
     GROUP BY 1, 2
    UNION ALL
    SELECT org_code, m, 2, count(*)::int FROM ev
     WHERE kind = 'birth' AND EXISTS (
       SELECT 1 FROM service_record s
        WHERE s.county_code = ev.county_code AND s.kind = 'postpartum_visit' AND NOT s.voided
          AND s.related_person_id = ev.person_id
          AND s.service_date BETWEEN ev.event_date AND ev.event_date + ${POSTPARTUM_WINDOW_DAYS}::int)
     GROUP BY 1, 2
    UNION ALL
    SELECT org_code, m, 3, count(*)::int FROM ev
     WHERE kind = 'birth' AND EXISTS (
       SELECT 1 FROM service_record s
        WHERE s.county_code = ev.county_code AND s.kind = 'newborn_screening' AND NOT s.voided
          AND s.person_id = ev.person_id)
     GROUP BY 1, 2
    UNION ALL
    SELECT org_code, m, 4, count(*)::int FROM (
      SELECT DISTINCT ON (s.county_code, s.person_id) s.org_code, extract(month FROM s.service_date)::int AS m
        FROM service_record s
        JOIN person p ON p.county_code = s.county_code AND p.id = s.person_id
       WHERE s.org_code LIKE ${prefix} AND NOT s.voided AND p.status NOT IN ('voided', 'merged')
         AND s.kind IN ('cervical_screening', 'breast_screening') AND p.sex = 'female'
         AND s.service_date BETWEEN ${from}::date AND ${to}::date
         AND ${sql.raw(ageAt)} BETWEEN 35 AND 64
       ORDER BY s.county_code, s.person_id, s.service_date) first_screening
     GROUP BY 1, 2`.execute(db);
  return result.rows;
}
