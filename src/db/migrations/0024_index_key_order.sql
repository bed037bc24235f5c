-- Registry indexes looked up by equality on both columns lead with the selective column, not the
-- county code. Every row of a county has the same county code, so an index led by it sorts (when
-- built, as an initial load builds it) and searches by comparing that text first for every pair
-- of entries: building (county_code, mother_id) over a million persons took 1.4 s against 0.6 s
-- for (mother_id, county_code), (county_code, source, import_key) 2.0 s against 0.8 s. A lookup
-- by county and mother (or person, household, import key, ID number) is served the same by either
-- order, and a unique index is the same constraint in any order (ON CONFLICT infers it by its
-- set of columns). Left as they were: indexes read by ranges of their second column
-- (person_birth_idx: county and birth dates) and the primary keys other tables refer to.
DROP INDEX person_id_number_uq;
CREATE UNIQUE INDEX person_id_number_uq ON person (id_number, county_code)
  WHERE id_number IS NOT NULL AND status NOT IN ('voided', 'merged');
DROP INDEX person_import_key_uq;
CREATE UNIQUE INDEX person_import_key_uq ON person (import_key, county_code, source) WHERE import_key IS NOT NULL;
DROP INDEX person_household_idx;
CREATE INDEX person_household_idx ON person (household_id, county_code);
DROP INDEX person_mother_idx;
CREATE INDEX person_mother_idx ON person (mother_id, county_code);
DROP INDEX person_father_idx;
CREATE INDEX person_father_idx ON person (father_id, county_code);
DROP INDEX residence_spell_person_idx;
CREATE INDEX residence_spell_person_idx ON residence_spell (person_id, county_code, valid_from);
DROP INDEX vital_event_person_idx;
CREATE INDEX vital_event_person_idx ON vital_event (person_id, county_code);
DROP INDEX vital_event_import_key_uq;
CREATE UNIQUE INDEX vital_event_import_key_uq ON vital_event (import_key, county_code, source) WHERE import_key IS NOT NULL;
DROP INDEX vital_event_other_person_idx;
CREATE INDEX vital_event_other_person_idx ON vital_event (other_person_id, county_code)
  WHERE other_person_id IS NOT NULL;
