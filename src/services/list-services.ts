import type { Tx } from '../registry/context.ts';

/**
 * Service records, person by person. Sensitive health data (DESIGN.md, PIPL Art. 28): only for
 * health-service roles — TODO(access-control, issue 10): the routes calling this must check the role.
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
  },
) {
  let query = db
    .selectFrom('service_record')
    .select([
      'id',
      'kind',
      'person_id',
      'related_person_id',
      'service_date',
      'provider',
      'outcome_code',
      'consent',
      'quantity',
      'org_code',
      'source',
      'entered_by',
      'entered_at',
    ])
    .where('county_code', '=', input.countyCode)
    .where('voided', '=', false)
    .orderBy('service_date', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.min(input.limit ?? 100, 1000))
    .offset(input.offset ?? 0);
  if (input.personId !== undefined) query = query.where('person_id', '=', input.personId);
  if (input.unit) query = query.where('org_code', 'like', `${input.unit}%`);
  if (input.kind) query = query.where('kind', '=', input.kind as never);
  if (input.from) query = query.where('service_date', '>=', input.from);
  if (input.to) query = query.where('service_date', '<=', input.to);
  return query.execute();
}

/** A service record as listed (GET /api/services). */
export type ServiceRecordRow = Awaited<ReturnType<typeof listServices>>[number];
