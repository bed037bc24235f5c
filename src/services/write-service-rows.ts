import { type ControlledTransaction, type Insertable, sql, type Transaction } from 'kysely';
import type { Schema } from '../db/schema.ts';
import type { ServiceRecordTable } from '../db/tables/benefits.ts';
import { type FieldIssue, fieldIssue } from '../domain/errors.ts';
import { isSameRecord, type StoredServiceRecord } from './same-service.ts';

export type { StoredServiceRecord } from './same-service.ts';

/** A checked row of an import, ready to insert. */
export interface ServiceRowToWrite {
  rowNo: number;
  row: Insertable<ServiceRecordTable>;
}

/**
 * What became of a row: inserted (its id, and the voided record under the same import key it
 * corrects, if any); not inserted because it is a voided record again (that record's id: a void
 * is never undone by importing the row once more); not inserted because its import key is taken
 * by a live record — imported before or by an earlier row of the same statement — with what that
 * record says (the caller decides whether the row is that record again or another one under a
 * reused number); or refused by the database.
 */
export type ServiceRowWritten =
  | { rowNo: number; status: 'ok'; id: number; replaces?: number }
  | { rowNo: number; status: 'voided'; voidedId: number }
  | { rowNo: number; status: 'key_taken'; stored: StoredServiceRecord | undefined }
  | { rowNo: number; status: 'rejected'; issues: FieldIssue[] };

/**
 * The rows in one statement: ids drawn first, so each inserted id can be told to its row; a row
 * whose import key (county, source, import_key) a live record holds already — imported before, or
 * by an earlier row of the same statement — is skipped and comes back without an id (a voided
 * record does not hold its key: migration 0026). A statement fires service_record's data_version
 * trigger once, however many rows it inserts.
 */
function insertRows(trx: Transaction<Schema>, rows: readonly ServiceRowToWrite[]) {
  const values = rows.map(({ rowNo, row }) => ({ row_no: rowNo, ...row }));
  return sql<{ row_no: number; id: number | null }>`
    WITH input AS MATERIALIZED (
      SELECT r.*, nextval(pg_get_serial_sequence('service_record', 'id')) AS id
        FROM jsonb_to_recordset(${JSON.stringify(values)}::jsonb) AS r(
               row_no integer, county_code text, kind text, person_id bigint, related_person_id bigint,
               service_date date, provider text, outcome_code text, consent boolean, quantity integer,
               org_code text, source text, import_key text, entered_by text)
    ), inserted AS (
      INSERT INTO service_record (county_code, id, kind, person_id, related_person_id, service_date,
                                  provider, outcome_code, consent, quantity, org_code, source, import_key,
                                  entered_by)
      SELECT county_code, id, kind, person_id, related_person_id, service_date,
             provider, outcome_code, consent, quantity, org_code, source, import_key, entered_by
        FROM input ORDER BY row_no
      ON CONFLICT (county_code, source, import_key) WHERE import_key IS NOT NULL AND NOT voided DO NOTHING
      RETURNING id)
    SELECT input.row_no, inserted.id
      FROM input LEFT JOIN inserted ON inserted.id = input.id
     ORDER BY input.row_no`.execute(trx);
}

/**
 * The live record stored under the import keys of rows that were not inserted, read after the
 * insert in the same transaction (so a record an earlier row of the same statement inserted is
 * seen too), by the unique index of live keys (county_code, source, import_key).
 */
async function findStoredUnderKeys(
  trx: Transaction<Schema>,
  rows: readonly ServiceRowToWrite[],
): Promise<Map<number, StoredServiceRecord>> {
  if (rows.length === 0) return new Map();
  const keys = rows.map(({ rowNo, row }) => ({
    row_no: rowNo,
    county_code: row.county_code,
    source: row.source,
    import_key: row.import_key,
  }));
  const found = await sql<StoredServiceRecord & { row_no: number }>`
    SELECT k.row_no, s.id, s.kind, s.person_id, s.related_person_id,
           to_char(s.service_date, 'YYYY-MM-DD') AS service_date, s.provider, s.outcome_code, s.quantity
      FROM jsonb_to_recordset(${JSON.stringify(keys)}::jsonb)
             AS k(row_no integer, county_code text, source text, import_key text)
      JOIN service_record s
        ON s.county_code = k.county_code COLLATE "C" AND s.source = k.source
       AND s.import_key = k.import_key COLLATE "C" AND NOT s.voided`.execute(trx);
  return new Map(found.rows.map(({ row_no, ...stored }) => [row_no, storedRecord(stored)]));
}

