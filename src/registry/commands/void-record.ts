import { AppError } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import { checkRequiredText } from '../../domain/person-rules.ts';
import type { CommandContext } from '../context.ts';
import { assertEditable, getPersonRow, updatePerson } from '../person-store.ts';
import { throwIfIssues } from './shared.ts';

export interface VoidPersonInput {
  personId: number;
  expectedVersion: number;
  reason: string;
}

/**
 * Voids a mistaken person record: it stays, with its history and the reason, but no longer counts
 * anywhere; its residence, unions and events are voided with it. Nothing is deleted.
 */
export async function voidPerson(context: CommandContext, input: VoidPersonInput) {
  throwIfIssues([checkRequiredText(input.reason, 'reason', { zh: '作废原因', en: 'Reason' }, 500)]);
  return context.db.transaction().execute(async (trx) => {
    const before = await getPersonRow(trx, input.personId, true);
    assertEditable(before);
    const children = await trx
      .selectFrom('person')
      .select('id')
      .where('county_code', '=', before.county_code)
      .where((eb) => eb.or([eb('mother_id', '=', before.id), eb('father_id', '=', before.id)]))
      .where('status', 'not in', ['voided', 'merged'])
      .execute();
    if (children.length > 0) {
      throw new AppError(
        'conflict',
        text(
          `此人是 ${children.length} 名在册人员的父母，请先更正这些记录的父母关系`,
          `This person is the parent of ${children.length} registered persons; correct their parent links first`,
        ),
        { field: 'personId', details: { childIds: children.map((c) => c.id) } },
      );
    }
    await trx
      .updateTable('residence_spell')
      .set({ voided: true })
      .where('county_code', '=', before.county_code)
      .where('person_id', '=', before.id)
      .execute();
    await trx
      .updateTable('person_union')
      .set({ voided: true })
      .where('county_code', '=', before.county_code)
      .where((eb) => eb.or([eb('person_id', '=', before.id), eb('partner_id', '=', before.id)]))
      .execute();
    await trx
      .updateTable('vital_event')
      .set({ voided: true, void_reason: input.reason.trim() })
      .where('county_code', '=', before.county_code)
      .where('person_id', '=', before.id)
      .where('voided', '=', false)
      .execute();
    const after = await updatePerson(
      trx,
      before,
      input.expectedVersion,
      { status: 'voided', void_reason: input.reason.trim() },
      { actor: context.actor, kind: 'void', reason: input.reason.trim() },
    );
    return { person: after };
  });
}

export interface VoidEventInput {
  eventId: number;
  reason: string;
}

/** Voids one mistaken event record (with a reason); the person's record stays as it is. */
export async function voidEvent(context: CommandContext, input: VoidEventInput) {
  throwIfIssues([checkRequiredText(input.reason, 'reason', { zh: '作废原因', en: 'Reason' }, 500)]);
  const result = await context.db
    .updateTable('vital_event')
    .set({ voided: true, void_reason: input.reason.trim() })
    .where('id', '=', input.eventId)
    .where('voided', '=', false)
    .returning(['id', 'kind'])
    .executeTakeFirst();
  if (!result) {
    throw new AppError(
      'not_found',
      text(`找不到未作废的事件 ${input.eventId}`, `No live event with id ${input.eventId}`),
      {
        field: 'eventId',
      },
    );
  }
  return result;
}
