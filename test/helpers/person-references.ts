import { type Kysely, sql } from 'kysely';
import type { Schema } from '../../src/db/schema.ts';

/**
 * Every row that names a person, for merge tests: the tables with a foreign key to person, read
 * from the database's catalogue (so a table added later is covered without touching the tests),
 * and the columns that name a person without one.
 */

/** Tables a merge and its undo only append to: history, not state to restore. */
const HISTORY_TABLES = new Set(['person_version', 'person_merge']);

/** Person columns without a foreign key (person ids inside jsonb are checked by the merge tests themselves). */
const UNCONSTRAINED_COLUMNS: { table: string; column: string }[] = [
  { table: 'person', column: 'mother_id' },
  { table: 'person', column: 'father_id' },
  { table: 'person', column: 'merged_into_id' },
  { table: 'household', column: 'head_person_id' },
  { table: 'person_union', column: 'partner_id' },
  { table: 'vital_event', column: 'other_person_id' },
  { table: 'feed_record', column: 'person_id' },
];

/** (table, column) of every foreign key to person(county_code, id), from pg_constraint. */
export async function personForeignKeys(db: Kysely<Schema>): Promise<{ table: string; column: string }[]> {
  const result = await sql<{ table: string; column: string }>`
    SELECT c.conrelid::regclass::text AS "table", a.attname AS "column"
      FROM pg_constraint c
      JOIN LATERAL unnest(c.conkey) AS k(n) ON true
      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n
     WHERE c.contype = 'f' AND c.confrelid = 'person'::regclass AND a.attname <> 'county_code'
     ORDER BY 1, 2`.execute(db);
  return result.rows;
}

/** Every column naming a person: the foreign keys and the columns without one. */
export async function personColumns(db: Kysely<Schema>) {
  return [...(await personForeignKeys(db)), ...UNCONSTRAINED_COLUMNS];
}

/** How many rows of each table and column name the person, for those that name them at all ("table.column" -> n). */
export async function rowsNaming(db: Kysely<Schema>, personId: number): Promise<Record<string, number>> {
  const found: Record<string, number> = {};
  for (const { table, column } of await personColumns(db)) {
    const result = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE ${sql.ref(column)} = ${personId}`.execute(db);
    const n = Number(result.rows[0]!.n);
    if (n > 0) found[`${table}.${column}`] = n;
  }
  return found;
}

/**
 * Every row, whole, of person, household and every table with a foreign key to person but the
 * history tables — person less its version and update stamps, which an undo moves on rather
 * than back (registry/person-store.ts) — as JSON, in a stable order.
 */
export async function personReferencingRows(db: Kysely<Schema>): Promise<Record<string, unknown[]>> {
  const tables = new Set(['person', 'household']);
  for (const { table } of await personForeignKeys(db)) if (!HISTORY_TABLES.has(table)) tables.add(table);
  const rows: Record<string, unknown[]> = {};
  for (const table of [...tables].sort()) {
    const row =
      table === 'person' ? sql`to_jsonb(t) - 'version' - 'updated_at' - 'updated_by'` : sql`to_jsonb(t)`;
    const result = await sql<{ row: unknown }>`
      SELECT ${row} AS row FROM ${sql.table(table)} t ORDER BY ${row}::text`.execute(db);
    rows[table] = result.rows.map((r) => r.row);
  }
  return rows;
}
