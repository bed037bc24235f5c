import { type Kysely, sql } from 'kysely';
import type { MergeChange } from '../../db/tables/dedupe.ts';
import { AppError, type FieldIssue, fieldIssue } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import { checkRequiredText } from '../../domain/person-rules.ts';
import type { CommandContext, Tx } from '../context.ts';
import {
  assertEditable,
  getPersonRow,
  type PersonPatch,
  type PersonRow,
  updatePerson,
} from '../person-store.ts';
import { throwIfIssues } from './shared.ts';

/**
 * Merging a duplicate person record into the one kept, and undoing it.
 *
 * The dropped record stays (status merged, merged_into_id = kept): nothing is deleted. Every row
 * that pointed at it — events (as the person, the other party, the mother or father in a birth's
 * details), children's parent links, unions on both sides, residence spells, household heads,
 * work tasks, feed records and their scored pairs, health service records (as the person, the
 * spouse or the newborn), disability facts, entitlements and their payee, a mother the import
 * still waits for — points at the kept record afterwards (docs/dedupe.md lists every table and why;
 * history — person_version, person_merge, field audit sheets — stays with the record it describes,
 * and so does a live entitlement in a programme where the kept record has one — closed as
 * rejected, "record merged into N", when it is an application still waiting). What the kept
 * record lacks is filled from the dropped one. Where both records carry the same fact (two birth
 * events, two residence histories, the same marriage twice) the dropped one's copy moves over
 * voided, so the person is counted once. Each changed row is written to person_merge.changes
 * with its values before and after, so undo can put back exactly the state before — and refuses
 * when anything it would overwrite has changed since. Person rows change only through updatePerson: every step
 * has its person_version, the merge and its undo included. Refused: two records of which one is
 * the other's parent, spouse, or the other party of one of its events.
 */

export interface MergePersonsInput {
  keepId: number;
  dropId: number;
  /** The versions the user saw of both records: a merge never overwrites an edit it has not seen. */
  keepVersion: number;
  dropVersion: number;
  reason: string;
  /** The merge suggestion (work_task) this merge settles, if any. */
  workTaskId?: number | null;
}

/** Person fields the kept record takes from the dropped one when it has none. */
const FILLED_FIELDS = [
  'id_number',
  'ethnicity',
  'hukou_type',
  'marital_status',
  'phone',
  'mother_id',
  'father_id',
  'birth_order',
] as const satisfies readonly (keyof PersonRow)[];

const MERGE_VOID_REASON = '合并重复记录 / merged duplicate';

/** The decision note of an application a merge closes on the dropped record (docs/benefits.md). */
export function mergedNote(keptId: number): string {
  return `记录已合并到人员 ${keptId} / record merged into person ${keptId}`;
}

/** Entitlement statuses that hold a person's one place in a programme (entitlement_live_uq). */
const LIVE_ENTITLEMENT = ['applied', 'reviewed', 'approved'] as const;

// biome-ignore lint/suspicious/noExplicitAny: the merge log names its tables at run time
type AnyDb = Kysely<any>;

function conflict(zh: string, en: string, field: string, details?: Record<string, unknown>) {
  return new AppError('conflict', text(zh, en), { field, ...(details ? { details } : {}) });
}

function checkVersion(row: PersonRow, expected: number, field: string) {
  if (row.version !== expected) {
    throw conflict(
      `人员 ${row.id} 已被他人修改（你看到的是第 ${expected} 版，现在是第 ${row.version} 版）。请刷新后重试。`,
      `Person ${row.id} was changed by someone else (you saw version ${expected}, it is now ${row.version}). Reload and try again.`,
      field,
      { personId: row.id, expectedVersion: expected, currentVersion: row.version },
    );
  }
}

