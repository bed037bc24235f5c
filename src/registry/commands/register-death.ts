import { checkEventDate, checkReportDate } from '../../domain/person-rules.ts';
import { type CommandContext, type Tx, todayOf } from '../context.ts';
import { assertEditable, getPersonRow, type PersonRow, updatePerson } from '../person-store.ts';
import { closeOpenSpell } from '../residence.ts';
import { recordEvent } from './record-event.ts';
import { deadIssue, throwIfIssues } from './shared.ts';

export interface RegisterDeathInput {
  personId: number;
  deathDate: string;
  reportDate?: string | null;
  cause?: string | null;
  /** The version the user saw; when given, a concurrent edit makes this a conflict. */
  expectedVersion?: number;
  source?: string;
  importKey?: string | null;
}

/** Registers a death: closes the residence, ends open marriages (the spouse becomes widowed), records the event. */
export async function registerDeath(context: CommandContext, input: RegisterDeathInput) {
  const today = todayOf(context);
  return context.db.transaction().execute(async (trx) => {
    const person = await getPersonRow(trx, input.personId, true);
    assertEditable(person);
    if (person.death_date) throwIfIssues([deadIssue('personId', person.death_date)]);
    throwIfIssues(
      checkEventDate(
        input.deathDate,
        'deathDate',
        { today, birthDate: person.birth_date },
        { zh: '死亡日期', en: 'Date of death' },
      ),
    );
    throwIfIssues(checkReportDate(input.reportDate, input.deathDate, today));
    const lastEvent = await trx
      .selectFrom('vital_event')
      .select(['event_date', 'kind'])
      .where('county_code', '=', person.county_code)
      .where('person_id', '=', person.id)
      .where('voided', '=', false)
      .where('event_date', '>', input.deathDate)
      .orderBy('event_date', 'desc')
      .executeTakeFirst();
    if (lastEvent) {
      throwIfIssues([
        {
          code: 'events_after_death',
          field: 'deathDate',
          message: {
            'zh-CN': `此人在 ${lastEvent.event_date} 还有登记的事件，死亡日期不能早于它`,
            en: `This person has an event on ${lastEvent.event_date}; the date of death cannot be earlier`,
          },
        },
      ]);
    }
    const orgCode = person.current_org_code;
    await closeOpenSpell(trx, person.county_code, person.id, input.deathDate, 'deathDate').catch((error) => {
      // Death on the day a spell began: the spell becomes empty; keep it but void it.
      if (error?.code !== 'invalid_input') throw error;
      return trx
        .updateTable('residence_spell')
        .set({ voided: true })
        .where('county_code', '=', person.county_code)
        .where('person_id', '=', person.id)
        .where('valid_to', 'is', null)
        .execute();
    });
    const updated = await updatePerson(
      trx,
      person,
      input.expectedVersion ?? person.version,
      { status: 'dead', death_date: input.deathDate },
      { actor: context.actor, kind: 'death' },
    );
    await widowSpouses(trx, context, person, input.deathDate);
    const eventId = await recordEvent(trx, context.actor, {
      countyCode: person.county_code,
      kind: 'death',
      personId: person.id,
      eventDate: input.deathDate,
      reportDate: input.reportDate || today,
      orgCode: orgCode ?? person.county_code,
      source: input.source,
      details: { cause: input.cause ?? null, ageAtDeath: null },
      importKey: input.importKey,
    });
    return { person: updated, eventId };
  });
}

async function widowSpouses(trx: Tx, context: CommandContext, person: PersonRow, date: string) {
  const unions = await trx
    .selectFrom('person_union')
    .select(['id', 'partner_id'])
    .where('county_code', '=', person.county_code)
    .where('person_id', '=', person.id)
    .where('end_date', 'is', null)
    .where('voided', '=', false)
    .execute();
  for (const union of unions) {
    await trx
      .updateTable('person_union')
      .set({ end_date: date, end_reason: 'death' })
      .where('id', '=', union.id)
      .execute();
    if (union.partner_id == null) continue;
    await trx
      .updateTable('person_union')
      .set({ end_date: date, end_reason: 'death' })
      .where('person_id', '=', union.partner_id)
      .where('partner_id', '=', person.id)
      .where('end_date', 'is', null)
      .execute();
    const spouse = await getPersonRow(trx, union.partner_id, true);
    if (spouse.status === 'active' || spouse.status === 'moved_out') {
      await updatePerson(
        trx,
        spouse,
        spouse.version,
        { marital_status: 'widowed' },
        {
          actor: context.actor,
          kind: 'spouse_death',
          reason: `spouse ${person.id} died ${date}`,
        },
      );
    }
  }
}
