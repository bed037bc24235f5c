import type { RawSession } from '../../db/database.ts';
import { TRACKED_PERSON_FIELDS } from '../person-store.ts';

/** The snapshot person_version keeps, built in SQL from a person row `x` (the fields insertPerson tracks). */
export function snapshotSql(x: string): string {
  const fields = TRACKED_PERSON_FIELDS;
  return `jsonb_build_object('id', ${x}.id, 'county_code', ${x}.county_code, ${fields
    .map((f) => `'${f}', ${x}.${f}`)
    .join(', ')})`;
}

// Persons imported before their mother: now that she is in the registry, link them and number
// them among her children, as a new version of each child (who, when, why), make her the mother of
// the birth the import recorded for a child born in the county, and forget the pending link.
const LINK = `
WITH found AS (
  SELECT l.person_id, min(m.id) AS mother_id
    FROM import_pending_link l
    JOIN person m ON m.county_code = l.county_code AND m.id_number = l.mother_id_number
                 AND m.status NOT IN ('voided', 'merged')
   WHERE l.county_code = $1::text
   GROUP BY l.person_id),
-- The child's number among the mother's children, as the import numbers a child whose mother it
-- knows (write-chunk.ts NUMBER_CHILDREN): hers in the registry born on or before it, and those
-- linked to her now, by birth date and record.
numbered AS (
  SELECT f.person_id, f.mother_id, c.birth_order IS NULL AS unnumbered,
         least(32767,
               row_number() OVER (PARTITION BY f.mother_id ORDER BY c.birth_date, c.id)
               + (SELECT count(*) FROM person sib
                   WHERE sib.county_code = $1::text AND sib.mother_id = f.mother_id
                     AND sib.status NOT IN ('voided', 'merged') AND sib.birth_date <= c.birth_date)) AS birth_order
    FROM found f JOIN person c ON c.county_code = $1::text AND c.id = f.person_id),
linked AS (
  UPDATE person p
     SET mother_id = n.mother_id, birth_order = coalesce(p.birth_order, n.birth_order),
         version = p.version + 1, updated_by = $2::text, updated_at = now()
    FROM numbered n
   WHERE p.county_code = $1::text AND p.id = n.person_id AND p.mother_id IS NULL
     AND p.status NOT IN ('voided', 'merged')
  RETURNING p.*, n.unnumbered),
versions AS (
  INSERT INTO person_version (county_code, person_id, version, change_kind, changed_by, reason, changes, snapshot)
  SELECT x.county_code, x.id, x.version, 'import_link', $2::text,
         'mother found by her ID number in imported rows',
         jsonb_build_object('mother_id', jsonb_build_object('old', NULL, 'new', x.mother_id))
           || CASE WHEN x.unnumbered
                   THEN jsonb_build_object('birth_order', jsonb_build_object('old', NULL, 'new', x.birth_order))
                   ELSE '{}'::jsonb END,
         ${snapshotSql('x')}
    FROM linked x
  RETURNING 1),
births AS (
  UPDATE vital_event e
     SET other_person_id = x.mother_id, details = e.details || jsonb_build_object('motherId', x.mother_id)
    FROM linked x
   WHERE e.county_code = $1::text AND e.person_id = x.id AND e.kind = 'birth' AND e.source = 'import'
     AND e.other_person_id IS NULL
  RETURNING 1),
done AS (
  DELETE FROM import_pending_link l USING found f
   WHERE l.county_code = $1::text AND l.person_id = f.person_id
  RETURNING 1)
SELECT (SELECT count(*) FROM versions)::int AS linked`;

/** Links imported persons to mothers who have arrived since; returns how many were linked. */
export async function linkPendingMothers(
  session: RawSession,
  countyCode: string,
  actorId: string,
): Promise<number> {
  const [row] = await session.query<{ linked: number }>(LINK, [countyCode, actorId]);
  return row?.linked ?? 0;
}
