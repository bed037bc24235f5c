import type { HukouType, MaritalStatus, ResidenceType, Sex } from '../../db/schema.ts';
import { type FieldIssue, fieldIssue } from '../../domain/errors.ts';
import { checkEventDate, checkOneOf, checkPersonName, checkReportDate } from '../../domain/person-rules.ts';
import { type CommandContext, todayOf } from '../context.ts';
import { checkPersonIdNumber } from '../id-number.ts';
import { assertEditable, getPersonRow, insertPerson, type PersonRow, updatePerson } from '../person-store.ts';
import { checkHousehold, checkVillage, closeOpenSpell, openSpell } from '../residence.ts';
import { recordEvent } from './record-event.ts';
import {
  assertIdNumberFree,
  deadIssue,
  HUKOU_TYPE_LABEL,
  HUKOU_TYPES,
  MARITAL_STATUS_LABEL,
  MARITAL_STATUSES,
  pinyinColumns,
  RESIDENCE_TYPE_LABEL,
  RESIDENCE_TYPES,
  SEX_LABEL,
  SEXES,
  throwIfIssues,
} from './shared.ts';

const ARRIVAL_TYPES: readonly ResidenceType[] = ['registered', 'inflow', 'resident'];

export interface RegisterMoveInInput {
  person: {
    name: string;
    sex: Sex;
    birthDate: string;
    idNumber?: string | null;
    ethnicity?: string | null;
    hukouType?: HukouType | null;
    maritalStatus?: MaritalStatus | null;
    phone?: string | null;
  };
  orgCode: string;
  /** registered: hukou moved here; inflow: living here with hukou elsewhere. */
  residenceType: ResidenceType;
  moveDate: string;
  householdId?: number | null;
  relationToHead?: string | null;
  fromPlace?: string | null;
  reportDate?: string | null;
  source?: string;
  importKey?: string | null;
}

/**
 * Registers a person arriving in the county. Someone who once moved out of this county and
 * comes back (same ID number) gets their old record back with a new residence, not a duplicate.
 */
export async function registerMoveIn(context: CommandContext, input: RegisterMoveInInput) {
  const today = todayOf(context);
  const p = input.person ?? ({} as RegisterMoveInInput['person']);
  const issues: (FieldIssue | undefined)[] = [
    checkPersonName(p.name, 'person.name'),
    checkOneOf(p.sex, SEXES, 'person.sex', SEX_LABEL),
    ...checkEventDate(p.birthDate, 'person.birthDate', { today }, { zh: '出生日期', en: 'Birth date' }),
    checkOneOf(input.residenceType, ARRIVAL_TYPES, 'residenceType', RESIDENCE_TYPE_LABEL),
    p.hukouType == null
      ? undefined
      : checkOneOf(p.hukouType, HUKOU_TYPES, 'person.hukouType', HUKOU_TYPE_LABEL),
    p.maritalStatus == null
      ? undefined
      : checkOneOf(p.maritalStatus, MARITAL_STATUSES, 'person.maritalStatus', MARITAL_STATUS_LABEL),
  ];
  throwIfIssues(issues);
  issues.push(
    ...checkEventDate(
      input.moveDate,
      'moveDate',
      { today, birthDate: p.birthDate },
      { zh: '迁入日期', en: 'Move-in date' },
    ),
  );
  const id = checkPersonIdNumber(p.idNumber, 'person.idNumber', p, today);
  issues.push(...id.issues);
  throwIfIssues(issues);
  throwIfIssues(checkReportDate(input.reportDate, input.moveDate, today));

  return context.db.transaction().execute(async (trx) => {
    const village = await checkVillage(trx, input.orgCode, 'orgCode');
    if ('code' in village) throwIfIssues([village]);
    const countyCode = (village as { county: string }).county;
    throwIfIssues([await checkHousehold(trx, countyCode, input.householdId, 'householdId')]);
    const returning = id.idNumber
      ? await trx
          .selectFrom('person')
          .selectAll()
          .where('county_code', '=', countyCode)
          .where('id_number', '=', id.idNumber)
          .where('status', '=', 'moved_out')
          .forUpdate()
          .executeTakeFirst()
      : undefined;
    let person: PersonRow;
    if (returning) {
      person = await updatePerson(
        trx,
        returning,
        returning.version,
        {
          status: 'active',
          current_org_code: input.orgCode,
          current_residence_type: input.residenceType,
          household_id: input.householdId ?? null,
          relation_to_head: input.relationToHead ?? null,
        },
        { actor: context.actor, kind: 'move_in', reason: 'returned to the county' },
      );
    } else {
      await assertIdNumberFree(trx, countyCode, id.idNumber, 'person.idNumber');
      person = await insertPerson(
        trx,
        {
          county_code: countyCode,
          id_number: id.idNumber,
          name: p.name.trim(),
          ...pinyinColumns(p.name.trim()),
          sex: p.sex,
          birth_date: p.birthDate,
          ethnicity: p.ethnicity ?? null,
          hukou_type: p.hukouType ?? null,
          marital_status: p.maritalStatus ?? null,
          phone: p.phone ?? null,
          household_id: input.householdId ?? null,
          relation_to_head: input.relationToHead ?? null,
          mother_id: null,
          father_id: null,
          birth_order: null,
          death_date: null,
          current_org_code: input.orgCode,
          current_residence_type: input.residenceType,
          source: input.source ?? 'entry',
          import_key: input.importKey ?? null,
        },
        { actor: context.actor, kind: 'move_in' },
      );
    }
    await openSpell(trx, {
      countyCode,
      personId: person.id,
      orgCode: input.orgCode,
      residenceType: input.residenceType,
      from: input.moveDate,
      householdId: input.householdId ?? null,
    });
    const eventId = await recordEvent(trx, context.actor, {
      countyCode,
      kind: 'move_in',
      personId: person.id,
      eventDate: input.moveDate,
      reportDate: input.reportDate || today,
      orgCode: input.orgCode,
      source: input.source,
      details: {
        fromPlace: input.fromPlace ?? null,
        residenceType: input.residenceType,
        returned: Boolean(returning),
      },
      importKey: input.importKey,
    });
    return { person, eventId, returned: Boolean(returning) };
  });
}

