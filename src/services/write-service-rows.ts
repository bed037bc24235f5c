import { type ControlledTransaction, type Insertable, sql, type Transaction } from 'kysely';
import type { Schema } from '../db/schema.ts';
import type { ServiceRecordTable } from '../db/tables/benefits.ts';
import { type FieldIssue, fieldIssue } from '../domain/errors.ts';

/** A checked row of an import, ready to insert. */
export interface ServiceRowToWrite {
  rowNo: number;
  row: Insertable<ServiceRecordTable>;
}

/** What a record stored under an import key says: what a row with that key is held to. */
export interface StoredServiceRecord {
  kind: string;
  person_id: number;
  related_person_id: number | null;
  service_date: string;
  provider: string;
  outcome_code: string;
  quantity: number | null;
}

/**
 * What became of a row: inserted (its id); not inserted because its import key is taken — by a
 * record imported before or by an earlier row of the same statement — with what that record says
 * (the caller decides whether the row is that record again or another one under a reused number);
 * or refused by the database.
 */
export type ServiceRowWritten =
  | { rowNo: number; status: 'ok'; id: number }
  | { rowNo: number; status: 'key_taken'; stored: StoredServiceRecord | undefined }
  | { rowNo: number; status: 'rejected'; issues: FieldIssue[] };

/**
 * The rows in one statement: ids drawn first, so each inserted id can be told to its row; a row
 * whose import key (county, source, import_key) is already there — imported before, or by an
 * earlier row of the same statement — is skipped and comes back without an id. A statement fires
 * service_record's data_version trigger once, however many rows it inserts.
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
      ON CONFLICT (county_code, source, import_key) WHERE import_key IS NOT NULL DO NOTHING
      RETURNING id)
    SELECT input.row_no, inserted.id
      FROM input LEFT JOIN inserted ON inserted.id = input.id
     ORDER BY input.row_no`.execute(trx);
}

/**
 * What is stored under the import keys of rows that were not inserted, read after the insert in
 * the same transaction (so a record an earlier row of the same statement inserted is seen too),
 * by the unique index (county_code, source, import_key). Voided records hold their key as well.
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
    SELECT k.row_no, s.kind, s.person_id, s.related_person_id,
           to_char(s.service_date, 'YYYY-MM-DD') AS service_date, s.provider, s.outcome_code, s.quantity
      FROM jsonb_to_recordset(${JSON.stringify(keys)}::jsonb)
             AS k(row_no integer, county_code text, source text, import_key text)
      JOIN service_record s
        ON s.county_code = k.county_code COLLATE "C" AND s.source = k.source
       AND s.import_key = k.import_key COLLATE "C"`.execute(trx);
  return new Map(
    found.rows.map(({ row_no, ...stored }) => [
      row_no,
      {
        ...stored,
        person_id: Number(stored.person_id),
        related_person_id: stored.related_person_id === null ? null : Number(stored.related_person_id),
        quantity: stored.quantity === null ? null : Number(stored.quantity),
      },
    ]),
  );
}

/**
 * Writes an import chunk's checked rows set-wise in the caller's transaction, one statement for
 * them all. Should the database refuse that statement for something in a row that the rules did
 * not foresee (a data exception or a constraint), the statement is undone to a savepoint and the
 * rows are written one at a time, each behind a savepoint of its own: the rows the database
 * refuses come back rejected with its reason, every other row is written, and the chunk stays one
 * transaction. A row whose import key is taken comes back with the record stored under it, for
 * the caller to hold the row to. Any other error (the connection, a deadlock) is thrown: the
 * caller rolls the chunk back.
 */
export async function writeServiceRows(
  trx: ControlledTransaction<Schema>,
  rows: readonly ServiceRowToWrite[],
): Promise<ServiceRowWritten[]> {
  if (rows.length === 0) return [];
  const written = await insertServiceRows(trx, rows);
  const taken = new Set(written.filter((w) => w.status === 'key_taken').map((w) => w.rowNo));
  const stored = await findStoredUnderKeys(
    trx,
    rows.filter((r) => taken.has(r.rowNo)),
  );
  return written.map((w) => (w.status === 'key_taken' ? { ...w, stored: stored.get(w.rowNo) } : w));
}

/** The insert of writeServiceRows: set-wise, or a row at a time once the database refused the set. */
async function insertServiceRows(
  trx: ControlledTransaction<Schema>,
  rows: readonly ServiceRowToWrite[],
): Promise<ServiceRowWritten[]> {
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
