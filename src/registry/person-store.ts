import type { Insertable, Selectable } from 'kysely';
import type { PersonTable } from '../db/schema.ts';
import { AppError, fieldIssue, invalidInput } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import type { Actor, Tx } from './context.ts';

export type PersonRow = Selectable<PersonTable>;

/** Fields that history records; bookkeeping columns (version, timestamps) are left out of diffs. */
export const TRACKED_PERSON_FIELDS: readonly (keyof PersonRow)[] = [
  'id_number',
  'name',
  'sex',
  'birth_date',
  'ethnicity',
  'hukou_type',
  'marital_status',
  'phone',
  'household_id',
  'relation_to_head',
  'mother_id',
  'father_id',
  'birth_order',
  'death_date',
  'current_org_code',
  'current_residence_type',
  'status',
  'void_reason',
  'merged_into_id',
];

function snapshotOf(row: PersonRow): Record<string, unknown> {
  const out: Record<string, unknown> = { id: row.id, county_code: row.county_code };
  for (const key of TRACKED_PERSON_FIELDS) out[key] = row[key];
  return out;
}

/**
 * The record as it stood after a version that left its snapshot out (a bulk writer's first
 * version): the person's row as it is now with the changes of every later version undone, newest
 * first — each version stores the old value of every tracked field it changed (updatePerson).
 * `later` holds every version after that one, in any order (any not after it, or written after
 * `current` was read, are passed over); a gap in them is a broken history and throws rather than
 * guess. So every change of a tracked field goes through updatePerson (or writes a version with
 * its old values as the mother-linking does) — a data migration included.
 */
export function rewoundSnapshot(
  current: PersonRow,
  version: number,
  later: readonly { version: number; changes: Record<string, { old: unknown; new: unknown }> }[],
): Record<string, unknown> {
  const newestFirst = later
    .filter((v) => v.version > version && v.version <= current.version)
    .sort((a, b) => b.version - a.version);
  const expected = Array.from({ length: current.version - version }, (_, i) => current.version - i);
  if (newestFirst.length !== expected.length || newestFirst.some((v, i) => v.version !== expected[i])) {
    throw new Error(
      `person ${current.id}: the history from version ${version} to ${current.version} is incomplete`,
    );
  }
  const snapshot = snapshotOf(current);
  for (const { changes } of newestFirst) {
    for (const [key, change] of Object.entries(changes)) snapshot[key] = change.old;
  }
  return snapshot;
}

/**
 * The changes of a person's first version when it stores none ({}): bulk writers (the import,
 * the synthetic county) leave them to be read off the snapshot — each tracked field that has a
 * value, from null to it, as insertPerson writes them.
 */
export function impliedFirstChanges(
  snapshot: Record<string, unknown>,
): Record<string, { old: null; new: unknown }> {
  const changes: Record<string, { old: null; new: unknown }> = {};
  for (const key of TRACKED_PERSON_FIELDS) {
    const value = snapshot[key] ?? null;
    if (value !== null) changes[key] = { old: null, new: value };
  }
  return changes;
}

function diff(
  before: PersonRow | undefined,
  after: PersonRow,
): Record<string, { old: unknown; new: unknown }> {
  const changes: Record<string, { old: unknown; new: unknown }> = {};
  for (const key of TRACKED_PERSON_FIELDS) {
    const old = before ? before[key] : null;
    if (old !== after[key]) changes[key] = { old, new: after[key] };
  }
  return changes;
}

export interface ChangeMeta {
  actor: Actor;
  kind: string;
  reason?: string | null | undefined;
}

/** Loads a person by id (any county), or throws not_found. `forUpdate` locks the row for the transaction. */
export async function getPersonRow(db: Tx, id: number, forUpdate = false): Promise<PersonRow> {
  // An id from JSON the CLI read ("abc", 1.5) would fail the bigint cast: refused here instead.
  if (!Number.isSafeInteger(id) || id < 1) {
    // A string shows its quotes: "1" is text, not the number 1.
    const shown = typeof id === 'number' ? String(id) : JSON.stringify(id);
    throw invalidInput([
      fieldIssue(
        'invalid_id',
        'personId',
        `人员编号应为正整数：${shown}`,
        `A person id is a positive whole number: ${shown}`,
      ),
    ]);
  }
  let query = db.selectFrom('person').selectAll().where('id', '=', id);
  if (forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) {
    throw new AppError('not_found', text(`找不到编号为 ${id} 的人员`, `No person with id ${id}`), {
      field: 'personId',
    });
  }
  return row;
}

