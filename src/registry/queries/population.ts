import { sql } from 'kysely';
import type { ResidenceType } from '../../db/schema.ts';
import { fieldIssue, invalidInput } from '../../domain/errors.ts';
import type { Tx } from '../context.ts';

/** Which population: 常住 (living here), 户籍 (hukou here), or one residence type. */
export type PopulationBasis = 'resident' | 'registered' | 'inflow' | 'outflow';

/** Residence types that make up each basis (see residence_spell.residence_type). */
export const BASIS_TYPES: Record<PopulationBasis, ResidenceType[]> = {
  resident: ['registered', 'inflow', 'resident'],
  registered: ['registered', 'outflow'],
  inflow: ['inflow'],
  outflow: ['outflow'],
};

export interface PopulationRow {
  sex: 'male' | 'female';
  age: number;
  count: number;
}

/**
 * Population of unit U (any level; its whole subtree) at the end of date D, by sex and single
 * year of age: one range query over residence spells.
 */
export async function populationOn(
  db: Tx,
  options: { unit: string; date: string; basis?: PopulationBasis },
): Promise<PopulationRow[]> {
  const basis = options.basis ?? 'resident';
  if (!Object.hasOwn(BASIS_TYPES, basis))
    throw invalidInput([
      fieldIssue(
        'invalid_value',
        'basis',
        `口径应为 ${Object.keys(BASIS_TYPES).join(' / ')} 之一：${basis}`,
        `The basis must be one of ${Object.keys(BASIS_TYPES).join(' / ')}: ${basis}`,
      ),
    ]);
  const types = BASIS_TYPES[basis];
  const result = await sql<PopulationRow>`
    SELECT p.sex,
           (extract(year FROM age(${options.date}::date, p.birth_date)))::int AS age,
           count(*)::int AS count
      FROM residence_spell s
      JOIN person p ON p.county_code = s.county_code AND p.id = s.person_id
     WHERE s.org_code LIKE ${`${options.unit}%`}
       AND NOT s.voided
       AND s.residence_type IN (${sql.join(types)})
       AND s.valid_from <= ${options.date}::date
       AND (s.valid_to IS NULL OR s.valid_to > ${options.date}::date)
       AND p.status NOT IN ('voided', 'merged')
     GROUP BY 1, 2
     ORDER BY 1, 2`.execute(db);
  return result.rows;
}

/** Total of a population breakdown. */
export function totalOf(rows: PopulationRow[]): number {
  return rows.reduce((sum, row) => sum + row.count, 0);
}