/** A stored record as read by raw SQL: its bigints and integers as numbers. */
function storedRecord(stored: StoredServiceRecord): StoredServiceRecord {
  return {
    ...stored,
    id: Number(stored.id),
    person_id: Number(stored.person_id),
    related_person_id: stored.related_person_id === null ? null : Number(stored.related_person_id),
    quantity: stored.quantity === null ? null : Number(stored.quantity),
  };
}

const keyOf = (row: Insertable<ServiceRecordTable>) =>
  `${row.county_code}\u0000${row.source}\u0000${row.import_key}`;

/**
 * The voided records stored under the rows' import keys, by key, oldest first: one query per
 * county and source (an import has one of each), by the index of voided keys (migration 0026),
 * which holds only the few records ever voided.
 */
async function findVoidedUnderKeys(
  trx: Transaction<Schema>,
  rows: readonly ServiceRowToWrite[],
): Promise<Map<string, StoredServiceRecord[]>> {
  const groups = new Map<string, { county: string; source: string; keys: string[] }>();
  for (const { row } of rows) {
    if (row.import_key == null) continue;
    const group = `${row.county_code}\u0000${row.source}`;
    const keys = groups.get(group) ?? { county: row.county_code, source: row.source, keys: [] };
    keys.keys.push(row.import_key);
    groups.set(group, keys);
  }
  const voided = new Map<string, StoredServiceRecord[]>();
  for (const { county, source, keys } of groups.values()) {
    const found = await sql<StoredServiceRecord & { import_key: string }>`
      SELECT s.import_key, s.id, s.kind, s.person_id, s.related_person_id,
             to_char(s.service_date, 'YYYY-MM-DD') AS service_date, s.provider, s.outcome_code, s.quantity
        FROM service_record s
       WHERE s.voided AND s.import_key IS NOT NULL
         AND s.import_key = ANY(${keys}::text[]) AND s.county_code = ${county} AND s.source = ${source}
       ORDER BY s.id`.execute(trx);
    for (const { import_key, ...stored } of found.rows) {
      const key = `${county}\u0000${source}\u0000${import_key}`;
      voided.set(key, [...(voided.get(key) ?? []), storedRecord(stored)]);
    }
  }
  return voided;
}

/**
 * Writes an import chunk's checked rows set-wise in the caller's transaction, one statement for
 * them all. First, a row that is a voided record under its import key again (isSameRecord) is not
 * written — importing a file again never brings back what someone voided — while a row with that
 * key and other content is written as the voided record's correction (`replaces`: the newest
 * voided record under the key). Should the database refuse the statement for something in a row
 * that the rules did not foresee (a data exception or a constraint), the statement is undone to a
 * savepoint and the rows are written one at a time, each behind a savepoint of its own: the rows
 * the database refuses come back rejected with its reason, every other row is written, and the
 * chunk stays one transaction. A row whose import key a live record holds comes back with that
 * record, for the caller to hold the row to. Any other error (the connection, a deadlock) is
 * thrown: the caller rolls the chunk back.
 */
