import { sql } from 'kysely';
import { UnionFind } from '../linkage/index.ts';
import type { Tx } from '../registry/context.ts';

/**
 * Registry records the county already knows to be one person, so the screen lists a person once
 * and a batch pays a person once per programme and period. Known means: two live records the
 * duplicate finder put on a work list (an open `merge` task, `dedupe:<a>:<b>`), a record merged
 * into another (`merged_into_id`), or two records with one ID number. Duplicates nobody has found
 * yet cannot be known here; `renkou dedupe find` is what finds them.
 */
export interface DuplicateGroups {
  /** The group of a person: the smallest person id of the group (the person's own id if alone). */
  groupOf(personId: number): number;
  /** Every record of a person's group, the person included, in id order. */
  membersOf(personId: number): number[];
}

/** The known-duplicate groups of a county's persons (one query per source, union-find in memory). */
export async function knownDuplicates(db: Tx, countyCode: string): Promise<DuplicateGroups> {
  const edges = await sql<{ a: number; b: number }>`
    SELECT split_part(source_ref, ':', 2)::bigint AS a, split_part(source_ref, ':', 3)::bigint AS b
      FROM work_task
     WHERE county_code = ${countyCode} AND kind = 'merge' AND status = 'open'
       AND source_ref ~ '^dedupe:[0-9]+:[0-9]+$'
    UNION ALL
    SELECT id AS a, merged_into_id AS b FROM person
     WHERE county_code = ${countyCode} AND status = 'merged' AND merged_into_id IS NOT NULL
    UNION ALL
    SELECT p.id AS a, s.first_id AS b
      FROM person p
      JOIN (SELECT id_number, min(id) AS first_id FROM person
             WHERE county_code = ${countyCode} AND id_number IS NOT NULL AND status <> 'voided'
             GROUP BY id_number HAVING count(*) > 1) s ON s.id_number = p.id_number
     WHERE p.county_code = ${countyCode} AND p.status <> 'voided' AND p.id <> s.first_id`.execute(db);
  // The linkage engine's union–find, over the records that have any edge (dense indexes).
  const index = new Map<number, number>();
  const ids: number[] = [];
  const indexOf = (id: number) => {
    let i = index.get(id);
    if (i === undefined) {
      i = ids.push(id) - 1;
      index.set(id, i);
    }
    return i;
  };
  const pairs = edges.rows.map((edge) => [indexOf(Number(edge.a)), indexOf(Number(edge.b))] as const);
  const sets = new UnionFind(ids.length);
  for (const [a, b] of pairs) sets.union(a, b);
  const byRoot = new Map<number, number[]>();
  for (let i = 0; i < ids.length; i++) {
    const root = sets.find(i);
    const list = byRoot.get(root);
    if (list) list.push(ids[i]!);
    else byRoot.set(root, [ids[i]!]);
  }
  const members = new Map<number, number[]>();
  for (const list of byRoot.values()) {
    list.sort((x, y) => x - y);
    for (const id of list) members.set(id, list);
  }
  return {
    groupOf: (id) => members.get(id)?.[0] ?? id,
    membersOf: (id) => members.get(id) ?? [id],
  };
}