/** Inserts a person and its first history version, in the caller's transaction. */
export async function insertPerson(
  db: Tx,
  values: Omit<Insertable<PersonTable>, 'created_by' | 'updated_by'>,
  meta: ChangeMeta,
): Promise<PersonRow> {
  const row = await db
    .insertInto('person')
    .values({ ...values, created_by: meta.actor.id, updated_by: meta.actor.id })
    .returningAll()
    .executeTakeFirstOrThrow();
  await db
    .insertInto('person_version')
    .values({
      county_code: row.county_code,
      person_id: row.id,
      version: row.version,
      change_kind: meta.kind,
      changed_by: meta.actor.id,
      reason: meta.reason ?? null,
      changes: JSON.stringify(diff(undefined, row)),
      snapshot: JSON.stringify(snapshotOf(row)),
    })
    .execute();
  return row;
}

export type PersonPatch = Partial<
  Omit<PersonRow, 'id' | 'county_code' | 'version' | 'created_at' | 'created_by'>
>;

/** The largest value of a PostgreSQL integer column. */
const INT32_MAX = 2_147_483_647;

/**
 * Updates a person under optimistic locking: the write succeeds only if the row still has
 * `expectedVersion`, so of two concurrent editors the second gets a conflict, never a lost update.
 * Writes the history version in the same transaction.
 */
export async function updatePerson(
  db: Tx,
  before: PersonRow,
  expectedVersion: number,
  patch: PersonPatch,
  meta: ChangeMeta,
): Promise<PersonRow> {
  // A version no record can have (the column is a 32-bit integer) is a conflict like any other
  // version the record does not have — found here, not by a failed cast in the UPDATE.
  const possible = Number.isInteger(expectedVersion) && expectedVersion >= 1 && expectedVersion < INT32_MAX;
  const after = possible
    ? await db
        .updateTable('person')
        .set({
          ...patch,
          version: expectedVersion + 1,
          updated_by: meta.actor.id,
          updated_at: new Date().toISOString(),
        })
        .where('county_code', '=', before.county_code)
        .where('id', '=', before.id)
        .where('version', '=', expectedVersion)
        .returningAll()
        .executeTakeFirst()
    : undefined;
  if (!after) {
    const current = await db
      .selectFrom('person')
      .select('version')
      .where('county_code', '=', before.county_code)
      .where('id', '=', before.id)
      .executeTakeFirst();
    throw new AppError(
      'conflict',
      text(
        `此人员记录已被他人修改（你看到的是第 ${expectedVersion} 版，现在是第 ${current?.version ?? '?'} 版）。请刷新后重试。`,
        `This person was changed by someone else (you saw version ${expectedVersion}, it is now ${current?.version ?? '?'}). Reload and try again.`,
      ),
      { field: 'version', details: { expectedVersion, currentVersion: current?.version } },
    );
  }
  await db
    .insertInto('person_version')
    .values({
      county_code: after.county_code,
      person_id: after.id,
      version: after.version,
      change_kind: meta.kind,
      changed_by: meta.actor.id,
      reason: meta.reason ?? null,
      changes: JSON.stringify(diff(before, after)),
      snapshot: JSON.stringify(snapshotOf(after)),
    })
    .execute();
  return after;
}

/** Refuses work on a person who is voided or merged (those records are kept, never edited further). */
export function assertEditable(row: PersonRow, field = 'personId') {
  if (row.status === 'voided' || row.status === 'merged') {
    throw new AppError(
      'conflict',
      text(
        `该记录已${row.status === 'voided' ? '作废' : '合并'}，不能再修改`,
        `This record is ${row.status} and can no longer be changed`,
      ),
      { field },
    );
  }
}
