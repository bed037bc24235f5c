import { type Selectable, sql } from 'kysely';
import type { PersonUnionTable, ResidenceSpellTable, VitalEventTable } from '../../db/schema.ts';
import { AppError } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import type { Tx } from '../context.ts';
import { getPersonRow, impliedFirstChanges, type PersonRow, rewoundSnapshot } from '../person-store.ts';

/** A person as the public API shows them (camelCase). */
export interface PersonView {
  id: number;
  countyCode: string;
  idNumber: string | null;
  name: string;
  namePinyin: string;
  sex: 'male' | 'female';
  birthDate: string;
  ethnicity: string | null;
  hukouType: string | null;
  maritalStatus: string | null;
  phone: string | null;
  householdId: number | null;
  relationToHead: string | null;
  motherId: number | null;
  fatherId: number | null;
  birthOrder: number | null;
  deathDate: string | null;
  orgCode: string | null;
  residenceType: string | null;
  status: string;
  voidReason: string | null;
  version: number;
  updatedAt: string;
}

export function toPersonView(row: PersonRow): PersonView {
  return {
    id: row.id,
    countyCode: row.county_code,
    idNumber: row.id_number,
    name: row.name,
    namePinyin: row.name_pinyin,
    sex: row.sex,
    birthDate: row.birth_date,
    ethnicity: row.ethnicity,
    hukouType: row.hukou_type,
    maritalStatus: row.marital_status,
    phone: row.phone,
    householdId: row.household_id,
    relationToHead: row.relation_to_head,
    motherId: row.mother_id,
    fatherId: row.father_id,
    birthOrder: row.birth_order,
    deathDate: row.death_date,
    orgCode: row.current_org_code,
    residenceType: row.current_residence_type,
    status: row.status,
    voidReason: row.void_reason,
    version: row.version,
    updatedAt: row.updated_at,
  };
}

export interface PersonDetail {
  person: PersonView;
  household: {
    id: number;
    householdNo: string;
    orgCode: string;
    address: string | null;
    headPersonId: number | null;
  } | null;
  relatives: { relation: string; id: number; name: string; sex: string; birthDate: string; status: string }[];
  residence: Pick<
    Selectable<ResidenceSpellTable>,
    'org_code' | 'residence_type' | 'valid_from' | 'valid_to' | 'voided'
  >[];
  unions: Pick<
    Selectable<PersonUnionTable>,
    'partner_id' | 'partner_name' | 'start_date' | 'end_date' | 'end_reason'
  >[];
  events: Pick<
    Selectable<VitalEventTable>,
    'id' | 'kind' | 'event_date' | 'report_date' | 'org_code' | 'source' | 'voided'
  >[];
}

/** A person with household, relatives (parents, children, spouses), residence history and events. */
export async function getPersonDetail(db: Tx, personId: number): Promise<PersonDetail> {
  const row = await getPersonRow(db, personId);
  const c = row.county_code;
  const [household, parents, children, residence, unions, events] = await Promise.all([
    row.household_id == null
      ? undefined
      : db
          .selectFrom('household')
          .select(['id', 'household_no', 'org_code', 'address', 'head_person_id'])
          .where('county_code', '=', c)
          .where('id', '=', row.household_id)
          .executeTakeFirst(),
    db
      .selectFrom('person')
      .select(['id', 'name', 'sex', 'birth_date', 'status'])
      .where('county_code', '=', c)
      .where('id', 'in', [row.mother_id ?? -1, row.father_id ?? -1])
      .execute(),
    db
      .selectFrom('person')
      .select(['id', 'name', 'sex', 'birth_date', 'status'])
      .where('county_code', '=', c)
      .where((eb) => eb.or([eb('mother_id', '=', row.id), eb('father_id', '=', row.id)]))
      .orderBy('birth_date')
      .execute(),
    db
      .selectFrom('residence_spell')
      .select(['org_code', 'residence_type', 'valid_from', 'valid_to', 'voided'])
      .where('county_code', '=', c)
      .where('person_id', '=', row.id)
      .orderBy('valid_from')
      .execute(),
    db
      .selectFrom('person_union')
      .select(['partner_id', 'partner_name', 'start_date', 'end_date', 'end_reason'])
      .where('county_code', '=', c)
      .where('person_id', '=', row.id)
      .where('voided', '=', false)
      .orderBy('start_date')
      .execute(),
    db
      .selectFrom('vital_event')
      .select(['id', 'kind', 'event_date', 'report_date', 'org_code', 'source', 'voided'])
      .where('county_code', '=', c)
      .where((eb) => eb.or([eb('person_id', '=', row.id), eb('other_person_id', '=', row.id)]))
      .orderBy('event_date')
      .execute(),
  ]);
  const relatives: PersonDetail['relatives'] = [
    ...parents.map((p) => ({
      relation: p.id === row.mother_id ? 'mother' : 'father',
      ...p,
      birthDate: p.birth_date,
    })),
    ...children.map((p) => ({ relation: 'child', ...p, birthDate: p.birth_date })),
  ].map(({ birth_date: _b, ...rest }) => rest);
  for (const union of unions) {
    if (union.partner_id == null) continue;
    const spouse = await db
      .selectFrom('person')
      .select(['id', 'name', 'sex', 'birth_date', 'status'])
      .where('id', '=', union.partner_id)
      .executeTakeFirst();
    if (spouse) {
      relatives.push({
        relation: union.end_date ? 'former_spouse' : 'spouse',
        id: spouse.id,
        name: spouse.name,
        sex: spouse.sex,
        birthDate: spouse.birth_date,
        status: spouse.status,
      });
    }
  }
  return {
    person: toPersonView(row),
    household: household
      ? {
          id: household.id,
          householdNo: household.household_no,
          orgCode: household.org_code,
          address: household.address,
          headPersonId: household.head_person_id,
        }
      : null,
    relatives,
    residence,
    unions,
    events,
  };
}

