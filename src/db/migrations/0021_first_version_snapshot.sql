-- A person's first history version written by a bulk writer (the import, the synthetic county)
-- may leave its snapshot out: the record as first written is the person's row as it is now with
-- every later version's changes undone (each later version stores its old values), which is how
-- the history and "as known on date D" read it (rewoundSnapshot, src/registry/person-store.ts).
-- The snapshot was two thirds of the history table and the biggest single cost of an import.
ALTER TABLE person_version ALTER COLUMN snapshot DROP NOT NULL;
ALTER TABLE person_version ADD CONSTRAINT person_version_snapshot_left_out
  CHECK (snapshot IS NOT NULL OR (version = 1 AND changes = '{}'::jsonb));

COMMENT ON COLUMN person_version.snapshot IS 'The record as it stood after this version, which is what "as known on date D" reads. Null only on a first version that stores no changes (bulk writers): it is then the current row with every later version''s changes undone.';
