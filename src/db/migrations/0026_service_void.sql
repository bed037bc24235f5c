-- A mistaken service record is voided, never deleted (docs/services.md, "Voiding a record"): it
-- keeps its row with the reason, who voided it and when, and no longer counts anywhere. Its
-- import key stays with it, so importing the row it came from again finds it (unchanged, not
-- written again) — but the key no longer blocks a corrected row under the same record number:
-- the unique index holds for live records only, and a row with that number and other content is
-- written as the correction of the voided record. The voided records get indexes of their own: by
-- key, read by an import before it writes a chunk (src/services/write-service-rows.ts), and by
-- village and date, for the list of a unit's voided records (GET /api/services?voided=true).
ALTER TABLE service_record
  ADD COLUMN voided_by text,
  ADD COLUMN voided_at timestamptz;
COMMENT ON COLUMN service_record.void_reason IS 'Why the record was voided (required once voided): a wrong person, a wrong date, a service that never happened.';
COMMENT ON COLUMN service_record.voided_by IS 'Who voided the record (user:…, or the command line''s user); NULL for records voided before migration 0026.';
COMMENT ON COLUMN service_record.voided_at IS 'When the record was voided; NULL for records voided before migration 0026.';

DROP INDEX service_record_import_key_uq;
-- Led by the key, as migration 0024 orders the registry's key indexes.
CREATE UNIQUE INDEX service_record_import_key_uq ON service_record (import_key, county_code, source)
  WHERE import_key IS NOT NULL AND NOT voided;
CREATE INDEX service_record_voided_key_idx ON service_record (import_key, county_code, source)
  WHERE import_key IS NOT NULL AND voided;
CREATE INDEX service_record_voided_org_idx ON service_record (org_code, service_date) WHERE voided;
