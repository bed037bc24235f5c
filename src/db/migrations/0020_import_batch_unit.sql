-- An import batch is one file for one unit, not one file per county: a township's staff and the
-- county's can each import the same county-wide spreadsheet (each gets its own rows; the other
-- units' rows are quarantined as outside_units in that batch, or found unchanged). The unit was
-- kept in header JSON; it becomes a column, part of the key.

ALTER TABLE import_batch ADD COLUMN unit_code text COLLATE "C" REFERENCES org_unit (code);
UPDATE import_batch SET unit_code = coalesce(nullif(header->>'unit', ''), county_code);
ALTER TABLE import_batch ALTER COLUMN unit_code SET NOT NULL;
UPDATE import_batch SET header = header - 'unit';

ALTER TABLE import_batch DROP CONSTRAINT import_batch_county_code_kind_file_sha256_key;
ALTER TABLE import_batch ADD CONSTRAINT import_batch_file_unit_key UNIQUE (county_code, kind, file_sha256, unit_code);

COMMENT ON TABLE import_batch IS 'One imported file per county and unit: the same file (by SHA-256) imported again for the same unit finds its batch, so it creates nothing new, and a batch cut short resumes where it stopped. Another unit importing the same file gets its own batch.';
COMMENT ON COLUMN import_batch.unit_code IS 'The unit the import was for (county, township or village): rows outside it were quarantined as outside_units; who may read the batch follows from it.';
