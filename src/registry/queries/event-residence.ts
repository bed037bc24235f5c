import { BASIS_TYPES } from './population.ts';

/**
 * Which population a birth or a death belongs to: the rule that puts the numerators of the
 * resident-based rates (crude birth and death rates, fertility, infant mortality, life table, and
 * the coverage of services to births: indicators/service-counts.ts) on the population basis of
 * their denominators.
 *
 * The denominators count a person in the resident population (常住人口) on a day when one of
 * their residence spells of type registered, resident or inflow is in force that day
 * (population.ts). A vital event is counted the same way, by the person it happened to:
 *
 * 1. the person's own spell in force on the event date — for a birth the child's first spell,
 *    which begins on the birth date, for a death the spell the death closed (a spell ends on its
 *    `valid_to`, exclusive, so the spell ending on the event date is the one in force that day;
 *    of two, the later-starting);
 * 2. without one, for a baby under one year old on that day, its mother's spell that day: a
 *    newborn lives where its mother lives. This covers a child whose 户口登记 came weeks after the
 *    birth (its first spell starts on the registration) and a baby who died the day it was born
 *    (registering the death voids the spell that began that day);
 * 3. without either, the event is in no population basis: the registry places the person in no
 *    population of the county that day, so no denominator counts them either.
 *
 * The child, not the mother, decides first because the child is the person the birth adds to the
 * population: a birth counts exactly when the newborn joins the resident population that day,
 * which is how population change = births − deaths + moves holds on one basis
 * (migration.ts counts a spell starting on the birth date as the birth). A child of an outflow
 * migrant who lives with her elsewhere is outflow from birth (registerBirth gives the child the
 * mother's residence type by default); such a child who later comes home is a move into the
 * resident population, not a birth of it.
 *
 * Both forms below need `e` (the vital_event) and `p` (its person) in scope.
 */

function spellTypeOn(personExpr: string): string {
  return `(SELECT s.residence_type FROM residence_spell s
            WHERE s.county_code = e.county_code AND s.person_id = ${personExpr} AND NOT s.voided
              AND s.valid_from <= e.event_date AND (s.valid_to IS NULL OR s.valid_to >= e.event_date)
            ORDER BY s.valid_from DESC LIMIT 1)`;
}

/** Completed years of `p` on the event date, as the indicator cube counts them. */
const AGE_AT_EVENT = `(extract(year FROM e.event_date)::int - extract(year FROM p.birth_date)::int - (to_char(e.event_date, 'MMDD') < to_char(p.birth_date, 'MMDD'))::int)`;

/**
 * SQL: the residence type the event counts under (rules 1–2 above), or NULL when the registry
 * places the person in no population that day (rule 3).
 */
export const EVENT_RESIDENCE_TYPE_SQL = `coalesce(${spellTypeOn('e.person_id')},
  CASE WHEN ${AGE_AT_EVENT} < 1 AND p.mother_id IS NOT NULL THEN ${spellTypeOn('p.mother_id')} END)`;

/** SQL: true when the event belongs to the resident population (常住人口), false otherwise. */
export const EVENT_IS_RESIDENT_SQL = `coalesce(${EVENT_RESIDENCE_TYPE_SQL} IN (${BASIS_TYPES.resident
  .map((type) => `'${type}'`)
  .join(', ')}), false)`;