export interface RegisterMoveOutInput {
  personId: number;
  moveDate: string;
  /**
   * out_of_county: leaves the county registry (迁出); outflow: hukou stays here, the person now
   * lives elsewhere (流出).
   */
  kind: 'out_of_county' | 'outflow';
  toPlace?: string | null;
  reportDate?: string | null;
  expectedVersion?: number;
  source?: string;
  importKey?: string | null;
}

/** Registers a move out of the county, or out-migration with the hukou kept here. */
export async function registerMoveOut(context: CommandContext, input: RegisterMoveOutInput) {
  const today = todayOf(context);
  throwIfIssues([
    checkOneOf(input.kind, ['out_of_county', 'outflow'] as const, 'kind', {
      zh: '迁出类型',
      en: 'Kind of move',
    }),
  ]);
  return context.db.transaction().execute(async (trx) => {
    const person = await getPersonRow(trx, input.personId, true);
    assertEditable(person);
    if (person.death_date) throwIfIssues([deadIssue('personId', person.death_date)]);
    if (person.status === 'moved_out') {
      throwIfIssues([
        fieldIssue(
          'already_moved_out',
          'personId',
          '此人已迁出本县',
          'This person has already left the county',
        ),
      ]);
    }
    throwIfIssues(
      checkEventDate(
        input.moveDate,
        'moveDate',
        { today, birthDate: person.birth_date },
        { zh: '迁出日期', en: 'Move-out date' },
      ),
    );
    throwIfIssues(checkReportDate(input.reportDate, input.moveDate, today));
    const orgCode = person.current_org_code ?? person.county_code;
    const closed = await closeOpenSpell(trx, person.county_code, person.id, input.moveDate, 'moveDate');
    if (input.kind === 'outflow') {
      await openSpell(trx, {
        countyCode: person.county_code,
        personId: person.id,
        orgCode: closed?.org_code ?? orgCode,
        residenceType: 'outflow',
        from: input.moveDate,
        householdId: person.household_id,
      });
    }
    const updated = await updatePerson(
      trx,
      person,
      input.expectedVersion ?? person.version,
      input.kind === 'outflow' ? { current_residence_type: 'outflow' } : { status: 'moved_out' },
      { actor: context.actor, kind: 'move_out' },
    );
    const eventId = await recordEvent(trx, context.actor, {
      countyCode: person.county_code,
      kind: 'move_out',
      personId: person.id,
      eventDate: input.moveDate,
      reportDate: input.reportDate || today,
      orgCode,
      source: input.source,
      details: { kind: input.kind, toPlace: input.toPlace ?? null },
      importKey: input.importKey,
    });
    return { person: updated, eventId };
  });
}

export interface ChangeResidenceInput {
  personId: number;
  date: string;
  orgCode: string;
  residenceType?: ResidenceType;
  reportDate?: string | null;
  expectedVersion?: number;
  source?: string;
}

/** A move within the county, or a change of residence type (e.g. an outflow migrant comes home). */
export async function changeResidence(context: CommandContext, input: ChangeResidenceInput) {
  const today = todayOf(context);
  if (input.residenceType != null)
    throwIfIssues([checkOneOf(input.residenceType, RESIDENCE_TYPES, 'residenceType', RESIDENCE_TYPE_LABEL)]);
  return context.db.transaction().execute(async (trx) => {
    const person = await getPersonRow(trx, input.personId, true);
    assertEditable(person);
    if (person.status !== 'active') {
      throwIfIssues([
        fieldIssue(
          'not_active',
          'personId',
          '此人不在本县登记人口中',
          'This person is not in the county population',
        ),
      ]);
    }
    throwIfIssues(
      checkEventDate(
        input.date,
        'date',
        { today, birthDate: person.birth_date },
        { zh: '变动日期', en: 'Date of change' },
      ),
    );
    throwIfIssues(checkReportDate(input.reportDate, input.date, today));
    const village = await checkVillage(trx, input.orgCode, 'orgCode');
    if ('code' in village) throwIfIssues([village]);
    if ((village as { county: string }).county !== person.county_code) {
      throwIfIssues([
        fieldIssue(
          'other_county',
          'orgCode',
          '迁往外县请登记“迁出”',
          'A move to another county is a move out',
        ),
      ]);
    }
    const residenceType = input.residenceType ?? person.current_residence_type ?? 'registered';
    await closeOpenSpell(trx, person.county_code, person.id, input.date, 'date');
    await openSpell(trx, {
      countyCode: person.county_code,
      personId: person.id,
      orgCode: input.orgCode,
      residenceType,
      from: input.date,
      householdId: person.household_id,
    });
    const updated = await updatePerson(
      trx,
      person,
      input.expectedVersion ?? person.version,
      { current_org_code: input.orgCode, current_residence_type: residenceType },
      { actor: context.actor, kind: 'residence_change' },
    );
    const eventId = await recordEvent(trx, context.actor, {
      countyCode: person.county_code,
      kind: 'residence_change',
      personId: person.id,
      eventDate: input.date,
      reportDate: input.reportDate || today,
      orgCode: input.orgCode,
      source: input.source,
      details: { fromOrgCode: person.current_org_code, residenceType },
    });
    return { person: updated, eventId };
  });
}
