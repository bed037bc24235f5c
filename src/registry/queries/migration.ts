import { sql } from 'kysely';
import type { Tx } from '../context.ts';
import { BASIS_TYPES, type PopulationBasis } from './population.ts';

export interface MigrationRow {
  direction: 'in' | 'out';
  sex: 'male' | 'female';
  /** Completed years on the day of the move. */
  age: number;
  count: number;
}

/**
 * Moves into and out of unit U (any level; its whole subtree) on the days `from` … `to`
 * (inclusive), by sex and single year of age at the move, read from the residence spells.
 *
 * A person joins U's population (of `basis`) on the first day of a spell under U and leaves it on
 * the day the spell ends (`valid_to`, exclusive), exactly as `populationOn` counts them, so
 * population(to) − population(from − 1) = births − deaths + in − out holds to the person. A spell
 * starting on the person's birth date is a birth, one ending on their death date a death, and a
 * spell that continues another of the same basis under U on the same day (a move between two
 * villages of U, a change between registered and inflow) is no move at all. Everything else is
 * migration: arrivals and departures across U's border, and changes into or out of the basis (an
 * outflow migrant who comes home joins the resident population, one who leaves it departs).
 */
export async function migrationBetween(
  db: Tx,
  options: { unit: string; from: string; to: string; basis?: PopulationBasis },
): Promise<MigrationRow[]> {
  const types = BASIS_TYPES[options.basis ?? 'resident'];
  const prefix = `${options.unit}%`;
  const result = await sql<MigrationRow>`
    WITH spells AS (
      SELECT s.county_code, s.person_id, s.valid_from, s.valid_to, p.sex, p.birth_date, p.death_date
        FROM residence_spell s
        JOIN person p ON p.county_code = s.county_code AND p.id = s.person_id
       WHERE s.org_code LIKE ${prefix}
         AND NOT s.voided
         AND s.residence_type IN (${sql.join(types)})
         AND p.status NOT IN ('voided', 'merged')
         AND (s.valid_from BETWEEN ${options.from}::date AND ${options.to}::date
              OR s.valid_to BETWEEN ${options.from}::date AND ${options.to}::date)
    ),
    moves AS (
      SELECT 'in' AS direction, x.sex, (extract(year FROM age(x.valid_from, x.birth_date)))::int AS age
        FROM spells x
       WHERE x.valid_from BETWEEN ${options.from}::date AND ${options.to}::date
         AND x.valid_from <> x.birth_date
         AND NOT EXISTS (
               SELECT 1 FROM residence_spell o
                WHERE o.county_code = x.county_code AND o.person_id = x.person_id
                  AND o.org_code LIKE ${prefix} AND NOT o.voided
                  AND o.residence_type IN (${sql.join(types)})
                  AND o.valid_to = x.valid_from)
      UNION ALL
      SELECT 'out', x.sex, (extract(year FROM age(x.valid_to, x.birth_date)))::int
        FROM spells x
       WHERE x.valid_to BETWEEN ${options.from}::date AND ${options.to}::date
         AND (x.death_date IS NULL OR x.valid_to <> x.death_date)
         AND NOT EXISTS (
               SELECT 1 FROM residence_spell o
                WHERE o.county_code = x.county_code AND o.person_id = x.person_id
                  AND o.org_code LIKE ${prefix} AND NOT o.voided
                  AND o.residence_type IN (${sql.join(types)})
                  AND o.valid_from = x.valid_to)
    )
    SELECT direction, sex, age, count(*)::int AS count
      FROM moves
     GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3`.execute(db);
  return result.rows;
}
