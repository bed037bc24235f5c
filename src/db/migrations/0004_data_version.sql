-- A change counter per county, bumped by every statement that writes registry data. Caches of
-- derived figures (the indicator cube) compare it to know when they are stale: figures are fresh
-- after every change without recomputing anything on writes.

CREATE TABLE data_version (
  county_code text COLLATE "C" PRIMARY KEY,
  version     bigint NOT NULL,
  changed_at  timestamptz NOT NULL
);
COMMENT ON TABLE data_version IS 'Registry change counter per county (statement-level triggers on person, residence_spell, vital_event); caches of derived figures are valid while it is unchanged.';

CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO data_version (county_code, version, changed_at)
  SELECT DISTINCT county_code, 1, now() FROM changed_rows
  ON CONFLICT (county_code) DO UPDATE SET version = data_version.version + 1, changed_at = now();
  RETURN NULL;
END $$;

CREATE TRIGGER person_data_version_ins AFTER INSERT ON person
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER person_data_version_upd AFTER UPDATE ON person
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER person_data_version_del AFTER DELETE ON person
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER spell_data_version_ins AFTER INSERT ON residence_spell
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER spell_data_version_upd AFTER UPDATE ON residence_spell
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER spell_data_version_del AFTER DELETE ON residence_spell
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER event_data_version_ins AFTER INSERT ON vital_event
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER event_data_version_upd AFTER UPDATE ON vital_event
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER event_data_version_del AFTER DELETE ON vital_event
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