/** Values that undo compares: dates and numbers as they come back, objects with their keys sorted. */
function canonical(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function pick(row: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = row[key];
  return out;
}

/** The jsonb columns a merge writes: written as JSON text. */
const JSON_COLUMNS = new Set(['details', 'links']);

/** Writes a patch to one non-person row and logs it; json columns (details, links) are written as JSON text. */
async function updateRow(
  trx: Tx,
  changes: MergeChange[],
  table: Exclude<MergeChange['table'], 'person'>,
  row: Record<string, unknown>,
  patch: Record<string, unknown>,
) {
  const keys = Object.keys(patch);
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    values[key] = JSON_COLUMNS.has(key) ? JSON.stringify(value) : value;
  }
  const db = trx as unknown as AnyDb;
  let query = db.updateTable(table).set(values);
  for (const [column, value] of Object.entries(rowKey(table, row))) query = query.where(column, '=', value);
  const after = (await query.returningAll().executeTakeFirstOrThrow()) as Record<string, unknown>;
  changes.push({
    table,
    id:
      table === 'feed_record'
        ? `${row.batch_id}:${row.row_no}`
        : table === 'import_pending_link'
          ? Number(row.person_id)
          : (row.id as number),
    before: pick(row, keys),
    after: pick(after, keys),
  });
}

/** The columns that find a row of a table the merge writes: (county, id), except two tables without an id. */
function rowKey(table: MergeChange['table'], row: Record<string, unknown>): Record<string, unknown> {
  if (table === 'feed_record') return { batch_id: row.batch_id, row_no: row.row_no };
  // A pending mother link is keyed by its person, the column the merge changes.
  if (table === 'import_pending_link') return { county_code: row.county_code, person_id: row.person_id };
  return { county_code: row.county_code, id: row.id };
}

/** Changes a person through person-store (history row included) and logs the change. */
async function updatePersonLogged(
  trx: Tx,
  changes: MergeChange[],
  before: PersonRow,
  patch: PersonPatch,
  context: CommandContext,
  kind: string,
  reason: string,
): Promise<PersonRow> {
  const after = await updatePerson(trx, before, before.version, patch, {
    actor: context.actor,
    kind,
    reason,
  });
  const keys = Object.keys(patch);
  changes.push({
    table: 'person',
    id: before.id,
    before: { ...pick(before as unknown as Record<string, unknown>, keys), version: before.version },
    after: { ...pick(after as unknown as Record<string, unknown>, keys), version: after.version },
  });
  return after;
}

/** Whether two date ranges [from, to) overlap; a null end is open. */
function overlaps(aFrom: string, aTo: string | null, bFrom: string, bTo: string | null): boolean {
  return (aTo === null || bFrom < aTo) && (bTo === null || aFrom < bTo);
}

