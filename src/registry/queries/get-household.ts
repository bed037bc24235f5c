import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.ts';
import { AppError } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';

/** A household as its page shows it: the record, its members, how they are related, who lived there when. */
export interface HouseholdDetail {
  household: {
    id: number;
    householdNo: string;
    orgCode: string;
    address: string | null;
    hukouType: string | null;
    headPersonId: number | null;
    status: string;
    version: number;
    updatedAt: string;
  };
  /** Persons whose record names this household now (the living first, head first, then by age). */
  members: {
    id: number;
    name: string;
    sex: string;
    birthDate: string;
    idNumber: string | null;
    relationToHead: string | null;
    maritalStatus: string | null;
    residenceType: string | null;
    orgCode: string | null;
    status: string;
  }[];
  /** Family ties between two members: `relativeId` is the `relation` (mother, father, spouse) of `personId`. */
  relations: { personId: number; relativeId: number; relation: 'mother' | 'father' | 'spouse' }[];
  /** The members' residence spells recorded in this household (those who left too), oldest first. */
  residence: {
    personId: number;
    name: string;
    orgCode: string;
    residenceType: string;
    validFrom: string;
    validTo: string | null;
  }[];
}

/** The household with id `id`, or a 404 naming the field. */
export async function getHouseholdDetail(db: Kysely<Schema>, id: number): Promise<HouseholdDetail> {
  const row = await db.selectFrom('household').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row)
    throw new AppError('not_found', text(`没有这个户：${id}`, `No such household: ${id}`), { field: 'id' });
  const c = row.county_code;
  const members = await db
    .selectFrom('person')
    .select([
      'id',
      'name',
      'sex',
      'birth_date',
      'id_number',
      'relation_to_head',
      'marital_status',
      'current_residence_type',
      'current_org_code',
      'status',
      'mother_id',
      'father_id',
    ])
    .where('county_code', '=', c)
    .where('household_id', '=', id)
    .where('status', 'not in', ['voided', 'merged'])
    .orderBy('birth_date')
    .orderBy('id')
    .execute();
  const ids = members.map((m) => m.id);
  // The members' spells in this household (by the person index: a household's page stays
  // instant on a county of 190,000; spells have no household index).
  const residence =
    ids.length === 0
      ? []
      : await db
          .selectFrom('residence_spell as s')
          .innerJoin('person as p', (join) =>
            join.onRef('p.id', '=', 's.person_id').onRef('p.county_code', '=', 's.county_code'),
          )
          .select(['s.person_id', 'p.name', 's.org_code', 's.residence_type', 's.valid_from', 's.valid_to'])
          .where('s.county_code', '=', c)
          .where('s.person_id', 'in', ids)
          .where('s.household_id', '=', id)
          .where('s.voided', '=', false)
          .where('p.status', 'not in', ['voided', 'merged'])
          .orderBy('s.valid_from')
          .orderBy('s.person_id')
          .execute();
  const inHousehold = new Set(ids);
  const relations: HouseholdDetail['relations'] = [];
  for (const m of members) {
    if (m.mother_id != null && inHousehold.has(m.mother_id))
      relations.push({ personId: m.id, relativeId: m.mother_id, relation: 'mother' });
    if (m.father_id != null && inHousehold.has(m.father_id))
      relations.push({ personId: m.id, relativeId: m.father_id, relation: 'father' });
  }
  if (ids.length > 0) {
    const unions = await db
      .selectFrom('person_union')
      .select(['person_id', 'partner_id'])
      .where('county_code', '=', c)
      .where('person_id', 'in', ids)
      .where('voided', '=', false)
      .where('end_date', 'is', null)
      .execute();
    for (const union of unions) {
      if (union.partner_id != null && inHousehold.has(union.partner_id))
        relations.push({ personId: union.person_id, relativeId: union.partner_id, relation: 'spouse' });
    }
  }
  const living = (status: string) => (status === 'active' ? 0 : 1);
  const isHead = (m: { id: number; relation_to_head: string | null }) =>
    m.id === row.head_person_id || m.relation_to_head === 'head';
  members.sort((a, b) => living(a.status) - living(b.status) || Number(isHead(b)) - Number(isHead(a)));
  return {
    household: {
      id: row.id,
      householdNo: row.household_no,
      orgCode: row.org_code,
      address: row.address,
      hukouType: row.hukou_type,
      headPersonId: row.head_person_id,
      status: row.status,
      version: row.version,
      updatedAt: row.updated_at,
    },
    members: members.map((m) => ({
      id: m.id,
      name: m.name,
      sex: m.sex,
      birthDate: m.birth_date,
      idNumber: m.id_number,
      relationToHead: m.relation_to_head,
      maritalStatus: m.marital_status,
      residenceType: m.current_residence_type,
      orgCode: m.current_org_code,
      status: m.status,
    })),
    relations,
    residence: residence.map((s) => ({
      personId: s.person_id,
      name: s.name,
      orgCode: s.org_code,
      residenceType: s.residence_type,
      validFrom: s.valid_from,
      validTo: s.valid_to,
    })),
  };
}
