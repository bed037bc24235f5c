import type { ResidenceType, Sex } from '../../db/schema.ts';
import { type FieldIssue, fieldIssue } from '../../domain/errors.ts';
import {
  checkEventDate,
  checkOneOf,
  checkParentAge,
  checkPersonName,
  checkReportDate,
} from '../../domain/person-rules.ts';
import { type CommandContext, todayOf } from '../context.ts';
import { checkPersonIdNumber } from '../id-number.ts';
import { assertEditable, getPersonRow, insertPerson, type PersonRow } from '../person-store.ts';
import { checkHousehold, checkVillage, openSpell } from '../residence.ts';
import {
  assertIdNumberFree,
  countChildren,
  deadIssue,
  pinyinColumns,
  RESIDENCE_TYPE_LABEL,
  RESIDENCE_TYPES,
  SEX_LABEL,
  SEXES,
  throwIfIssues,
} from './shared.ts';

export interface RegisterBirthInput {
  child: { name: string; sex: Sex; birthDate: string; idNumber?: string | null; ethnicity?: string | null };
  motherId: number;
  fatherId?: number | null;
  householdId?: number | null;
  /** Village where the child lives; the mother's current village by default. */
  orgCode?: string | null;
  /**
   * The child's residence type: by default the mother's current one when the child lives in her
   * village (a child of an outflow migrant lives with her elsewhere: outflow, so the birth is not
   * one of the resident population, registry/queries/event-residence.ts), otherwise registered.
   */
  residenceType?: ResidenceType;
  reportDate?: string | null;
  place?: string | null;
  hospital?: string | null;
  source?: string;
  importKey?: string | null;
}

export interface RegisterBirthResult {
  person: PersonRow;
  eventId: number;
}

/** Registers a live birth: the child as a new person linked to its mother (and father), its first residence and the birth event. */
export async function registerBirth(
  context: CommandContext,
  input: RegisterBirthInput,
): Promise<RegisterBirthResult> {
  const today = todayOf(context);
  const child = input.child ?? ({} as RegisterBirthInput['child']);
  const issues: (FieldIssue | undefined)[] = [
    checkPersonName(child.name, 'child.name'),
    checkOneOf(child.sex, SEXES, 'child.sex', SEX_LABEL),
    ...checkEventDate(child.birthDate, 'child.birthDate', { today }, { zh: '出生日期', en: 'Birth date' }),
  ];
  if (typeof input.motherId !== 'number') {
    issues.push(fieldIssue('required', 'motherId', '请选择母亲', 'The mother is required'));
  }
  if (input.residenceType != null)
    issues.push(checkOneOf(input.residenceType, RESIDENCE_TYPES, 'residenceType', RESIDENCE_TYPE_LABEL));
  throwIfIssues(issues);
  issues.push(...checkReportDate(input.reportDate, child.birthDate, today));
  const id = checkPersonIdNumber(child.idNumber, 'child.idNumber', child, today);
  issues.push(...id.issues);
  throwIfIssues(issues);

  return context.db.transaction().execute(async (trx) => {
    const mother = await getPersonRow(trx, input.motherId, true).catch(() => undefined);
    if (!mother) {
      throwIfIssues([
        fieldIssue(
          'not_found',
          'motherId',
          `找不到母亲（编号 ${input.motherId}）`,
          `No mother with id ${input.motherId}`,
        ),
      ]);
    }
    const m = mother!;
    assertEditable(m, 'motherId');
    const motherIssues: (FieldIssue | undefined)[] = [];
    if (m.sex !== 'female')
      motherIssues.push(
        fieldIssue('mother_not_female', 'motherId', '母亲须为女性', 'The mother must be female'),
      );
    if (m.death_date && m.death_date < child.birthDate)
      motherIssues.push(deadIssue('motherId', m.death_date));
    if (child.birthDate < m.birth_date) {
      motherIssues.push(
        fieldIssue(
          'date_before_birth',
          'child.birthDate',
          '出生日期早于母亲的出生日期',
          'Birth date is before the mother’s own',
        ),
      );
    } else {
      motherIssues.push(checkParentAge(m.birth_date, child.birthDate, 'mother', 'motherId'));
    }
    let father: PersonRow | undefined;
    if (input.fatherId != null) {
      father = await getPersonRow(trx, input.fatherId).catch(() => undefined);
      if (!father) {
        motherIssues.push(
          fieldIssue(
            'not_found',
            'fatherId',
            `找不到父亲（编号 ${input.fatherId}）`,
            `No father with id ${input.fatherId}`,
          ),
        );
      } else {
        if (father.sex !== 'male')
          motherIssues.push(
            fieldIssue('father_not_male', 'fatherId', '父亲须为男性', 'The father must be male'),
          );
        if (child.birthDate > father.birth_date) {
          motherIssues.push(checkParentAge(father.birth_date, child.birthDate, 'father', 'fatherId'));
        }
      }
    }
    const orgCode = input.orgCode ?? m.current_org_code;
    const village = await checkVillage(trx, orgCode, 'orgCode');
    if ('code' in village) motherIssues.push(village);
    throwIfIssues(motherIssues);
    const countyCode = (village as { county: string }).county;
    throwIfIssues([await checkHousehold(trx, countyCode, input.householdId, 'householdId')]);
    await assertIdNumberFree(trx, countyCode, id.idNumber, 'child.idNumber');

    const order = (await countChildren(trx, m.county_code, m.id)) + 1;
    const withMother = m.county_code === countyCode && orgCode === m.current_org_code;
    const residenceType =
      input.residenceType ?? (withMother ? m.current_residence_type : null) ?? 'registered';
    const householdId = input.householdId ?? (m.county_code === countyCode ? m.household_id : null);
    const person = await insertPerson(
      trx,
      {
        county_code: countyCode,
        id_number: id.idNumber,
        name: child.name.trim(),
        ...pinyinColumns(child.name.trim()),
        sex: child.sex,
        birth_date: child.birthDate,
        ethnicity: child.ethnicity ?? m.ethnicity,
        hukou_type: m.hukou_type,
        marital_status: 'single',
        phone: null,
        household_id: householdId,
        relation_to_head: householdId ? 'child' : null,
        mother_id: m.county_code === countyCode ? m.id : null,
        father_id: father && father.county_code === countyCode ? father.id : null,
        birth_order: order,
        death_date: null,
        current_org_code: orgCode!,
        current_residence_type: residenceType,
        source: input.source ?? 'entry',
        import_key: input.importKey ?? null,
      },
      { actor: context.actor, kind: 'birth' },
    );
    await openSpell(trx, {
      countyCode,
      personId: person.id,
      orgCode: orgCode!,
      residenceType,
      from: child.birthDate,
      householdId,
    });
    const event = await trx
      .insertInto('vital_event')
      .values({
        county_code: countyCode,
        kind: 'birth',
        person_id: person.id,
        other_person_id: m.id,
        event_date: child.birthDate,
        report_date: input.reportDate || today,
        org_code: orgCode!,
        source: input.source ?? 'entry',
        entered_by: context.actor.id,
        details: JSON.stringify({
          motherId: m.id,
          motherIdNumber: m.id_number,
          fatherId: father?.id ?? null,
          birthOrder: order,
          place: input.place ?? null,
          hospital: input.hospital ?? null,
        }),
        import_key: input.importKey ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { person, eventId: event.id };
  });
}