/** Merges the record dropId into keepId in one transaction; returns the merge and both records after it. */
export async function mergePersons(context: CommandContext, input: MergePersonsInput) {
  const issues: (FieldIssue | undefined)[] = [
    checkRequiredText(input.reason, 'reason', { zh: '合并原因', en: 'Reason' }, 500),
  ];
  for (const field of ['keepId', 'dropId', 'keepVersion', 'dropVersion'] as const) {
    if (!Number.isInteger(input[field]) || input[field] < 1) {
      issues.push(fieldIssue('required', field, `缺少或无效：${field}`, `Missing or invalid: ${field}`));
    }
  }
  if (input.keepId === input.dropId) {
    issues.push(
      fieldIssue(
        'same_person',
        'dropId',
        '不能把一条记录合并到它自己',
        'A record cannot be merged into itself',
      ),
    );
  }
  throwIfIssues(issues);
  const reason = input.reason.trim();

  return context.db.transaction().execute(async (trx) => {
    // Lock both rows in id order, so two merges of the same pair cannot deadlock.
    const [first, second] = [input.keepId, input.dropId].sort((a, b) => a - b);
    const rows = new Map<number, PersonRow>();
    for (const id of [first!, second!]) rows.set(id, await getPersonRow(trx, id, true));
    let keep = rows.get(input.keepId)!;
    let drop = rows.get(input.dropId)!;
    assertEditable(keep, 'keepId');
    assertEditable(drop, 'dropId');
    if (keep.county_code !== drop.county_code) {
      throw conflict(
        `两条记录属于不同的县（${keep.county_code}、${drop.county_code}），不能合并`,
        `The records belong to different counties (${keep.county_code}, ${drop.county_code}) and cannot be merged`,
        'dropId',
      );
    }
    checkVersion(keep, input.keepVersion, 'keepVersion');
    checkVersion(drop, input.dropVersion, 'dropVersion');
    if (
      [keep.mother_id, keep.father_id].includes(drop.id) ||
      [drop.mother_id, drop.father_id].includes(keep.id)
    ) {
      throw conflict(
        '一条记录是另一条的父母，不是同一个人',
        'One record is the parent of the other: they are not one person',
        'dropId',
      );
    }
    const county = keep.county_code;
    // Spouses, or the parties of one event (a marriage, a birth naming its mother), are two people.
    const joined = await sql<{ id: number }>`
      SELECT id FROM person_union
       WHERE county_code = ${county} AND NOT voided
         AND ((person_id = ${keep.id} AND partner_id = ${drop.id}) OR (person_id = ${drop.id} AND partner_id = ${keep.id}))
      UNION ALL
      SELECT id FROM vital_event
       WHERE county_code = ${county} AND NOT voided
         AND ((person_id = ${keep.id} AND other_person_id = ${drop.id})
              OR (person_id = ${drop.id} AND other_person_id = ${keep.id}))
       LIMIT 1`.execute(trx);
    if (joined.rows.length > 0) {
      throw conflict(
        '两条记录登记为配偶（或同一事件的双方，如出生事件中的母亲），不是同一个人',
        'The records are registered as spouses (or as the two parties of one event, such as a birth and its mother): they are not one person',
        'dropId',
      );
    }
    const changes: MergeChange[] = [];
    const mergedAt = new Date().toISOString();

    // 1. The dropped record first: once it is merged its ID number no longer blocks the kept one.
    drop = await updatePersonLogged(
      trx,
      changes,
      drop,
      { status: 'merged', merged_into_id: keep.id },
      context,
      'merge',
      reason,
    );

    // 2. Residence: the kept record's history wins; the dropped one's moves over voided, unless
    //    the kept record has none, in which case it moves over as it is.
    const keptSpells = await trx
      .selectFrom('residence_spell')
      .selectAll()
      .where('county_code', '=', county)
      .where('person_id', '=', keep.id)
      .where('voided', '=', false)
      .execute();
    const droppedSpells = await trx
      .selectFrom('residence_spell')
      .selectAll()
      .where('county_code', '=', county)
      .where('person_id', '=', drop.id)
      .orderBy('id')
      .execute();
    for (const spell of droppedSpells) {
      const patch: Record<string, unknown> = { person_id: keep.id };
      if (keptSpells.length > 0 && !spell.voided) patch.voided = true;
      await updateRow(trx, changes, 'residence_spell', spell, patch);
    }

    // 3. The kept record takes what it lacks.
    const fill: PersonPatch = {};
    for (const field of FILLED_FIELDS) {
      if (keep[field] === null && drop[field] !== null) Object.assign(fill, { [field]: drop[field] });
    }
    if (keep.household_id === null && drop.household_id !== null) {
      fill.household_id = drop.household_id;
      fill.relation_to_head = drop.relation_to_head;
    }
    if (keptSpells.length === 0 && keep.current_org_code === null) {
      fill.current_org_code = drop.current_org_code;
      fill.current_residence_type = drop.current_residence_type;
    }
    if (keep.death_date === null && drop.death_date !== null) {
      // One of the two records says the person died: the person died. The kept record's open
      // residence ends at the death (or is voided when it began after it).
      fill.death_date = drop.death_date;
      fill.status = 'dead';
      fill.current_org_code = null;
      fill.current_residence_type = null;
      for (const spell of keptSpells.filter((s) => s.valid_to === null)) {
        const patch = spell.valid_from < drop.death_date ? { valid_to: drop.death_date } : { voided: true };
        await updateRow(trx, changes, 'residence_spell', spell, patch);
      }
    }
    if (Object.keys(fill).length > 0) {
      keep = await updatePersonLogged(trx, changes, keep, fill, context, 'merge', reason);
    } else {
      // The kept record still gets a history version saying it absorbed the other.
      keep = await updatePersonLogged(trx, changes, keep, {}, context, 'merge', reason);
    }

    // 4. Other persons: children's parent links, records merged into the dropped one earlier.
    const related = await trx
      .selectFrom('person')
      .selectAll()
      .where('county_code', '=', county)
      .where((eb) =>
        eb.or([
          eb('mother_id', '=', drop.id),
          eb('father_id', '=', drop.id),
          eb('merged_into_id', '=', drop.id),
        ]),
      )
      .where('id', '<>', keep.id)
      .orderBy('id')
      .forUpdate()
      .execute();
    for (const person of related) {
      const patch: PersonPatch = {};
      if (person.mother_id === drop.id) patch.mother_id = keep.id;
      if (person.father_id === drop.id) patch.father_id = keep.id;
      if (person.merged_into_id === drop.id) patch.merged_into_id = keep.id;
      await updatePersonLogged(trx, changes, person, patch, context, 'merge_relink', reason);
    }

    // 5. Events: the dropped person's own, and those naming it as the other party or a parent.
    const keptKinds = new Set(
      (
        await trx
          .selectFrom('vital_event')
          .select('kind')
          .where('county_code', '=', county)
          .where('person_id', '=', keep.id)
          .where('voided', '=', false)
          .execute()
      ).map((e) => e.kind),
    );
    const events = await trx
      .selectFrom('vital_event')
      .selectAll()
      .where('county_code', '=', county)
      .where((eb) =>
        eb.or([
          eb('person_id', '=', drop.id),
          eb('other_person_id', '=', drop.id),
          sql<boolean>`details->>'motherId' = ${String(drop.id)}`,
          sql<boolean>`details->>'fatherId' = ${String(drop.id)}`,
        ]),
      )
      .orderBy('id')
      .execute();
    for (const event of events) {
      const patch: Record<string, unknown> = {};
      if (event.person_id === drop.id) {
        patch.person_id = keep.id;
        // A birth or death both records carry is one event: the dropped copy stays, voided.
        if (
          !event.voided &&
          (event.kind === 'birth' || event.kind === 'death') &&
          keptKinds.has(event.kind)
        ) {
          patch.voided = true;
          patch.void_reason = MERGE_VOID_REASON;
        }
      }
      if (event.other_person_id === drop.id) patch.other_person_id = keep.id;
      const details = event.details as Record<string, unknown>;
      if (Number(details.motherId) === drop.id || Number(details.fatherId) === drop.id) {
        patch.details = {
          ...details,
          ...(Number(details.motherId) === drop.id ? { motherId: keep.id } : {}),
          ...(Number(details.fatherId) === drop.id ? { fatherId: keep.id } : {}),
        };
      }
      await updateRow(trx, changes, 'vital_event', event, patch);
    }

    // 6. Unions, on the dropped person's side and on the partner's.
    const keptUnions = await trx
      .selectFrom('person_union')
      .selectAll()
      .where('county_code', '=', county)
      .where('person_id', '=', keep.id)
      .where('voided', '=', false)
      .execute();
    const unions = await trx
      .selectFrom('person_union')
      .selectAll()
      .where('county_code', '=', county)
      .where((eb) => eb.or([eb('person_id', '=', drop.id), eb('partner_id', '=', drop.id)]))
      .orderBy('id')
      .execute();
    for (const union of unions) {
      const patch: Record<string, unknown> = {};
      if (union.person_id === drop.id) {
        patch.person_id = keep.id;
        if (
          !union.voided &&
          keptUnions.some((k) => overlaps(k.start_date, k.end_date, union.start_date, union.end_date))
        ) {
          patch.voided = true;
        }
      } else {
        patch.partner_id = keep.id;
        const partnerHasKept = await trx
          .selectFrom('person_union')
          .select('id')
          .where('county_code', '=', county)
          .where('person_id', '=', union.person_id)
          .where('partner_id', '=', keep.id)
          .where('voided', '=', false)
          .executeTakeFirst();
        if (!union.voided && partnerHasKept) patch.voided = true;
      }
      await updateRow(trx, changes, 'person_union', union, patch);
    }

    // 7. Households headed by the dropped record, tasks and feed records naming it.
    const households = await trx
      .selectFrom('household')
      .selectAll()
      .where('county_code', '=', county)
      .where('head_person_id', '=', drop.id)
      .orderBy('id')
      .execute();
    for (const household of households) {
      await updateRow(trx, changes, 'household', household, { head_person_id: keep.id });
    }
    const tasks = await trx
      .selectFrom('work_task')
      .selectAll()
      .where('county_code', '=', county)
      .where('person_id', '=', drop.id)
      .orderBy('id')
      .execute();
    for (const task of tasks) await updateRow(trx, changes, 'work_task', task, { person_id: keep.id });
    // Feed pairs (a department record scored against the dropped record) move to the kept one. Where
    // the kept record has its own pair for the same record and role, that pair stays and takes the
    // dropped pair's review when it has none; the dropped pair stays as it is, on the merged record
    // (settling a record passes over pairs of merged records, and a link run never scores them).
    const pairRows = (
      await sql<Record<string, unknown>>`
        SELECT d.*, k.id AS kept_pair_id, k.review AS kept_review
          FROM feed_pair d
          LEFT JOIN feed_pair k ON k.batch_id = d.batch_id AND k.row_no = d.row_no AND k.role = d.role
                               AND k.person_id = ${keep.id}
         WHERE d.county_code = ${county} AND d.person_id = ${drop.id}
         ORDER BY d.id`.execute(trx)
    ).rows;
    const pairMoved = new Map<number, number>();
    for (const { kept_pair_id: keptPairId, kept_review: keptReview, ...pair } of pairRows) {
      if (keptPairId === null) {
        await updateRow(trx, changes, 'feed_pair', pair, { person_id: keep.id });
        continue;
      }
      pairMoved.set(Number(pair.id), Number(keptPairId));
      if (keptReview === null && pair.review !== null) {
        const kept = (
          await sql<Record<string, unknown>>`
            SELECT * FROM feed_pair WHERE county_code = ${county} AND id = ${keptPairId}`.execute(trx)
        ).rows[0]!;
        await updateRow(trx, changes, 'feed_pair', kept, {
          review: pair.review,
          reviewed_by: pair.reviewed_by,
          reviewed_at: pair.reviewed_at,
          review_note: pair.review_note,
        });
      }
    }
    // Feed records: the principal's person and each role's link (links: role -> {personId, pairId}).
    const feedRecords = (
      await sql<
        Record<string, unknown> & { links: Record<string, { personId?: unknown; pairId?: unknown }> }
      >`
        SELECT * FROM feed_record f
         WHERE f.county_code = ${county}
           AND (f.person_id = ${drop.id}
                OR EXISTS (SELECT 1 FROM jsonb_each(f.links) l WHERE l.value->>'personId' = ${String(drop.id)}))
         ORDER BY f.batch_id, f.row_no`.execute(trx)
    ).rows;
    for (const record of feedRecords) {
      const links: Record<string, unknown> = {};
      for (const [role, link] of Object.entries(record.links ?? {})) {
        const moved = Number(link.personId) === drop.id;
        const pairId = link.pairId === null || link.pairId === undefined ? link.pairId : Number(link.pairId);
        links[role] = moved
          ? { ...link, personId: keep.id, pairId: pairMoved.get(pairId as number) ?? pairId }
          : link;
      }
      const patch: Record<string, unknown> = { links };
      if (Number(record.person_id) === drop.id) patch.person_id = keep.id;
      await updateRow(trx, changes, 'feed_record', record, patch);
    }
    // 9. Health services (docs/services.md): the dropped record's own, and those naming it as the
    //    spouse of a couple's check or the newborn of a postpartum visit, voided ones too — coverage
    //    counts them by person, and an import recognises its rows again by the person they name.
    //    Both records may hold the same service: coverage counts persons, so a copy counts once.
    const services = await trx
      .selectFrom('service_record')
      .selectAll()
      .where('county_code', '=', county)
      .where((eb) => eb.or([eb('person_id', '=', drop.id), eb('related_person_id', '=', drop.id)]))
      .orderBy('id')
      .execute();
    for (const service of services) {
      const patch: Record<string, unknown> = {};
      if (service.person_id === drop.id) patch.person_id = keep.id;
      if (service.related_person_id === drop.id) patch.related_person_id = keep.id;
      await updateRow(trx, changes, 'service_record', service, patch);
    }

    // 10. Facts for eligibility (a disability certificate) follow the person.
    const facts = await trx
      .selectFrom('person_fact')
      .selectAll()
      .where('county_code', '=', county)
      .where('person_id', '=', drop.id)
      .orderBy('id')
      .execute();
    for (const fact of facts) await updateRow(trx, changes, 'person_fact', fact, { person_id: keep.id });

    // 11. Entitlements (docs/benefits.md): the dropped record's move to the kept one, so a person is
    //    not cut off by the merge — except a live one (applied, reviewed, approved) in a programme
    //    where the kept record has a live one too: one person has one live entitlement per
    //    programme (entitlement_live_uq), and the kept record's goes on. The other stays on the
    //    merged record, where the benefits module already treats it as a known duplicate's: never
    //    listed, never paid (a batch pays no merged record), stopped by re-verification
    //    (record_voided). An application still waiting there (applied, reviewed) could never be
    //    approved (decideEntitlement refuses a merged record) and would sit in the approval lists
    //    as if it were the person's: the merge closes it as rejected, "record merged into N", and
    //    undo opens it again. An approved one only ends by re-verification, as before.
    //    The payment ledger names entitlements, not persons: nothing in it changes.
    //    The payee follows the person too; the payee's name and ID number as applied stay.
    const keptLive = new Set(
      (
        await trx
          .selectFrom('entitlement')
          .select('programme_id')
          .where('county_code', '=', county)
          .where('person_id', '=', keep.id)
          .where('status', 'in', LIVE_ENTITLEMENT)
          .execute()
      ).map((e) => e.programme_id),
    );
    const entitlements = await trx
      .selectFrom('entitlement')
      .selectAll()
      .where('county_code', '=', county)
      .where((eb) => eb.or([eb('person_id', '=', drop.id), eb('payee_person_id', '=', drop.id)]))
      .orderBy('id')
      .execute();
    for (const entitlement of entitlements) {
      const patch: Record<string, unknown> = {};
      const live = (LIVE_ENTITLEMENT as readonly string[]).includes(entitlement.status);
      if (entitlement.person_id === drop.id) {
        if (!(live && keptLive.has(entitlement.programme_id))) patch.person_id = keep.id;
        else if (entitlement.status !== 'approved') {
          Object.assign(patch, {
            status: 'rejected',
            decided_by: context.actor.id,
            decided_at: mergedAt,
            decision_note: mergedNote(keep.id),
          });
        }
      }
      if (entitlement.payee_person_id === drop.id) patch.payee_person_id = keep.id;
      if (Object.keys(patch).length > 0) await updateRow(trx, changes, 'entitlement', entitlement, patch);
    }

    // 12. A mother the import is still waiting for (import_pending_link): she becomes the kept
    //     record's mother when she arrives, if it has none and waits for none; otherwise the link
    //     stays with the merged record, and is dropped unused when she arrives.
    if (keep.mother_id === null) {
      const pending = await trx
        .selectFrom('import_pending_link')
        .selectAll()
        .where('county_code', '=', county)
        .where('person_id', 'in', [keep.id, drop.id])
        .execute();
      const dropped = pending.find((p) => p.person_id === drop.id);
      if (dropped && !pending.some((p) => p.person_id === keep.id)) {
        await updateRow(trx, changes, 'import_pending_link', dropped, { person_id: keep.id });
      }
    }

    if (input.workTaskId != null) {
      const task = await trx
        .selectFrom('work_task')
        .selectAll()
        .where('county_code', '=', county)
        .where('id', '=', input.workTaskId)
        .executeTakeFirst();
      if (task?.kind !== 'merge') {
        throw new AppError(
          'not_found',
          text(`找不到合并建议 ${input.workTaskId}`, `No merge suggestion ${input.workTaskId}`),
          { field: 'workTaskId' },
        );
      }
      if (task.status === 'open') {
        await updateRow(trx, changes, 'work_task', task, {
          status: 'done',
          resolved_at: new Date().toISOString(),
          resolved_by: context.actor.id,
          resolution_note: reason,
        });
      }
    }

    const merge = await trx
      .insertInto('person_merge')
      .values({
        county_code: county,
        kept_person_id: keep.id,
        dropped_person_id: drop.id,
        reason,
        work_task_id: input.workTaskId ?? null,
        merged_by: context.actor.id,
        changes: JSON.stringify(changes),
      })
      .returning(['id', 'merged_at'])
      .executeTakeFirstOrThrow();
    return { mergeId: merge.id, kept: keep, dropped: drop, changedRows: changes.length };
  });
}

