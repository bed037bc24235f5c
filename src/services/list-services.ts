import type { Tx } from '../registry/context.ts';

/**
 * Service records, person by person, each with the name of the person served (the list shows who,
 * not an id). Sensitive health data (DESIGN.md, PIPL Art. 28): only for health-service roles —
 * GET /api/services, the one route calling this, needs services.read. Live records, or with
 * `voided` the voided ones instead (each with why, by whom and when): two lists, each read by an
 * index of its own (migration 0026), never one list mixing what counts with what does not.
 */
export async function listServices(
  db: Tx,
  input: {
    countyCode: string;
    personId?: number;
    unit?: string;
    kind?: string;
    from?: string;
    to?: string;
    limit?: number;
    offset?: number;
    /** The voided records instead of the live ones (the page's 已作废 view); they count nowhere. */
    voided?: boolean;
  },
) {
  let query = db
    .selectFrom('service_record as s')
    .innerJoin('person as p', (join) =>
      join.onRef('p.county_code', '=', 's.county_code').onRef('p.id', '=', 's.person_id'),
    )
    .select([
      's.id',
      's.kind',
      's.person_id',
      'p.name as person_name',
      's.related_person_id',
      's.service_date',
      's.provider',
      's.outcome_code',
      's.consent',
      's.quantity',
      's.org_code',
      's.source',
      's.entered_by',
      's.entered_at',
      's.voided',
      's.void_reason',
      's.voided_by',
      's.voided_at',
    ])
    .where('s.county_code', '=', input.countyCode)
    .orderBy('s.service_date', 'desc')
    .orderBy('s.id', 'desc')
    .limit(Math.min(input.limit ?? 100, 1000))
    .offset(input.offset ?? 0);
  query = query.where('s.voided', '=', input.voided === true);
  if (input.personId !== undefined) query = query.where('s.person_id', '=', input.personId);
  if (input.unit) query = query.where('s.org_code', 'like', `${input.unit}%`);
  if (input.kind) query = query.where('s.kind', '=', input.kind as never);
  if (input.from) query = query.where('s.service_date', '>=', input.from);
  if (input.to) query = query.where('s.service_date', '<=', input.to);
  return query.execute();
}

/** A service record as listed (GET /api/services), with the name of the person who received it. */
export type ServiceRecordRow = Awaited<ReturnType<typeof listServices>>[number];
