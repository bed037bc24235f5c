import { type Kysely, sql } from 'kysely';
import type { EventKind, FeedSource, Schema } from '../db/schema.ts';
import { normaliseSex, roleValues } from './feed-datasets.ts';
import { fieldValue, parseFeedDate } from './resolve-record.ts';
import { type FeedMapping, type FeedRole, SOURCES } from './sources.ts';
import type { LinkageTaskDetails } from './work-tasks.ts';

/**
 * Where each record got to, from its stored pairs and the decisions people made on them, and what
 * follows for the units' work lists:
 * - a role is linked to the pair a person accepted, else to the engine's link pair unless a person
 *   rejected it; it is in review while a pair in the review band (or one marked unsure) waits for a
 *   person; otherwise it is unmatched;
 * - a record nobody in the registry matches reports an event the registry lacks: a birth certificate
 *   an unregistered birth, a death certificate an unregistered death, a marriage or divorce
 *   registration or any hukou registration an unregistered event (reason no_match) — on the list
 *   of the village the record names (a marriage with nobody linked has no place: the county's list);
 * - a linked record whose event the registry does not hold is one too: a death (certificate or
 *   hukou deregistration) whose person is still active (reason alive_in_registry); a marriage or
 *   divorce with no union of a linked spouse starting (ending) and no such event within a year of
 *   the registration; a hukou move or change of address with no such event for the person from
 *   three years before the registration to a year after (a move is registered with the police
 *   after it happens; a person already recorded as moved out has no move-out missing) — reason
 *   event_not_in_registry, on the list of the record's village, else the person's;
 * - a linked person whose name, birth date, ID number or sex differs from the record gets a
 *   correction suggestion with both values (nobody's record is changed);
 * - a task whose finding no longer holds (the record was linked after all) is closed as dismissed.
 * Tasks are keyed by source_ref, so settling again never makes a second one.
 */

export interface RoleLink {
  status: 'linked' | 'review' | 'unmatched';
  personId: number | null;
  pairId: number | null;
}

export interface SettleReport {
  status: { linked: number; review: number; unmatched: number };
  tasks: { created: number; updated: number; closed: number };
}

interface PairRow {
  id: number;
  row_no: number;
  role: string;
  person_id: number;
  decision: string;
  review: string | null;
  match_weight: number;
}

/** A role's link from its pairs (best weight first). */
export function roleLinkOf(pairs: readonly PairRow[]): RoleLink {
  const accepted = pairs.find((p) => p.review === 'accepted');
  if (accepted) return { status: 'linked', personId: accepted.person_id, pairId: accepted.id };
  const link = pairs.find((p) => p.decision === 'link' && p.review === null);
  if (link) return { status: 'linked', personId: link.person_id, pairId: link.id };
  const waiting = pairs.find(
    (p) => (p.decision === 'link' || p.decision === 'review') && (p.review === null || p.review === 'unsure'),
  );
  if (waiting) return { status: 'review', personId: null, pairId: null };
  return { status: 'unmatched', personId: null, pairId: null };
}

type UnregisteredKind = 'unregistered_birth' | 'unregistered_death' | 'unregistered_event';

/**
 * The task kind for an event the registry lacks, by source: a hospital's birth certificate is an
 * unregistered birth, a death certificate an unregistered death (the figures reports count); a
 * marriage, divorce or any hukou registration — a hukou birth or death included, which a hospital
 * or death certificate may report as well — is an unregistered event with its kind in the details.
 */
export function unregisteredKind(source: FeedSource): UnregisteredKind {
  return source === 'birth_certificate'
    ? 'unregistered_birth'
    : source === 'death_certificate'
      ? 'unregistered_death'
      : 'unregistered_event';
}

/**
 * Days before and after a record's date in which the registry's own record of the event (a vital
 * event, or for marriages a union) counts as the same event: a marriage is registered on its day; a
 * hukou move is registered with the police after it happens, sometimes years after.
 */
const EVENT_WINDOW: Record<FeedSource, { before: number; after: number }> = {
  birth_certificate: { before: 0, after: 0 },
  death_certificate: { before: 0, after: 0 },
  marriage_registration: { before: 365, after: 365 },
  hukou_registration: { before: 1095, after: 365 },
};

interface TaskRow {
  kind: string;
  org_code: string;
  person_id: number | null;
  source_ref: string;
  details: LinkageTaskDetails;
}

