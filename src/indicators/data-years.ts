import { sql } from 'kysely';
import { addDays } from '../domain/dates.ts';
import type { Tx } from '../registry/context.ts';

/**
 * The last day whose events may make their year the dashboard's default: today from 1 February
 * on; in January, 31 December of the year before. A year becomes the default only once it has a
 * complete month behind it — one birth on 3 January must not open the dashboard on a nearly empty
 * year.
 */
function defaultYearCutoff(today: string): string {
  return today.slice(5, 7) === '01' ? addDays(`${today.slice(0, 4)}-01-01`, -1) : today;
}

/**
 * The year the dashboard opens on, per county: the year of the latest vital event (not voided) on
 * or before `defaultYearCutoff(today)` — so this year once it has data and a complete month
 * behind it, else the latest earlier year with data, and a county whose records end last year does
 * not open on an empty current year. A county with no such event is left out.
 */
export async function findLatestDataYears(db: Tx, today: string): Promise<Map<string, number>> {
  const cutoff = defaultYearCutoff(today);
  // Per unit the last entry of vital_event_org_date_idx (an index probe each, a few ms for a
  // county of a million persons) rather than a scan of every event; an event's unit is always a
  // loaded org_unit (a foreign key), so no event is missed.
  const { rows } = await sql<{ county_code: string; year: number | null }>`
    SELECT coalesce(o.county_code, o.code) AS county_code,
           extract(year FROM max((SELECT max(v.event_date) FROM vital_event v
                                   WHERE v.org_code = o.code AND NOT v.voided
                                     AND v.event_date <= ${cutoff}::date)))::int AS year
      FROM org_unit o
     GROUP BY 1`.execute(db);
  return new Map(rows.filter((row) => row.year !== null).map((row) => [row.county_code, Number(row.year)]));
}
