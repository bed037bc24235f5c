import { sql } from 'kysely';
import type { Tx } from '../context.ts';
import { BASIS_TYPES, type PopulationBasis } from './population.ts';

/** How a person joined or left a unit's population: the four terms of the balancing equation. */
export type PopulationChange = 'birth' | 'death' | 'in' | 'out';

export interface PopulationChangeRow {
  change: PopulationChange;
  sex: 'male' | 'female';
  /** Completed years on the day of the change (0 for a birth: the day the newborn is registered). */
  age: number;
  count: number;
}

export interface MigrationRow {
  direction: 'in' | 'out';
  sex: 'male' | 'female';
  /** Completed years on the day of the move. */
  age: number;
  count: number;
}

/**
 * Everyone who joined or left unit U's population (of `basis`; U at any level, its whole subtree)
 * on the days `from` … `to` (inclusive), as births, deaths, moves in and moves out, by sex and
 * single year of age on the day, read from the residence spells.
 *
 * A person joins U's population on the first day of a spell under U and leaves it on the day the
 * spell ends (`valid_to`, exclusive), exactly as `populationOn` counts them, and every such day
 * is one of the four, so
 *
 *   population(to) − population(from − 1) = births − deaths + in − out
 *
 * holds to the person. The terms:
 * - A spell that continues another of the same basis under U on the same day (a move between two
 *   villages of U, a change between registered and inflow) is no change at all.
 * - **birth**: a newborn's registration. A spell starting on the person's birth date; or the
 *   person's first spell in the county (no earlier spell of any basis or place in it) starting
 *   before their first birthday, for a person whose birth is recorded in the county (a birth
 *   vital event). A birth is counted on the day the newborn's first spell starts — the day they
 *   enter the population — not on the birth date: 户口登记 of a newborn usually comes days to
 *   months after the birth (the law asks for one month), and a record loaded from the
 *   public-security registry starts the child's residence on that registration. Counted as a move
 *   in, each such child would come into a projection twice: once as a birth from the fertility
 *   rates (which count the birth events) and again as an in-migrant aged 0.
 * - **death**: a spell ending on the person's death date.
 * - **in** / **out**: everything else — arrivals and departures across U's border, and changes
 *   into or out of the basis (an outflow migrant who comes home joins the resident population,
 *   one who leaves it departs). Hence still moves:
 *   - the first spell in the county, starting after the birth date, of a child without a birth
 *     event in the county, however young: nothing in the registry says it was born here, and its
 *     birth is in no fertility rate of the county either (a person import records a birth only
 *     for a residence that starts on the birth date);
 *   - a baby's later spells: a move from another village of the county at three months (a move
 *     for the village, none for the county), a child of an outflow mother, on the registry as
 *     outflow from birth, coming home at five months (a move into the resident population);
 *   - a first spell on or after the first birthday, even with a birth event (a child registered
 *     years late, 补录): the registry cannot tell where the child lived meanwhile;
 *   - a whole population loaded from an older system with the load date as everyone's residence
 *     start: nothing in the data tells that day from a day of arrivals (only its newborns with
 *     birth events are births). Such a load must carry the real residence start dates.
 */
export async function populationChangesBetween(
  db: Tx,
  options: { unit: string; from: string; to: string; basis?: PopulationBasis },
): Promise<PopulationChangeRow[]> {
  const types = BASIS_TYPES[options.basis ?? 'resident'];
  const prefix = `${options.unit}%`;
  // A spell that ends (starts) on the day another of the basis under U starts (ends): no change.
  const continued = (edge: 'valid_from' | 'valid_to') => sql`EXISTS (
               SELECT 1 FROM residence_spell o
                WHERE o.county_code = x.county_code AND o.person_id = x.person_id
                  AND o.org_code LIKE ${prefix} AND NOT o.voided
                  AND o.residence_type IN (${sql.join(types)})
                  AND o.${sql.raw(edge === 'valid_from' ? 'valid_to' : 'valid_from')} = x.${sql.raw(edge)})`;
  const result = await sql<PopulationChangeRow>`
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
    changes AS (
      SELECT CASE
               WHEN ${continued('valid_from')} THEN NULL
               WHEN x.valid_from = x.birth_date THEN 'birth'
               -- A newborn's registration: the first spell in the county, before the first
               -- birthday, of a child whose birth the county recorded.
               WHEN age(x.valid_from, x.birth_date) < interval '1 year'
                    AND NOT EXISTS (
                          SELECT 1 FROM residence_spell e
                           WHERE e.county_code = x.county_code AND e.person_id = x.person_id
                             AND NOT e.voided AND e.valid_from < x.valid_from)
                    AND EXISTS (
                          SELECT 1 FROM vital_event b
                           WHERE b.county_code = x.county_code AND b.person_id = x.person_id
                             AND b.kind = 'birth' AND NOT b.voided)
                 THEN 'birth'
               ELSE 'in'
             END AS change,
             x.sex, (extract(year FROM age(x.valid_from, x.birth_date)))::int AS age
        FROM spells x
       WHERE x.valid_from BETWEEN ${options.from}::date AND ${options.to}::date
      UNION ALL
      SELECT CASE
               WHEN ${continued('valid_to')} THEN NULL
               WHEN x.valid_to = x.death_date THEN 'death'
               ELSE 'out'
             END,
             x.sex, (extract(year FROM age(x.valid_to, x.birth_date)))::int
        FROM spells x
       WHERE x.valid_to BETWEEN ${options.from}::date AND ${options.to}::date
    )
    SELECT change, sex, age, count(*)::int AS count
      FROM changes
     WHERE change IS NOT NULL
     GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3`.execute(db);
  return result.rows;
}

/**
 * Moves into and out of unit U on the days `from` … `to` (inclusive), by sex and single year of
 * age at the move: the `in` and `out` terms of `populationChangesBetween`, whose rules say what is
 * a move (a newborn's first registration is a birth, not a move in, even when it comes months
 * after the birth date).
 */
export async function migrationBetween(
  db: Tx,
  options: { unit: string; from: string; to: string; basis?: PopulationBasis },
): Promise<MigrationRow[]> {
  const rows = await populationChangesBetween(db, options);
  return rows.flatMap((row) =>
    row.change === 'in' || row.change === 'out'
      ? [{ direction: row.change, sex: row.sex, age: row.age, count: row.count }]
      : [],
  );
}
