import { sql } from 'kysely';
import type { Tx } from '../registry/context.ts';

/**
 * The last year with registry data, per county: the year of the latest vital event (not voided)
 * on or before `today`. A county with no events is left out. The dashboard opens on this year, so
 * a county whose records end last year does not open on an empty current year.
 */
export async function findLatestDataYears(db: Tx, today: string): Promise<Map<string, number>> {
  // Per unit the last entry of vital_event_org_date_idx (an index probe each, a few ms for a
  // county of a million persons) rather than a scan of every event; an event's unit is always a
  // loaded org_unit (a foreign key), so no event is missed.
  const { rows } = await sql<{ county_code: string; year: number | null }>`
    SELECT coalesce(o.county_code, o.code) AS county_code,
           extract(year FROM max((SELECT max(v.event_date) FROM vital_event v
                                   WHERE v.org_code = o.code AND NOT v.voided
                                     AND v.event_date <= ${today}::date)))::int AS year
      FROM org_unit o
     GROUP BY 1`.execute(db);
  return new Map(rows.filter((row) => row.year !== null).map((row) => [row.county_code, Number(row.year)]));
}
