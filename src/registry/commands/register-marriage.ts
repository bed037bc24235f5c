import { AppError, type FieldIssue, fieldIssue } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import {
  checkEventDate,
  checkMarriageAge,
  checkPersonName,
  checkReportDate,
} from '../../domain/person-rules.ts';
import { type CommandContext, type Tx, todayOf } from '../context.ts';
import { checkPersonIdNumber } from '../id-number.ts';
import { assertEditable, getPersonRow, type PersonRow, updatePerson } from '../person-store.ts';
import { recordEvent } from './record-event.ts';
import { deadIssue, throwIfIssues } from './shared.ts';

export interface RegisterMarriageInput {
  personId: number;
  /** The spouse, when they are in the registry. */
  partnerId?: number | null;
  /** The spouse from elsewhere: name and ID number. */
  partner?: { name: string; idNumber?: string | null } | null;
  marriageDate: string;
  reportDate?: string | null;
  source?: string;
  importKey?: string | null;
}

async function findOpenUnion(db: Tx, person: PersonRow) {
  return db
    .selectFrom('person_union')
    .select(['id', 'start_date', 'partner_id', 'partner_name'])
    .where('county_code', '=', person.county_code)
    .where('person_id', '=', person.id)
    .where('end_date', 'is', null)
    .where('voided', '=', false)
    .executeTakeFirst();
}

function checkSpouse(
  person: PersonRow,
  date: string,
  field: string,
  today: string,
): (FieldIssue | undefined)[] {
  return [
    person.death_date && person.death_date <= date ? deadIssue(field, person.death_date) : undefined,
    ...checkEventDate(
      date,
      'marriageDate',
      { today, birthDate: person.birth_date },
      { zh: '结婚日期', en: 'Marriage date' },
    ),
    checkMarriageAge(person.birth_date, person.sex, date, field),
  ];
}

/** Registers a marriage. Nobody can be married twice at once: an open marriage refuses a new one. */
export async function registerMarriage(context: CommandContext, input: RegisterMarriageInput) {
  const today = todayOf(context);
  if (input.partnerId == null && !input.partner) {
    throwIfIssues([
      fieldIssue(
        'required',
        'partnerId',
        '请选择配偶，或填写配偶姓名',
        'Choose the spouse or give their name',
      ),
    ]);
  }
  return context.db.transaction().execute(async (trx) => {
    const person = await getPersonRow(trx, input.personId, true);
    assertEditable(person);
    const issues = checkSpouse(person, input.marriageDate, 'personId', today);
    let partner: PersonRow | undefined;
    let partnerIdNumber: string | null = null;
    if (input.partnerId != null) {
      if (input.partnerId === input.personId) {
        issues.push(
          fieldIssue('same_person', 'partnerId', '不能与自己结婚', 'A person cannot marry themselves'),
        );
      } else {
        partner = await getPersonRow(trx, input.partnerId, true);
        assertEditable(partner, 'partnerId');
        issues.push(...checkSpouse(partner, input.marriageDate, 'partnerId', today));
      }
    } else if (input.partner) {
      issues.push(checkPersonName(input.partner.name, 'partner.name'));
      const id = checkPersonIdNumber(input.partner.idNumber, 'partner.idNumber', {}, today);
      issues.push(...id.issues);
      partnerIdNumber = id.idNumber;
    }
    throwIfIssues(issues);
    throwIfIssues(checkReportDate(input.reportDate, input.marriageDate, today));
    for (const [who, field] of [
      [person, 'personId'],
      [partner, 'partnerId'],
    ] as const) {
      if (!who) continue;
      const open = await findOpenUnion(trx, who);
      if (open) {
        throw new AppError(
          'conflict',
          text(
            `${who.name} 自 ${open.start_date} 起已婚，须先登记离婚或配偶死亡`,
            `This person has been married since ${open.start_date}; register the divorce or the spouse's death first`,
          ),
          {
            field,
            issues: [
              fieldIssue(
                'already_married',
                field,
                `已婚（${open.start_date} 起）`,
                `Already married (since ${open.start_date})`,
              ),
            ],
          },
        );
      }
    }
    const spouses: [PersonRow, PersonRow | undefined][] = [[person, partner]];
    if (partner) spouses.push([partner, person]);
    for (const [self, other] of spouses) {
      await trx
        .insertInto('person_union')
        .values({
          county_code: self.county_code,
          person_id: self.id,
          partner_id: other?.id ?? null,
          partner_name: other?.name ?? input.partner?.name ?? null,
          partner_id_number: other?.id_number ?? partnerIdNumber,
          start_date: input.marriageDate,
        })
        .execute();
      await updatePerson(
        trx,
        self,
        self.version,
        { marital_status: 'married' },
        { actor: context.actor, kind: 'marriage' },
      );
    }
    const eventId = await recordEvent(trx, context.actor, {
      countyCode: person.county_code,
      kind: 'marriage',
      personId: person.id,
      otherPersonId: partner?.id ?? null,
      eventDate: input.marriageDate,
      reportDate: input.reportDate || today,
      orgCode: person.current_org_code ?? person.county_code,
      source: input.source,
      details: {
        partnerName: partner?.name ?? input.partner?.name ?? null,
        partnerIdNumber: partner?.id_number ?? partnerIdNumber,
      },
      importKey: input.importKey,
    });
    return { eventId };
  });
}

