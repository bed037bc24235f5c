import { sql } from 'kysely';
import type { Tx } from '../registry/context.ts';

/**
 * The last year with registry data, per county: the year of the latest vital event (not voided)
 * on or before `today`. A county with no events is left out. The dashboard opens on this year, so
 * a county whose records end last year does not open on an empty current year.
 */
export async function findLatestDataYears(db: Tx, today: string): Promise<Map<string, number>> {
  const { rows } = await sql<{ county_code: string; year: number }>`
    SELECT county_code, extract(year FROM max(event_date))::int AS year
      FROM vital_event
     WHERE NOT voided AND event_date <= ${today}::date
     GROUP BY county_code`.execute(db);
  return new Map(rows.map((row) => [row.county_code, Number(row.year)]));
}