export interface PersonVersionView {
  version: number;
  kind: string;
  changedAt: string;
  changedBy: string;
  reason: string | null;
  changes: Record<string, { old: unknown; new: unknown }>;
}

/** Every version of a person, oldest first: who, when, why, old and new values. */
export async function getPersonHistory(db: Tx, personId: number): Promise<PersonVersionView[]> {
  const row = await getPersonRow(db, personId);
  const versions = await db
    .selectFrom('person_version')
    .select(['version', 'change_kind', 'changed_at', 'changed_by', 'reason', 'changes'])
    // A first version that stores no changes has them in its snapshot (see impliedFirstChanges),
    // which a bulk writer may have left out too (see rewoundSnapshot).
    .select(sql<boolean>`version = 1 AND changes = '{}'::jsonb`.as('bare_first'))
    .select(
      sql<Record<
        string,
        unknown
      > | null>`CASE WHEN version = 1 AND changes = '{}'::jsonb THEN snapshot END`.as('first_snapshot'),
    )
    .where('county_code', '=', row.county_code)
    .where('person_id', '=', row.id)
    .orderBy('version')
    .execute();
  return versions.map((v) => ({
    version: v.version,
    kind: v.change_kind,
    changedAt: v.changed_at,
    changedBy: v.changed_by,
    reason: v.reason,
    changes: v.bare_first
      ? impliedFirstChanges(v.first_snapshot ?? rewoundSnapshot(row, v.version, versions))
      : v.changes,
  }));
}

/**
 * The person as the registry knew them at the end of a given date: the snapshot of the last
 * version recorded by then. Throws not_found if the registry did not know the person yet.
 */
export async function getPersonAsOf(db: Tx, personId: number, date: string) {
  const row = await getPersonRow(db, personId);
  const version = await db
    .selectFrom('person_version')
    .select(['version', 'snapshot', 'changed_at'])
    .where('county_code', '=', row.county_code)
    .where('person_id', '=', row.id)
    .where('changed_at', '<', `${date}T24:00:00+08:00`)
    .orderBy('version', 'desc')
    .executeTakeFirst();
  if (!version) {
    throw new AppError(
      'not_found',
      text(`${date} 时登记库中还没有此人`, `The registry did not know this person on ${date}`),
      { field: 'date' },
    );
  }
  let record = version.snapshot;
  if (record === null) {
    const later = await db
      .selectFrom('person_version')
      .select(['version', 'changes'])
      .where('county_code', '=', row.county_code)
      .where('person_id', '=', row.id)
      .where('version', '>', version.version)
      .execute();
    record = rewoundSnapshot(row, version.version, later);
  }
  return { version: version.version, recordedAt: version.changed_at, record };
}