/** Settles a batch's records (or some of them): links, status, work tasks. */
export async function settleRecords(
  trx: Kysely<Schema>,
  batchId: number,
  actor: string,
  rowNos?: readonly number[],
): Promise<SettleReport> {
  const batch = (
    await sql<{ county_code: string; source: FeedSource; mapping: FeedMapping }>`
      SELECT county_code, source, mapping FROM feed_batch WHERE id = ${batchId}`.execute(trx)
  ).rows[0]!;
  const county = batch.county_code;
  const rowFilter = rowNos ? sql`AND row_no = ANY(${[...rowNos]}::int[])` : sql``;
  const records = (
    await sql<{
      row_no: number;
      raw: Record<string, unknown>;
      org_code: string | null;
      event_kind: EventKind | null;
      event_date: string | null;
    }>`
      SELECT row_no, raw, org_code, event_kind, event_date::text AS event_date FROM feed_record
       WHERE batch_id = ${batchId} ${rowFilter} ORDER BY row_no`.execute(trx)
  ).rows;
  // A pair on a record merged into another is passed over: the merge gave the kept record's pair
  // its decision, or moved the pair (merge-persons.ts).
  const pairRows = (
    await sql<PairRow>`
      SELECT p.id, p.row_no, p.role, p.person_id, p.decision, p.review, p.match_weight FROM feed_pair p
       WHERE p.batch_id = ${batchId} ${rowFilter}
         AND NOT EXISTS (SELECT 1 FROM person m WHERE m.county_code = p.county_code AND m.id = p.person_id
                            AND m.status = 'merged')
       ORDER BY p.row_no, p.role, p.match_weight DESC, p.id`.execute(trx)
  ).rows;
  const pairsOf = new Map<string, PairRow[]>();
  for (const p of pairRows) {
    const key = `${p.row_no}:${p.role}`;
    let list = pairsOf.get(key);
    if (!list) {
      list = [];
      pairsOf.set(key, list);
    }
    list.push({ ...p, id: Number(p.id), person_id: Number(p.person_id) });
  }

  const roles = SOURCES[batch.source].roles;
  const status = { linked: 0, review: 0, unmatched: 0 };
  const updates: {
    row_no: number;
    links: Record<string, RoleLink>;
    link_status: string;
    person_id: number | null;
  }[] = [];
  const linkedPersons = new Set<number>();
  for (const record of records) {
    const links: Record<string, RoleLink> = {};
    for (const role of roles) {
      const link = roleLinkOf(pairsOf.get(`${record.row_no}:${role}`) ?? []);
      links[role] = link;
      if (link.personId !== null) linkedPersons.add(link.personId);
    }
    const all = Object.values(links);
    const recordStatus = all.some((l) => l.status === 'review')
      ? 'review'
      : all.some((l) => l.status === 'linked')
        ? 'linked'
        : 'unmatched';
    status[recordStatus]++;
    updates.push({
      row_no: record.row_no,
      links,
      link_status: recordStatus,
      person_id: links[roles[0]!]!.personId,
    });
  }
  for (let start = 0; start < updates.length; start += 2000) {
    await sql`
      UPDATE feed_record f SET links = x.links, link_status = x.link_status, person_id = x.person_id
        FROM jsonb_to_recordset(${JSON.stringify(updates.slice(start, start + 2000))}::jsonb)
             AS x(row_no int, links jsonb, link_status text, person_id bigint)
       WHERE f.batch_id = ${batchId} AND f.row_no = x.row_no`.execute(trx);
  }
  // A marriage is placed where the couple live: the linked wife's (or husband's) village.
  if (batch.source === 'marriage_registration') {
    await sql`
      UPDATE feed_record f SET org_code = p.current_org_code
        FROM person p
       WHERE f.batch_id = ${batchId} ${rowFilter} AND f.org_code IS NULL AND p.county_code = f.county_code
         AND p.id = coalesce((f.links->'wife'->>'personId')::bigint, (f.links->'husband'->>'personId')::bigint)
         AND p.current_org_code IS NOT NULL`.execute(trx);
  }

  const persons = new Map<
    number,
    {
      name: string;
      sex: string;
      birth_date: string;
      id_number: string | null;
      current_org_code: string | null;
      status: string;
    }
  >();
  if (linkedPersons.size > 0) {
    const rows = (
      await sql<{
        id: number;
        name: string;
        sex: string;
        birth_date: string;
        id_number: string | null;
        current_org_code: string | null;
        status: string;
      }>`
        SELECT id, name, sex, birth_date::text AS birth_date, id_number, current_org_code, status FROM person
         WHERE county_code = ${county} AND id = ANY(${[...linkedPersons]}::bigint[])`.execute(trx)
    ).rows;
    for (const row of rows) persons.set(Number(row.id), row);
  }

  const tasks: TaskRow[] = [];
  const mapping = batch.mapping;
  const fieldsOf = (raw: Record<string, unknown>) => {
    const out: Record<string, string> = {};
    for (const field of Object.keys(mapping)) {
      const value = fieldValue(raw, mapping, field);
      if (value !== null) out[field] = value;
    }
    return out;
  };
  const linkedIdsOf = (index: number) =>
    roles.map((role) => updates[index]!.links[role]!.personId).filter((id): id is number => id !== null);
  const motherIds = new Map<string, number>();
  if (batch.source === 'birth_certificate') {
    const wanted = records
      .filter((_, i) => updates[i]!.link_status === 'unmatched')
      .map((r) => fieldValue(r.raw, mapping, 'mother_id_number')?.toUpperCase())
      .filter((v): v is string => v !== undefined);
    if (wanted.length > 0) {
      const rows = (
        await sql<{ id: number; id_number: string }>`
          SELECT id, id_number FROM person WHERE county_code = ${county} AND id_number = ANY(${wanted}::text[])
             AND status NOT IN ('voided', 'merged')`.execute(trx)
      ).rows;
      for (const row of rows) motherIds.set(row.id_number, Number(row.id));
    }
  }
  // Linked records reporting a marriage, divorce, move or change of address: which of them the
  // registry holds (a vital event of the kind, or a union starting / ending, near the record's date).
  const eventChecks: { row_no: number; kind: string; person_id: number; date: string }[] = [];
  for (const [index, record] of records.entries()) {
    const kind = record.event_kind;
    if (kind === null || kind === 'birth' || kind === 'death' || record.event_date === null) continue;
    if (updates[index]!.link_status !== 'linked') continue;
    for (const id of linkedIdsOf(index)) {
      eventChecks.push({ row_no: record.row_no, kind, person_id: id, date: record.event_date });
    }
  }
  const eventsHeld = new Set<number>();
  if (eventChecks.length > 0) {
    const { before, after } = EVENT_WINDOW[batch.source];
    const rows = (
      await sql<{ row_no: number }>`
        SELECT DISTINCT x.row_no
          FROM jsonb_to_recordset(${JSON.stringify(eventChecks)}::jsonb)
               AS x(row_no int, kind text, person_id bigint, date date)
         WHERE EXISTS (SELECT 1 FROM vital_event e
                        WHERE e.county_code = ${county} AND e.person_id = x.person_id AND e.kind = x.kind
                          AND NOT e.voided AND e.event_date BETWEEN x.date - ${before}::int AND x.date + ${after}::int)
            OR (x.kind = 'marriage' AND EXISTS (SELECT 1 FROM person_union u
                        WHERE u.county_code = ${county} AND u.person_id = x.person_id AND NOT u.voided
                          AND u.start_date BETWEEN x.date - ${before}::int AND x.date + ${after}::int))
            OR (x.kind = 'divorce' AND EXISTS (SELECT 1 FROM person_union u
                        WHERE u.county_code = ${county} AND u.person_id = x.person_id AND NOT u.voided
                          AND u.end_reason = 'divorce'
                          AND u.end_date BETWEEN x.date - ${before}::int AND x.date + ${after}::int))
            OR (x.kind = 'move_out' AND EXISTS (SELECT 1 FROM person p
                        WHERE p.county_code = ${county} AND p.id = x.person_id AND p.status = 'moved_out'))`.execute(
        trx,
      )
    ).rows;
    for (const row of rows) eventsHeld.add(row.row_no);
  }
  for (const [index, record] of records.entries()) {
    const update = updates[index]!;
    const base = {
      source: batch.source,
      batchId,
      rowNo: record.row_no,
      recordNo: fieldValue(record.raw, mapping, 'record_no'),
      eventKind: record.event_kind,
      eventDate: record.event_date,
    };
    const sourceRef = `feed:${batchId}:${record.row_no}`;
    const linked = linkedIdsOf(index);
    // Where the record belongs: its own village, else (a marriage) a linked spouse's.
    const place =
      record.org_code ??
      linked
        .map((id) => persons.get(id)?.current_org_code)
        .find((code) => code !== undefined && code !== null) ??
      null;
    // A record with no readable event (a marriage office's reissue, an unknown hukou business) reports none.
    if (update.link_status === 'unmatched' && record.event_kind !== null) {
      const motherId = fieldValue(record.raw, mapping, 'mother_id_number')?.toUpperCase();
      tasks.push({
        kind: unregisteredKind(batch.source),
        org_code: place ?? county,
        person_id: null,
        source_ref: sourceRef,
        details: {
          ...base,
          reason: 'no_match',
          fields: fieldsOf(record.raw),
          ...(motherId && motherIds.has(motherId) ? { motherPersonId: motherIds.get(motherId) } : {}),
        },
      });
    }
    if (update.link_status === 'linked' && record.event_kind === 'death') {
      // A death certified (or deregistered) but still alive in the registry.
      const principal = update.links[roles[0]!]!;
      const person = principal.personId === null ? undefined : persons.get(principal.personId);
      if (person && person.status === 'active') {
        tasks.push({
          kind: unregisteredKind(batch.source),
          org_code: person.current_org_code ?? record.org_code ?? county,
          person_id: principal.personId,
          source_ref: sourceRef,
          details: { ...base, reason: 'alive_in_registry', fields: fieldsOf(record.raw) },
        });
      }
    } else if (
      update.link_status === 'linked' &&
      record.event_kind !== null &&
      record.event_kind !== 'birth' &&
      record.event_date !== null &&
      !eventsHeld.has(record.row_no)
    ) {
      tasks.push({
        kind: 'unregistered_event',
        org_code: place ?? county,
        person_id: linked[0] ?? null,
        source_ref: sourceRef,
        details: {
          ...base,
          reason: 'event_not_in_registry',
          personIds: linked,
          fields: fieldsOf(record.raw),
        },
      });
    }
    for (const role of roles) {
      const link = update.links[role]!;
      if (link.status !== 'linked' || link.personId === null) continue;
      const person = persons.get(link.personId);
      if (!person) continue;
      const differences = differencesOf(
        roleValues(batch.source, role as FeedRole, mapping, record.raw, record.org_code),
        person,
      );
      if (differences.length === 0) continue;
      tasks.push({
        kind: 'correction',
        org_code: person.current_org_code ?? record.org_code ?? county,
        person_id: link.personId,
        source_ref: `feed:${batchId}:${record.row_no}:${role}`,
        details: { ...base, role, pairId: link.pairId, differences },
      });
    }
  }

  let created = 0;
  let updated = 0;
  for (let start = 0; start < tasks.length; start += 1000) {
    const result = await sql<{ inserted: boolean }>`
      INSERT INTO work_task (county_code, kind, org_code, person_id, source, source_ref, details, created_by)
      SELECT ${county}, x.kind, x.org_code, x.person_id, 'linkage', x.source_ref, x.details, ${actor}
        FROM jsonb_to_recordset(${JSON.stringify(tasks.slice(start, start + 1000))}::jsonb)
             AS x(kind text, org_code text, person_id bigint, source_ref text, details jsonb)
      ON CONFLICT (county_code, kind, source_ref) DO UPDATE
         SET details = EXCLUDED.details, person_id = EXCLUDED.person_id, org_code = EXCLUDED.org_code
       WHERE work_task.status = 'open' AND work_task.details IS DISTINCT FROM EXCLUDED.details
      RETURNING (xmax = 0) AS inserted`.execute(trx);
    for (const row of result.rows) {
      if (row.inserted) created++;
      else updated++;
    }
  }
  // Findings that no longer hold: the record got linked, the link was rejected, the fields agree
  // (an anti-join, not `<> ALL` over an array: a batch can have 100,000 tasks).
  const current = tasks.map((t) => `${t.kind}|${t.source_ref}`);
  const closed = await sql`
    UPDATE work_task w SET status = 'dismissed', resolved_at = now(), resolved_by = ${actor},
           resolution_note = 'linkage: no longer found on the latest run'
     WHERE county_code = ${county} AND source = 'linkage' AND status = 'open'
       AND source_ref LIKE ${`feed:${batchId}:%`}
       ${rowNos ? sql`AND split_part(source_ref, ':', 3)::int = ANY(${[...rowNos]}::int[])` : sql``}
       AND NOT EXISTS (SELECT 1 FROM unnest(${current}::text[]) AS c(key)
                        WHERE c.key = w.kind || '|' || w.source_ref)`.execute(trx);
  return { status, tasks: { created, updated, closed: Number(closed.numAffectedRows ?? 0) } };
}

export interface FieldDifference {
  field: 'name' | 'birth_date' | 'id_number' | 'sex';
  feed: string;
  registry: string | null;
}

/** The fields a record and a registry person disagree on, where the record has a value. */
export function differencesOf(
  record: { name: string | null; sex: string | null; birth_date: string | null; id_number: string | null },
  person: { name: string; sex: string; birth_date: string; id_number: string | null },
): FieldDifference[] {
  const out: FieldDifference[] = [];
  const name = record.name?.replace(/\s+/g, '') ?? null;
  if (name && name !== person.name) out.push({ field: 'name', feed: name, registry: person.name });
  if (record.birth_date) {
    const date = parseFeedDate(record.birth_date);
    if (date !== person.birth_date) {
      out.push({ field: 'birth_date', feed: date ?? record.birth_date, registry: person.birth_date });
    }
  }
  const id = record.id_number?.replace(/\s+/g, '').toUpperCase() ?? null;
  if (id && id !== person.id_number) out.push({ field: 'id_number', feed: id, registry: person.id_number });
  const sex = normaliseSex(record.sex);
  if (sex && sex !== person.sex) out.push({ field: 'sex', feed: sex, registry: person.sex });
  return out;
}
