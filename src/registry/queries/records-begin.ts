import { sql } from 'kysely';
import type { Tx } from '../context.ts';

/**
 * The first day the registry recorded a vital event of the unit's county: figures of periods
 * before it are not facts (reports blank them; the projection takes no rates from those years).
 * null when there are no such events at all. The births a person import recorded (source
 * 'import', docs/import.md) do not count: they reach back to the oldest person born in the county,
 * with none of the deaths or moves of those years.
 */
export async function findRecordsBegin(db: Tx, unit: string): Promise<string | null> {
  const row = await sql<{ first: string | null }>`
    SELECT min(event_date)::text AS first FROM vital_event
     WHERE county_code = ${unit.slice(0, 6)} AND NOT voided AND source <> 'import'`.execute(db);
  return row.rows[0]?.first ?? null;
}