export async function writeServiceRows(
  trx: ControlledTransaction<Schema>,
  rows: readonly ServiceRowToWrite[],
): Promise<ServiceRowWritten[]> {
  if (rows.length === 0) return [];
  const voided = await findVoidedUnderKeys(trx, rows);
  const again: ServiceRowWritten[] = [];
  const replaces = new Map<number, number>();
  const toInsert: ServiceRowToWrite[] = [];
  for (const row of rows) {
    const under = voided.get(keyOf(row.row)) ?? [];
    const same = under.find((record) => isSameRecord(row.row, record));
    if (same) {
      again.push({ rowNo: row.rowNo, status: 'voided', voidedId: same.id });
      continue;
    }
    if (under.length > 0) replaces.set(row.rowNo, under[under.length - 1]!.id);
    toInsert.push(row);
  }
  const written = await insertServiceRows(trx, toInsert);
  const taken = new Set(written.filter((w) => w.status === 'key_taken').map((w) => w.rowNo));
  const stored = await findStoredUnderKeys(
    trx,
    toInsert.filter((r) => taken.has(r.rowNo)),
  );
  return [
    ...again,
    ...written.map((w): ServiceRowWritten => {
      if (w.status === 'key_taken') return { ...w, stored: stored.get(w.rowNo) };
      const voidedId = replaces.get(w.rowNo);
      return w.status === 'ok' && voidedId !== undefined ? { ...w, replaces: voidedId } : w;
    }),
  ];
}

/** The insert of writeServiceRows: set-wise, or a row at a time once the database refused the set. */
async function insertServiceRows(
  trx: ControlledTransaction<Schema>,
  rows: readonly ServiceRowToWrite[],
): Promise<ServiceRowWritten[]> {
  if (rows.length === 0) return [];
  const chunk = await trx.savepoint('service_chunk').execute();
  try {
    const written = outcomes((await insertRows(chunk, rows)).rows);
    await chunk.releaseSavepoint('service_chunk').execute();
    return written;
  } catch (error) {
    if (!refusedForRow(error)) throw error;
    await chunk.rollbackToSavepoint('service_chunk').execute();
    await chunk.releaseSavepoint('service_chunk').execute();
  }
  const written: ServiceRowWritten[] = [];
  for (const row of rows) {
    const one = await trx.savepoint('service_row').execute();
    try {
      written.push(...outcomes((await insertRows(one, [row])).rows));
      await one.releaseSavepoint('service_row').execute();
    } catch (error) {
      if (!refusedForRow(error)) throw error;
      await one.rollbackToSavepoint('service_row').execute();
      await one.releaseSavepoint('service_row').execute();
      written.push({ rowNo: row.rowNo, status: 'rejected', issues: [refusedIssue(error)] });
    }
  }
  return written;
}

function outcomes(rows: { row_no: number; id: number | null }[]): ServiceRowWritten[] {
  return rows.map((r) =>
    r.id === null
      ? { rowNo: r.row_no, status: 'key_taken' as const, stored: undefined }
      : { rowNo: r.row_no, status: 'ok' as const, id: Number(r.id) },
  );
}

interface DatabaseError {
  code: string;
  message: string;
  column?: string;
  constraint?: string;
}

/**
 * Whether an error is one a row's values cause — SQLSTATE class 22 (data exception: a value out
 * of range, a character the database cannot store) or 23 (a constraint) — rather than the
 * database or the connection failing.
 */
function refusedForRow(error: unknown): error is DatabaseError {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}

/** The import's field names of service_record's columns. */
const FIELD_OF_COLUMN: [column: string, field: string][] = [
  ['related_person_id', 'relatedIdNumber'],
  ['person_id', 'idNumber'],
  ['service_date', 'serviceDate'],
  ['outcome_code', 'outcomeCode'],
  ['import_key', 'importKey'],
  ['provider', 'provider'],
  ['quantity', 'quantity'],
  ['consent', 'consent'],
  ['kind', 'kind'],
];

/**
 * The issue for a row the database refused: the field its column or constraint names where it
 * names one (related_person_id before person_id, which it contains), else the row as a whole;
 * the database's own words as the reason.
 */
function refusedIssue(error: DatabaseError): FieldIssue {
  const where = `${error.column ?? ''} ${error.constraint ?? ''}`;
  const field = FIELD_OF_COLUMN.find(([column]) => where.includes(column))?.[1] ?? 'row';
  const reason = error.message.replace(/\s+/g, ' ').trim();
  return fieldIssue(
    'refused_by_database',
    field,
    `数据库拒收此行：${reason}（本文件其他行不受影响；请核对此行后重新导入）`,
    `The database refused this row: ${reason} (the file's other rows are not affected; check this row and import it again)`,
  );
}
