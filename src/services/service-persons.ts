import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { PersonTable } from '../db/schema.ts';
import type { Tx } from '../registry/context.ts';

/** What the service rules need to know of a person in the registry. */
export interface PersonFacts {
  id: number;
  county_code: string;
  id_number: string | null;
  sex: PersonTable['sex'];
  birth_date: string;
  death_date: string | null;
  mother_id: number | null;
  status: string;
  current_org_code: string | null;
  /** The person's residence spells (not voided), to place a service in the village of its date. */
  spells: { org_code: string; valid_from: string; valid_to: string | null }[];
}

/** The live persons a set of service records names, by registry id and by ID number. */
export interface ServicePersons {
  byId: Map<number, PersonFacts>;
  byIdNumber: Map<string, PersonFacts>;
}

const ID_NUMBER = /^[0-9]{17}[0-9X]$/;

/** How an ID number is stored in the registry (upper-case X, no spaces). */
export function normaliseIdNumber(idNumber: string): string {
  return idNumber.trim().toUpperCase();
}

/**
 * Looks up, in one query, the live persons of a county named by registry ids or ID numbers —
 * one service record's person and related person, or a whole import chunk's — with their
 * residence spells.
 */
export async function findServicePersons(
  db: Tx,
  countyCode: string,
  refs: { ids: readonly number[]; idNumbers: readonly string[] },
): Promise<ServicePersons> {
  const found: ServicePersons = { byId: new Map(), byIdNumber: new Map() };
  const ids = [...new Set(refs.ids)];
  // Only what could be a stored ID number (the registry's CHECK): anything else finds no one,
  // and a stray control character would make the database refuse the whole query.
  const idNumbers = [...new Set(refs.idNumbers.map(normaliseIdNumber).filter((n) => ID_NUMBER.test(n)))];
  if (ids.length === 0 && idNumbers.length === 0) return found;
  const rows = await db
    .selectFrom('person as p')
    .select((eb) => [
      'p.id',
      'p.county_code',
      'p.id_number',
      'p.sex',
      'p.birth_date',
      'p.death_date',
      'p.mother_id',
      'p.status',
      'p.current_org_code',
      jsonArrayFrom(
        eb
          .selectFrom('residence_spell as r')
          .select(['r.org_code', 'r.valid_from', 'r.valid_to'])
          .whereRef('r.county_code', '=', 'p.county_code')
          .whereRef('r.person_id', '=', 'p.id')
          .where('r.voided', '=', false)
          .orderBy('r.valid_from'),
      ).as('spells'),
    ])
    .where('p.county_code', '=', countyCode)
    .where('p.status', 'not in', ['voided', 'merged'])
    .where((eb) =>
      eb.or([
        ...(ids.length > 0 ? [eb('p.id', '=', sql<number>`any(${ids}::bigint[])`)] : []),
        ...(idNumbers.length > 0 ? [eb('p.id_number', '=', sql<string>`any(${idNumbers}::text[])`)] : []),
      ]),
    )
    .execute();
  for (const row of rows) {
    const person = row as PersonFacts;
    found.byId.set(person.id, person);
    // The registry holds one live person per ID number (person_id_number_uq).
    if (person.id_number) found.byIdNumber.set(person.id_number, person);
  }
  return found;
}

/** The person named by a registry id, else by an ID number, among those looked up. */
export function personOf(
  persons: ServicePersons,
  id: number | null | undefined,
  idNumber: string | null | undefined,
): PersonFacts | undefined {
  if (id != null) return persons.byId.get(id);
  if (idNumber) return persons.byIdNumber.get(normaliseIdNumber(idNumber));
  return undefined;
}

/** The person's village on a date (the residence spell open that day), else their current one, else the county. */
export function villageOn(person: PersonFacts, date: string): string {
  let village: string | undefined;
  let from = '';
  for (const spell of person.spells) {
    const open = spell.valid_from <= date && (spell.valid_to === null || spell.valid_to > date);
    // The latest spell that began on or before the date, as a spell opened by a move.
    if (open && spell.valid_from >= from) {
      village = spell.org_code;
      from = spell.valid_from;
    }
  }
  return village ?? person.current_org_code ?? person.county_code;
}

/**
 * The unit a person belongs to for who may record their services: where they live now (their
 * current village), else their county — the unit the access check of a single entry judges
 * (`personUnit` in src/server/access.ts), so an import for a unit takes the persons one could
 * enter a service for one at a time there.
 */
export function unitOfPerson(person: Pick<PersonFacts, 'current_org_code' | 'county_code'>): string {
  return person.current_org_code ?? person.county_code;
}