export interface RegisterDivorceInput {
  personId: number;
  divorceDate: string;
  reportDate?: string | null;
  source?: string;
  importKey?: string | null;
}

/** Registers a divorce: ends the person's open marriage (and the spouse's side of it). */
export async function registerDivorce(context: CommandContext, input: RegisterDivorceInput) {
  const today = todayOf(context);
  return context.db.transaction().execute(async (trx) => {
    const person = await getPersonRow(trx, input.personId, true);
    assertEditable(person);
    const issues: (FieldIssue | undefined)[] = checkEventDate(
      input.divorceDate,
      'divorceDate',
      { today, birthDate: person.birth_date, deathDate: person.death_date },
      { zh: '离婚日期', en: 'Divorce date' },
    );
    throwIfIssues(issues);
    throwIfIssues(checkReportDate(input.reportDate, input.divorceDate, today));
    const open = await findOpenUnion(trx, person);
    if (!open) {
      throwIfIssues([
        fieldIssue(
          'not_married',
          'personId',
          '此人当前没有登记的婚姻',
          'This person has no current marriage on record',
        ),
      ]);
    }
    if (open!.start_date > input.divorceDate) {
      throwIfIssues([
        fieldIssue(
          'divorce_before_marriage',
          'divorceDate',
          `离婚日期早于结婚日期 ${open!.start_date}`,
          `Divorce date is before the marriage date ${open!.start_date}`,
        ),
      ]);
    }
    await trx
      .updateTable('person_union')
      .set({ end_date: input.divorceDate, end_reason: 'divorce' })
      .where('county_code', '=', person.county_code)
      .where('id', '=', open!.id)
      .execute();
    await updatePerson(
      trx,
      person,
      person.version,
      { marital_status: 'divorced' },
      { actor: context.actor, kind: 'divorce' },
    );
    if (open!.partner_id != null) {
      const partner = await getPersonRow(trx, open!.partner_id, true);
      await trx
        .updateTable('person_union')
        .set({ end_date: input.divorceDate, end_reason: 'divorce' })
        .where('person_id', '=', partner.id)
        .where('partner_id', '=', person.id)
        .where('end_date', 'is', null)
        .execute();
      if (partner.status !== 'voided' && partner.status !== 'merged' && !partner.death_date) {
        await updatePerson(
          trx,
          partner,
          partner.version,
          { marital_status: 'divorced' },
          { actor: context.actor, kind: 'divorce' },
        );
      }
    }
    const eventId = await recordEvent(trx, context.actor, {
      countyCode: person.county_code,
      kind: 'divorce',
      personId: person.id,
      otherPersonId: open!.partner_id,
      eventDate: input.divorceDate,
      reportDate: input.reportDate || today,
      orgCode: person.current_org_code ?? person.county_code,
      source: input.source,
      importKey: input.importKey,
    });
    return { eventId };
  });
}
