import type { EventKind } from '../../db/schema.ts';
import type { Actor, Tx } from '../context.ts';

/** Inserts one vital event row; the commands decide what it means. */
export async function recordEvent(
  db: Tx,
  actor: Actor,
  event: {
    countyCode: string;
    kind: EventKind;
    personId: number;
    otherPersonId?: number | null;
    eventDate: string;
    reportDate: string;
    orgCode: string;
    source?: string | undefined;
    details?: Record<string, unknown>;
    importKey?: string | null | undefined;
  },
): Promise<number> {
  const row = await db
    .insertInto('vital_event')
    .values({
      county_code: event.countyCode,
      kind: event.kind,
      person_id: event.personId,
      other_person_id: event.otherPersonId ?? null,
      event_date: event.eventDate,
      report_date: event.reportDate,
      org_code: event.orgCode,
      source: event.source ?? 'entry',
      entered_by: actor.id,
      details: JSON.stringify(event.details ?? {}),
      import_key: event.importKey ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