export interface UndoMergeInput {
  mergeId: number;
  reason: string;
}

/**
 * Undoes a merge: every row it changed gets its values from before the merge back, in reverse
 * order, persons through person-store (so history shows the undo too). Refuses, listing them,
 * when rows changed since the merge — undoing then would overwrite someone's later work.
 */
export async function undoMerge(context: CommandContext, input: UndoMergeInput) {
  throwIfIssues([checkRequiredText(input.reason, 'reason', { zh: '撤销原因', en: 'Reason' }, 500)]);
  const reason = input.reason.trim();
  return context.db.transaction().execute(async (trx) => {
    const merge = await trx
      .selectFrom('person_merge')
      .selectAll()
      .where('id', '=', input.mergeId)
      .forUpdate()
      .executeTakeFirst();
    if (!merge) {
      throw new AppError('not_found', text(`找不到合并记录 ${input.mergeId}`, `No merge ${input.mergeId}`), {
        field: 'mergeId',
      });
    }
    if (merge.status === 'undone') {
      throw conflict('这次合并已经撤销过了', 'This merge has already been undone', 'mergeId');
    }
    const db = trx as unknown as AnyDb;
    const county = merge.county_code;
    const keyOf = (change: MergeChange) => {
      if (change.table === 'feed_record') {
        const [batch, row] = String(change.id).split(':').map(Number);
        return { batch_id: batch, row_no: row };
      }
      // Found under the person the merge moved it to.
      if (change.table === 'import_pending_link') {
        return { county_code: county, person_id: change.after.person_id };
      }
      return { county_code: county, id: change.id };
    };
    const current = async (change: MergeChange): Promise<Record<string, unknown> | undefined> => {
      let query = db.selectFrom(change.table).selectAll();
      for (const [column, value] of Object.entries(keyOf(change))) query = query.where(column, '=', value);
      return (await query.forUpdate().executeTakeFirst()) as Record<string, unknown> | undefined;
    };
    // Check everything before writing anything.
    const changed: { table: string; id: number | string; columns: string[] }[] = [];
    const rows: Record<string, unknown>[] = [];
    for (const change of merge.changes) {
      const row = await current(change);
      // A feed pair a later link run removed (nobody had decided on it) is the engine's to score
      // again once the record is back, not a change undo would overwrite.
      if (!row && change.table === 'feed_pair') {
        rows.push({});
        continue;
      }
      const columns = Object.keys(change.after).filter(
        (column) => !row || canonical(row[column]) !== canonical(change.after[column]),
      );
      if (columns.length > 0) changed.push({ table: change.table, id: change.id, columns });
      rows.push(row ?? {});
    }
    if (changed.length > 0) {
      throw conflict(
        `合并之后有 ${changed.length} 条相关记录又被修改过，不能自动撤销`,
        `${changed.length} rows the merge touched have changed since; the merge cannot be undone automatically`,
        'mergeId',
        { changed },
      );
    }
    for (let i = merge.changes.length - 1; i >= 0; i--) {
      const change = merge.changes[i]!;
      if (change.table === 'feed_pair' && Object.keys(rows[i]!).length === 0) continue;
      const before = { ...change.before };
      if (change.table === 'person') {
        delete before.version;
        await updatePerson(trx, rows[i] as unknown as PersonRow, Number(change.after.version), before, {
          actor: context.actor,
          kind: 'merge_undo',
          reason,
        });
        continue;
      }
      for (const column of JSON_COLUMNS) {
        if (column in before) before[column] = JSON.stringify(before[column]);
      }
      let query = db.updateTable(change.table).set(before);
      for (const [column, value] of Object.entries(keyOf(change))) query = query.where(column, '=', value);
      await query.execute();
    }
    await trx
      .updateTable('person_merge')
      .set({
        status: 'undone',
        undone_at: new Date().toISOString(),
        undone_by: context.actor.id,
        undo_reason: reason,
      })
      .where('county_code', '=', county)
      .where('id', '=', merge.id)
      .execute();
    return { mergeId: merge.id, restoredRows: merge.changes.length };
  });
}
