import { type Kysely, sql } from 'kysely';
import type { FeedSource, Schema } from '../db/schema.ts';
import { normaliseSex, roleValues } from './feed-datasets.ts';
import { fieldValue, parseFeedDate } from './resolve-record.ts';
import { type FeedMapping, type FeedRole, SOURCES } from './sources.ts';

/**
 * Where each record got to, from its stored pairs and the decisions people made on them, and what
 * follows for the units' work lists:
 * - a role is linked to the pair a person accepted, else to the engine's link pair unless a person
 *   rejected it; it is in review while a pair in the review band (or one marked unsure) waits for a
 *   person; otherwise it is unmatched;
 * - a birth certificate whose child is unmatched is an unregistered birth for its village, a death
 *   certificate with nobody linked an unregistered death;
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

const UNREGISTERED: Partial<Record<FeedSource, 'unregistered_birth' | 'unregistered_death'>> = {
  birth_certificate: 'unregistered_birth',
  death_certificate: 'unregistered_death',
};

interface TaskRow {
  kind: string;
  org_code: string;
  person_id: number | null;
  source_ref: string;
  details: Record<string, unknown>;
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
    await sql<{ row_no: number; raw: Record<string, unknown>; org_code: string | null }>`
      SELECT row_no, raw, org_code FROM feed_record WHERE batch_id = ${batchId} ${rowFilter} ORDER BY row_no`.execute(
      trx,
    )
  ).rows;
  const pairRows = (
    await sql<PairRow>`
      SELECT id, row_no, role, person_id, decision, review, match_weight FROM feed_pair
       WHERE batch_id = ${batchId} ${rowFilter}
       ORDER BY row_no, role, match_weight DESC, id`.execute(trx)
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
  const unregistered = UNREGISTERED[batch.source];
  const mapping = batch.mapping;
  const fieldsOf = (raw: Record<string, unknown>) => {
    const out: Record<string, string> = {};
    for (const field of Object.keys(mapping)) {
      const value = fieldValue(raw, mapping, field);
      if (value !== null) out[field] = value;
    }
    return out;
  };
  const motherIds = new Map<string, number>();
  if (unregistered === 'unregistered_birth') {
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
  for (const [index, record] of records.entries()) {
    const update = updates[index]!;
    const base = {
      source: batch.source,
      batchId,
      rowNo: record.row_no,
      recordNo: fieldValue(record.raw, mapping, 'record_no'),
    };
    if (unregistered && update.link_status === 'unmatched') {
      const motherId = fieldValue(record.raw, mapping, 'mother_id_number')?.toUpperCase();
      tasks.push({
        kind: unregistered,
        org_code: record.org_code ?? county,
        person_id: null,
        source_ref: `feed:${batchId}:${record.row_no}`,
        details: {
          ...base,
          reason: 'no_match',
          fields: fieldsOf(record.raw),
          ...(motherId && motherIds.has(motherId) ? { motherPersonId: motherIds.get(motherId) } : {}),
        },
      });
    }
    // A death certified but still alive in the registry: the death is what is unregistered.
    const principal = update.links[roles[0]!]!;
    const principalPerson = principal.personId === null ? undefined : persons.get(principal.personId);
    if (unregistered === 'unregistered_death' && principalPerson && principalPerson.status === 'active') {
      tasks.push({
        kind: unregistered,
        org_code: principalPerson.current_org_code ?? record.org_code ?? county,
        person_id: principal.personId,
        source_ref: `feed:${batchId}:${record.row_no}`,
        details: { ...base, reason: 'alive_in_registry', fields: fieldsOf(record.raw) },
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
  // Findings that no longer hold: the record got linked, the link was rejected, the fields agree.
  const current = tasks.map((t) => `${t.kind}|${t.source_ref}`);
  const closed = await sql`
    UPDATE work_task SET status = 'dismissed', resolved_at = now(), resolved_by = ${actor},
           resolution_note = 'linkage: no longer found on the latest run'
     WHERE county_code = ${county} AND source = 'linkage' AND status = 'open'
       AND source_ref LIKE ${`feed:${batchId}:%`}
       ${rowNos ? sql`AND split_part(source_ref, ':', 3)::int = ANY(${[...rowNos]}::int[])` : sql``}
       AND NOT (kind || '|' || source_ref = ANY(${current}::text[]))`.execute(trx);
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
