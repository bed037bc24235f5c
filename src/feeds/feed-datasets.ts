import { sql } from 'kysely';
import type { Database } from '../db/database.ts';
import type { FeedSource } from '../db/schema.ts';
import type { Dataset } from '../linkage/dataset.ts';
import { LINK_COLUMNS, type LinkColumn } from './link-configs.ts';
import { fieldValue } from './resolve-record.ts';
import { type FeedMapping, type FeedRole, SOURCES } from './sources.ts';

/**
 * The two sides of a link run as the engine's datasets: the batch's records (one entry per role:
 * a marriage gives the husband and the wife) and the registry persons each source needs, both
 * with the same columns (LINK_COLUMNS).
 */

export interface FeedSide {
  dataset: Dataset;
  /** Per entry: the record's row number and the role. */
  rowNo: Int32Array;
  role: FeedRole[];
}

export interface BatchInfo {
  id: number;
  countyCode: string;
  source: FeedSource;
  mapping: FeedMapping;
}

function emptyColumns(): Map<string, (string | null)[]> {
  return new Map(LINK_COLUMNS.map((c) => [c, [] as (string | null)[]]));
}

/** 男/女, M/F, male/female, 1/2 as the registry's male/female. */
export function normaliseSex(value: string | null): string | null {
  if (value === null) return null;
  const v = value.trim().toLowerCase();
  if (v === '男' || v === 'm' || v === 'male' || v === '1' || v === '男性') return 'male';
  if (v === '女' || v === 'f' || v === 'female' || v === '2' || v === '女性') return 'female';
  return null;
}

/** What a role's person looks like in a raw row, in the link columns. */
export function roleValues(
  source: FeedSource,
  role: FeedRole,
  mapping: FeedMapping,
  raw: Record<string, unknown>,
  orgCode: string | null,
): Record<LinkColumn, string | null> {
  const v = (field: string) => fieldValue(raw, mapping, field);
  if (source === 'marriage_registration') {
    const prefix = role === 'husband' ? 'husband' : 'wife';
    return {
      name: v(`${prefix}_name`),
      sex: role === 'husband' ? 'male' : 'female',
      birth_date: v(`${prefix}_birth_date`),
      id_number: v(`${prefix}_id_number`),
      village: orgCode,
      mother_id_number: null,
      mother_name: null,
    };
  }
  return {
    name: v('name'),
    sex: normaliseSex(v('sex')),
    birth_date: v('birth_date'),
    id_number: v('id_number'),
    village: orgCode,
    mother_id_number: v('mother_id_number'),
    mother_name: v('mother_name'),
  };
}

/** The batch's records, one dataset entry per role, ids "row:role". */
export async function readFeedSide(database: Database, batch: BatchInfo): Promise<FeedSide> {
  const rows = await database.db
    .selectFrom('feed_record')
    .select(['row_no', 'raw', 'org_code'])
    .where('batch_id', '=', batch.id)
    .orderBy('row_no')
    .execute();
  const roles = SOURCES[batch.source].roles;
  const columns = emptyColumns();
  const ids: string[] = [];
  const rowNo: number[] = [];
  const role: FeedRole[] = [];
  for (const row of rows) {
    for (const r of roles) {
      const values = roleValues(batch.source, r, batch.mapping, row.raw, row.org_code);
      // A marriage record without one spouse's name and ID number has nobody to link for that role.
      if (batch.source === 'marriage_registration' && values.name === null && values.id_number === null)
        continue;
      ids.push(`${row.row_no}:${r}`);
      rowNo.push(row.row_no);
      role.push(r);
      for (const c of LINK_COLUMNS) columns.get(c)!.push(values[c]);
    }
  }
  return { dataset: { ids, columns }, rowNo: Int32Array.from(rowNo), role };
}

/**
 * The registry persons a batch could be about (never voided or merged records): for births those
 * born within a year of the certificates' dates, with their mother's ID number and name (from the
 * mother's record, or the ID the birth was registered with); for the others, everyone.
 */
export async function readRegistrySide(
  database: Database,
  batch: BatchInfo,
): Promise<{ dataset: Dataset; personIds: number[] }> {
  const county = batch.countyCode;
  let bornFilter = sql`true`;
  if (batch.source === 'birth_certificate') {
    const range = (
      await sql<{ first: string | null; last: string | null }>`
        SELECT min(event_date)::text AS first, max(event_date)::text AS last
          FROM feed_record WHERE batch_id = ${batch.id}`.execute(database.db)
    ).rows[0];
    if (range?.first && range.last) {
      bornFilter = sql`p.birth_date BETWEEN (${range.first}::date - 400) AND (${range.last}::date + 400)`;
    }
  }
  const withMother = batch.source === 'birth_certificate';
  const rows = (
    await sql<{
      id: number;
      name: string;
      sex: string;
      birth_date: string;
      id_number: string | null;
      village: string | null;
      mother_id_number: string | null;
      mother_name: string | null;
    }>`
      SELECT p.id, p.name, p.sex, p.birth_date::text AS birth_date, p.id_number, p.current_org_code AS village,
             ${
               withMother
                 ? sql`coalesce(m.id_number, (SELECT e.details->>'motherIdNumber' FROM vital_event e
                          WHERE e.county_code = p.county_code AND e.person_id = p.id AND e.kind = 'birth'
                            AND NOT e.voided LIMIT 1)) AS mother_id_number, m.name AS mother_name`
                 : sql`NULL::text AS mother_id_number, NULL::text AS mother_name`
             }
        FROM person p
        ${withMother ? sql`LEFT JOIN person m ON m.county_code = p.county_code AND m.id = p.mother_id` : sql``}
       WHERE p.county_code = ${county} AND p.status NOT IN ('voided', 'merged') AND ${bornFilter}
       ORDER BY p.id`.execute(database.db)
  ).rows;
  const columns = emptyColumns();
  const ids: string[] = new Array(rows.length);
  const personIds: number[] = new Array(rows.length);
  for (const [i, row] of rows.entries()) {
    ids[i] = String(row.id);
    personIds[i] = Number(row.id);
    for (const c of LINK_COLUMNS) columns.get(c)!.push(row[c]);
  }
  return { dataset: { ids, columns }, personIds };
}
